"""How long accounts keep what serves only to get in (privacy.retention): registrations never confirmed,
the links e-mailed to confirm an address or reset a password, and log-ins.

Accounts that were used are another matter (inactive accounts, erasure: civic.privacy)."""
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..privacy.registry import references
from ..privacy.retention import Rule, remove, retention_rule
from .models import AccountToken, LoginSession, User

# Rows that belong to the account and go with it; anything else referring to it keeps it.
_OWN = (AccountToken.__table__, LoginSession.__table__)


def _referred_to():
    """Whether a row of another table refers to the account (User.id of the statement): an agent may have
    opened a session for an unconfirmed account, or staff granted it a role."""
    conditions = []
    for reference in references():
        if reference.column.table in _OWN:
            continue
        holder = aliased(reference.column.class_)  # the account's own table too (merged_into_id)
        conditions.append(exists().where(getattr(holder, reference.column.key) == User.id))
    return conditions


def _purge_unconfirmed(cutoff):
    # A counter record has no password: it was never meant to be confirmed.
    stale = select(User.id).where(User.email_confirmed_at.is_(None), User.password_hash.is_not(None),
                                  User.created_at < cutoff, *(~condition for condition in _referred_to()))
    ids = db.session.execute(stale).scalars().all()
    if not ids:
        return 0
    for model in (AccountToken, LoginSession):
        db.session.execute(delete(model).where(model.user_id.in_(ids)))
    return remove(User, User.id.in_(ids))


def _purge_tokens(cutoff):
    return remove(AccountToken, (AccountToken.used_at < cutoff) | (AccountToken.expires_at < cutoff))


def _purge_login_sessions(cutoff):
    # Counted from the log-in's end, so that no setting of its length makes the purge cut a live one.
    ended = cutoff - timedelta(seconds=current_app.config["LOGIN_SESSION_MAX_AGE"])
    return remove(LoginSession, LoginSession.created_at < ended)


retention_rule(Rule(
    key="unconfirmed_registrations", label=_l("Registrations whose e-mail address was never confirmed"),
    why=_l("Such an account was never used: it is kept a week, for its owner to log in and get a new "
           "confirmation link, then removed with its name, address and password."),
    default_days=7, purge=_purge_unconfirmed))

retention_rule(Rule(
    key="account_tokens", label=_l("Links sent to confirm an address or reset a password"),
    why=_l("Once used or expired, such a link opens nothing: it is removed the next day."),
    default_days=1, purge=_purge_tokens))

retention_rule(Rule(
    key="login_sessions", label=_l("Log-ins"),
    why=_l("A log-in ends after 12 hours at most and is then removed within minutes; none is kept more than a "
           "day after its end."),
    default_days=1, purge=_purge_login_sessions))
