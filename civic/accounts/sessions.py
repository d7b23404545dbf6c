"""Log-in sessions kept on the server, so that a copied cookie dies with the log-out.

The signed cookie carries a random key; the server keeps its SHA-256 in ``login_session``,
one row per browser. A request is logged in only while its row exists and is younger than
LOGIN_SESSION_MAX_AGE. Log-out deletes the row of this browser; a password change, a reset
and a role change delete all of the account's rows (the browser that changed the password is
then logged in afresh, under a new key). Flask-Login keeps the account id in the cookie beside
the key.
"""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app, session
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, delete, select

from ..db_types import utcnow
from ..extensions import db
from ..jobs import job
from ..routing import parse_id
from .models import LoginSession, User

COOKIE_KEY = "civic_login"


def _hash(key):
    return hashlib.sha256(key.encode()).hexdigest()


def _current_hash():
    key = session.get(COOKIE_KEY)
    return _hash(key) if isinstance(key, str) else None


def log_in(user):
    """A fresh cookie session (nothing from before the log-in survives it: no session fixation)."""
    session.clear()
    key = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, key_hash=_hash(key)))
    user.last_active_at = utcnow()  # what keeps an account from being erased for inactivity
    db.session.flush()
    session[COOKIE_KEY] = key
    login_user(user)


def log_out():
    """End this browser's session on the server too, and forget everything the cookie held."""
    key_hash = _current_hash()
    if key_hash is not None:
        db.session.execute(delete(LoginSession).where(LoginSession.key_hash == key_hash))
    logout_user()
    session.clear()


def end_all_sessions(user):
    """After a password change or reset, or a role change: nobody stays logged in to this account."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


# Built once: every logged-in request runs it, and building the statement cost as much as running it.
_LOGGED_IN_USER = (
    select(User).join(LoginSession, LoginSession.user_id == User.id)
    .where(User.id == bindparam("ident"), LoginSession.key_hash == bindparam("key_hash"),
           LoginSession.created_at > bindparam("oldest"))
)


def load_user(user_id):
    """Flask-Login's user loader: the account, if this browser's session still exists on the server."""
    key_hash, ident = _current_hash(), parse_id(user_id)
    if key_hash is None or ident is None:
        return None
    oldest = utcnow() - timedelta(seconds=current_app.config["LOGIN_SESSION_MAX_AGE"])
    return db.session.execute(_LOGGED_IN_USER, {"ident": ident, "key_hash": key_hash, "oldest": oldest}
                              ).scalar_one_or_none()


@job("expired log-ins removed")
def purge_expired():
    """Remove rows past LOGIN_SESSION_MAX_AGE (they log nobody in); returns how many."""
    oldest = utcnow() - timedelta(seconds=current_app.config["LOGIN_SESSION_MAX_AGE"])
    return db.session.execute(delete(LoginSession).where(LoginSession.created_at <= oldest)).rowcount
