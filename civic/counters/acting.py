"""Which resident an agent is acting for, request by request.

Loaded before every request from the agent's open assisted session (ended on the spot when
idle too long). civic.access asks ``acting_as`` for the resident actions an agent may take on
someone's behalf (``assistable`` rules), and views ask ``actor()`` for the person who authors
what is entered.
"""
from flask import flash, g, has_request_context, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import access
from ..access import Role
from ..transaction import commit_bookkeeping, lock_for_write
from . import audit, sessions
from .assignments import is_assigned
from .models import SessionEnd


def assisted_session():
    return g.get("assisted_session") if has_request_context() else None


def acting_as(user):
    """The resident an agent is acting for, or the user themself."""
    session = assisted_session()
    if session is not None and user is not None and user.is_authenticated and session.agent_id == user.id:
        return session.resident
    return user


def actor():
    return acting_as(current_user)


def _load_session():
    g.assisted_session = None
    if request.endpoint in (None, "static") or not current_user.is_authenticated:
        return
    if current_user.role is not Role.COUNTER_AGENT:
        return
    if sessions.open_session_of(current_user) is None:
        return
    # Every request of a session ends it or records activity: a write, even on a GET.
    lock_for_write()
    session = sessions.open_session_of(current_user)
    if session is None:
        return
    if not is_assigned(current_user, session.counter):
        # Saving the counter ends these sessions; this catches any change made outside it.
        sessions.end_session(session, SessionEnd.WITHDRAWN)
        commit_bookkeeping()
        flash(_l("The assisted session ended: you no longer work at this counter. You are back on your own "
                 "account."), "info")
        return
    if sessions.expire_if_idle(session):
        commit_bookkeeping()
        flash(_l("The assisted session ended after %(minutes)d minutes without activity. You are back on your own "
                 "account.", minutes=sessions.idle_minutes()), "info")
        return
    sessions.touch(session)
    commit_bookkeeping()
    g.assisted_session = session


def init_app(app):
    app.before_request(_load_session)
    access.set_acting(acting_as)


def record_if_assisted(kind, *, entered=None, about=None):
    """In an assisted session: mark ``entered`` as entered at the counter and log the action about
    ``about`` (``entered`` by default); returns the receipt's audit row, or None online. Call it in the
    request that entered the thing, so both are saved together."""
    session = assisted_session()
    if session is None:
        return None
    return audit.record(session, kind, entered=entered, about=about)


def receipt_redirect(action):
    return redirect(url_for("counters.receipt", assisted_action_id=action.id))


def end_assisted_session(reason):
    """End the current agent's open session (log-out)."""
    session = assisted_session()
    if session is not None:
        sessions.end_session(session, reason)
        g.assisted_session = None
