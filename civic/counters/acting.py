"""Which resident an agent is acting for, request by request.

Loaded before every request from the agent's open assisted session (ended on the spot
after 15 minutes without activity). ``civic.access.can`` asks ``acting_as`` for the
resident actions an agent may take on someone's behalf, and views ask ``actor()`` for
the person who authors what is entered.
"""
from flask import flash, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.models import Role
from ..transaction import commit_bookkeeping, lock_for_write
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
    from . import services

    if services.open_session_of(current_user) is None:
        return
    # Every request of a session ends it or records activity: a write, even on a GET.
    lock_for_write()
    session = services.open_session_of(current_user)
    if session is None:
        return
    if not services.is_assigned(current_user, session.counter):
        # save_counter ends these sessions; this catches any change made outside it.
        services.end_session(session, SessionEnd.WITHDRAWN)
        commit_bookkeeping()
        flash(_l("The assisted session ended: you no longer work at this counter. You are back on your own "
                 "account."), "info")
        return
    if services.expire_if_idle(session):
        commit_bookkeeping()
        flash(_l("The assisted session ended after 15 minutes without activity. You are back on your own "
                 "account."), "info")
        return
    services.touch(session)
    commit_bookkeeping()
    g.assisted_session = session


def init_app(app):
    app.before_request(_load_session)


def record_if_assisted(obj, *, object_type, object_id, kind=None):
    """In an assisted session: mark ``obj`` as entered at the counter and log it; returns the receipt's
    audit row (or None online). Call before committing, so both are saved together."""
    session = assisted_session()
    if session is None:
        return None
    from . import services

    return services.record(session, obj, object_type=object_type, object_id=object_id, kind=kind)


def receipt_redirect(action):
    from flask import redirect, url_for

    return redirect(url_for("counters.receipt", action_id=action.id))


def end_assisted_session(reason):
    """End the current agent's open session (log-out)."""
    session = assisted_session()
    if session is not None:
        from . import services

        services.end_session(session, reason)
        g.assisted_session = None
