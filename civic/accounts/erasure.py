"""Erasing an account (GDPR article 17): by its owner, by an agent for a resident at a counter, or for
inactivity.

The account's row stays, emptied (privacy.erasure does what each package registered): what still names
it (supports and votes that stay counted, contributions kept, the counter's audit log) then names nobody,
shown as "Deleted participant". The counter records attached to the account are the same person: they are
erased with it. It can no longer log in, nor be found at a counter.

Staff accounts are refused: what staff did is the collectivité's record, and an administrator takes the
role away first (which also keeps the last administrator from going).
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..access import Role
from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..privacy.erasure import erase
from ..privacy.registry import Erasure
from ..transaction import lock_rows
from .models import User
from .passwords import verify_password

ALREADY_ERASED = _l("This account has already been deleted.")
STAFF = _l("A staff account cannot be deleted: an administrator must first give it the role of resident.")


def refusal(user):
    """Why ``user`` cannot be erased, or None."""
    if user.is_erased:
        return ALREADY_ERASED
    if user.role is not Role.RESIDENT:
        return STAFF
    return None


def erase_account(user, remove_contributions):
    lock_rows(user)
    reason = refusal(user)
    if reason is not None:
        raise DomainError(reason)
    accounts = db.session.execute(select(User).where((User.id == user.id) | (User.merged_into_id == user.id))
                                  .order_by(User.id)).scalars().all()
    erase(Erasure(
        accounts=tuple(a.id for a in accounts),
        addresses=tuple(a.email_normalized for a in accounts if a.email_normalized),
        remove_contributions=remove_contributions))
    db.session.execute(update(User).where(User.id.in_([a.id for a in accounts]))
                       .values(erased_at=utcnow(), active=False).execution_options(synchronize_session=False))
    db.session.flush()
    db.session.expire_all()


def erase_own_account(user, password, remove_contributions):
    """The owner erases their account, confirming with their password."""
    if user.password_hash is None or not verify_password(user.password_hash, password or ""):
        raise DomainError(_l("This is not your password."), field="password")
    erase_account(user, remove_contributions)
