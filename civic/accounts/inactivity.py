"""Accounts unused for long are erased (retention rule "inactive_accounts", civic.privacy.retention).

The CNIL's guidance for a service used through an account: delete it after a period of inactivity,
two or three years, telling the person beforehand. An account whose last log-in (or, for a resident
registered at a counter, last assisted session) is older than the rule's duration is erased as its owner
would (accounts.erasure), its contributions kept under "Deleted participant". It is warned by e-mail
WARNING before: the same purge that erases sends the warnings, so that `flask purge` alone, run daily,
does both, and the warning always uses the duration in force. Logging in again cancels it. Records
without an address to warn (made at a counter) are erased when the time comes: a counter visit counts
as activity. Staff accounts are left to the administrators (their role is taken away first), and so are
the accounts made inactive otherwise than by erasure or attachment (by hand, by the operator): mail_to
sends them nothing, so they cannot be warned, and erasing them unwarned would override what the
collectivité decided for them.

Two purges may run at once (the daily timer and a clock job): each takes the accounts it handles with
FOR NO KEY UPDATE SKIP LOCKED (PostgreSQL), so that an account is warned or erased by one of them only,
never found erased by the other; on SQLite they take turns (privacy.purge takes the write lock).
"""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from ..access import Role
from ..db_types import utcnow
from ..extensions import db
from ..links import public_url
from ..notifications.services import mail_to
from ..privacy.retention import Rule, retention_rule
from .erasure import erase_account
from .models import User

WARNING = timedelta(days=30)
DEFAULT_DAYS = 3 * 365
_LAST_ACTIVE = func.coalesce(User.last_active_at, User.created_at)


def _inactive_since(cutoff):
    """Those this purge takes, locked; those another purge holds are its own (see the module)."""
    return (select(User).where(User.role == Role.RESIDENT, User.active, User.erased_at.is_(None),
                               User.merged_into_id.is_(None), _LAST_ACTIVE < cutoff)
            .order_by(User.id).with_for_update(key_share=True, skip_locked=True))


def _warned_since_last_active():
    return and_(User.inactivity_warned_at.is_not(None), User.inactivity_warned_at >= _LAST_ACTIVE)


def purge(cutoff):
    """Warn the accounts that will be inactive past ``cutoff`` within WARNING; erase those inactive past it
    that were warned at least WARNING ago, or that have no confirmed address to warn. Returns how many
    were erased."""
    now = utcnow()
    to_warn = db.session.execute(_inactive_since(cutoff + WARNING).where(
        User.email_confirmed_at.is_not(None), ~_warned_since_last_active())).scalars().all()
    for user in to_warn:
        # Only a warning queued counts: the account is erased WARNING after it, and never unwarned.
        if mail_to(user, "accounts/mail/inactive_account.txt", _l("Your account will be deleted"),
                   erased_on=now + WARNING, login_url=public_url("accounts.login")):
            user.inactivity_warned_at = now
    to_erase = db.session.execute(_inactive_since(cutoff).where(or_(
        User.email_confirmed_at.is_(None),
        and_(_warned_since_last_active(), User.inactivity_warned_at <= now - WARNING)))).scalars().all()
    for user in to_erase:
        erase_account(user, remove_contributions=False)
    return len(to_erase)


retention_rule(Rule(
    key="inactive_accounts", label=_l("Accounts not used for a long time (warned by e-mail a month before)"),
    why=_l("The CNIL advises deleting an account after a period of inactivity, telling its owner first; "
           "three years leaves a resident room to come back for a vote or a consultation."),
    default_days=DEFAULT_DAYS, purge=purge))
