"""A resident registered at a counter creates an account later: they attach what was entered for them.

The receipt's code and the birth date prove the counter record is theirs. What refers to the
record moves to the account as each package registered it (privacy.registry): supports given
from both count once; a vote cast both ways (possible only for a person registered twice) stays
with the record, both ballots having been counted, and the page says how many.
"""
from flask_babel import lazy_gettext as _l

from ..domain import DomainError
from ..privacy import registry
from ..transaction import lock_rows
from .audit import action_by_code, log
from .models import AssistedActionKind


def attach_contributions(user, code, birth_date):
    """Returns how many votes stayed with the record."""
    action = action_by_code(code)
    record = action.resident if action is not None else None
    if record is not None:
        lock_rows(record)  # the same receipt attached from two tabs at once: the second finds it attached
    if (record is None or record.birth_date != birth_date or record.can_log_in or record.id == user.id
            or record.merged_into_id is not None):
        raise DomainError(_l("This code and birth date do not match contributions made at a counter."),
                          field="code")
    kept = registry.attach(record, user)
    _take_identity(record, user)
    record.merged_into_id, record.active = user.id, False
    log(AssistedActionKind.CONTRIBUTIONS_ATTACHED, resident=user, about=record)
    return kept


def _take_identity(record, user):
    """What the account lacks of what the record knew: the agent still finds the person at the desk by the
    name, birth date or phone given there, and the district votes open to the record stay open."""
    for name in ("full_name", "birth_date", "phone", "phone_normalized"):
        if getattr(user, name) is None:
            setattr(user, name, getattr(record, name))
    if record.district_id is None:
        return
    if user.district_id is None:
        user.district_id, user.district_since = record.district_id, record.district_since
    elif user.district_id == record.district_id and record.district_since is not None:
        # Stated at the counter first: the earlier statement opens the votes that began in between.
        user.district_since = min(filter(None, (user.district_since, record.district_since)))
