"""A resident registered at a counter creates an account later: they attach what was entered for them.

The receipt's code and the birth date prove the counter record is theirs. Nothing moves on that
proof alone: the page shows whose record it is and what it holds, and only the person's
confirmation attaches it (a ticket signed for the account carries the code and date to it, so
neither is typed again nor guessed on that step). What refers to the record moves to the account
as each package registered it (privacy.registry): supports given from both count once; a vote cast
both ways (possible only for a person registered twice) stays with the record, both ballots having
been counted, and the page says how many.

The civil identity the agent recorded (name, birth date, phone) completes the account only when
the record's name is the account's: the agent then finds the person at the desk by it. Under
another name (a typo on one side, a pseudonym, or someone else's receipt), the account is left as
it is and the confirmation page says so. What the account states is never replaced.
"""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, select

from .. import signed
from ..accounts.erasure import ALREADY_ERASED
from ..codes import typed_code
from ..domain import DomainError
from ..privacy import registry
from ..transaction import lock_rows
from .audit import action_by_code, log
from .models import AssistedActionKind
from .personal_data import SECTION_KEY as OWN_SECTION
from .residents import public_name

# Long enough to read the page and decide; the code and birth date are asked again after it.
TICKET_MAX_AGE = 15 * 60
# A record holds what a few visits to a counter entered: a count past this says "more than".
COUNT_CAP = 1000

NO_MATCH = _l("This code and birth date do not match contributions made at a counter.")


@dataclass(frozen=True)
class Preview:
    """What the confirmation page shows: whose record, what it holds, and whether its name is the account's."""

    name: str                 # the record's public name ("Josiane P.")
    birth_date: date
    counts: list              # [(section title, how many)] of the sections that have rows, at most COUNT_CAP + 1
    same_name: bool


def _record(user, action, birth_date):
    """The counter record the receipt's ``action`` names, if the birth date is its own and it can be attached."""
    record = action.resident if action is not None else None
    if (record is None or record.birth_date != birth_date or record.can_log_in or record.id == user.id
            or record.merged_into_id is not None):
        raise DomainError(NO_MATCH, field="code")
    return record


def _same_name(record, user):
    """Whether the record's civil name is the account's (its civil name, or the name it shows when it has none),
    compared as the desk's search compares names: case and accents aside."""
    return record.full_name_search is not None and record.full_name_search == user.full_name_search


def preview_attachment(user, code, birth_date):
    """What attaching would bring to ``user``; refused as attach_contributions refuses. Changes nothing."""
    record = _record(user, action_by_code(code), birth_date)
    counted = registry.counts(select(literal(record.id)), cap=COUNT_CAP)
    # The counters' own section is the log of the entries the others list: counted once, through them.
    counts = [(section.title, counted[section.key]) for section in registry.sections()
              if section.key != OWN_SECTION and counted[section.key]]
    return Preview(name=public_name(record.full_name or record.display_name), birth_date=record.birth_date,
                   counts=counts, same_name=_same_name(record, user))


def attachment_ticket(user, code, birth_date):
    """What the confirmation page posts back: the code and birth date, signed for this account."""
    return _tickets().dumps([user.id, typed_code(code), birth_date.isoformat()])


def from_ticket(user, ticket):
    """(code, birth date) of a ticket, or None: forged, another account's, or older than TICKET_MAX_AGE."""
    held = signed.read(_tickets(), ticket, max_age=TICKET_MAX_AGE)
    if held is None:
        return None
    user_id, code, born = held
    return (code, date.fromisoformat(born)) if user_id == user.id else None


def _tickets():
    return signed.serializer("civic-attach-contributions")


def attach_contributions(user, code, birth_date):
    """Returns how many votes stayed with the record. Called on the person's confirmation (see the module)."""
    action = action_by_code(code)
    if action is not None and action.resident is not None:
        # The record: the same receipt attached from two tabs at once, the second finds it attached. The
        # account: erased meanwhile (erasure locks it), it must not take in a name, birth date and phone.
        lock_rows(action.resident, user)
    if user.is_erased:
        raise DomainError(ALREADY_ERASED)
    record = _record(user, action, birth_date)
    kept = registry.attach(record, user)
    _take_identity(record, user)
    record.merged_into_id, record.active = user.id, False
    log(AssistedActionKind.CONTRIBUTIONS_ATTACHED, resident=user, about=record)
    return kept


def _take_identity(record, user):
    """What the account lacks of what the record knew: the agent still finds the person at the desk by the
    name, birth date or phone given there (only under the same name: see the module), and the district
    votes open to the record stay open."""
    if _same_name(record, user):
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
