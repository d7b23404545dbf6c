"""Log-in sessions kept on the server, so that a copied cookie dies with the log-out.

The signed cookie carries a random key; the server keeps its SHA-256 in ``login_session``,
one row per browser. A request is logged in only while its row exists and is younger than
LOGIN_SESSION_MAX_AGE. Log-out deletes the row of this browser; a password change, a reset
and a role change delete all of the account's rows (the browser that changed the password is
then logged in afresh, under a new key). Flask-Login keeps the account id in the cookie beside
the key.

A resident's reading request (GET, HEAD: most of the pages; transaction.SAFE_METHODS) is given an Account, the columns of their
row as the log-in check read them, rather than a User: the ORM object cost a fifth of what a resident's
page costs beyond a visitor's, and such a request neither changes the account nor relates anything to it.
Every other request (a form posted, a staff member's pages, which open jobs and sessions in their name)
is given the User, made from the same row.
"""
import hashlib
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app, request, session
from flask_login import UserMixin, login_user, logout_user
from sqlalchemy import bindparam, delete, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..access import Role
from ..db_types import utcnow
from ..extensions import db
from ..jobs import job
from ..routing import parse_id
from ..transaction import SAFE_METHODS
from .models import AccountReads, District, LoginSession, User

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


class Account(AccountReads, UserMixin):
    """A logged-in resident as a reading request sees them (see the module): what a User answers from its columns,
    read-only. Equal to their User (Flask-Login compares accounts by id), though not the same key in a set or a dict
    (hashed as objects, as Users are)."""

    def __init__(self, row):
        self.__dict__.update(row._mapping)

    def __setattr__(self, name, value):
        raise AttributeError(f"a reading request does not change the account ({name})")

    @property
    def district(self):
        # As User.district's lazy load reads it: by its key, from the session's identity map when it holds it.
        return None if self.district_id is None else db.session.get(District, self.district_id)

    def __repr__(self):
        return f"<Account {self.id} {self.role.value}>"


@cache
def _logged_in_row():
    """Every column of the account (named as User's attributes), joined to this browser's log-in: built once, at
    the first request (the mappers are complete by then), as building it cost as much as running it."""
    columns = [prop.columns[0].label(prop.key) for prop in sa_inspect(User).column_attrs]
    return (select(*columns).join(LoginSession, LoginSession.user_id == User.id)
            .where(User.id == bindparam("ident"), LoginSession.key_hash == bindparam("key_hash"),
                   LoginSession.created_at > bindparam("oldest")))


def _user(row):
    """The User of ``row``, persistent in the request's session as if the ORM had loaded it (the row holds every
    column): no second statement for the requests that need the object. The session's own, if it holds it already
    (a second copy could not be added to it)."""
    held = db.session.identity_map.get(User.__mapper__.identity_key_from_primary_key((row.id,)))
    if held is not None:
        return held
    user = User.__mapper__.class_manager.new_instance()
    for key, value in row._mapping.items():
        set_committed_value(user, key, value)
    make_transient_to_detached(user)
    db.session.add(user)
    return user


def load_user(user_id):
    """Flask-Login's user loader: the account, if this browser's session still exists on the server."""
    key_hash, ident = _current_hash(), parse_id(user_id)
    if key_hash is None or ident is None:
        return None
    oldest = utcnow() - timedelta(seconds=current_app.config["LOGIN_SESSION_MAX_AGE"])
    row = db.session.connection().execute(_logged_in_row(), {"ident": ident, "key_hash": key_hash,
                                                             "oldest": oldest}).one_or_none()
    if row is None:
        return None
    if row.role is Role.RESIDENT and request.method in SAFE_METHODS:
        return Account(row)
    return _user(row)


@job("expired log-ins removed")
def purge_expired():
    """Remove rows past LOGIN_SESSION_MAX_AGE (they log nobody in); returns how many."""
    oldest = utcnow() - timedelta(seconds=current_app.config["LOGIN_SESSION_MAX_AGE"])
    return db.session.execute(delete(LoginSession).where(LoginSession.created_at <= oldest)).rowcount
