"""Which resident an agent is acting for, request by request.

Loaded before every request from the agent's open assisted session (ended on the spot when
idle too long; a form filled in a session that has ended is answered by counters.lapse). civic.access asks ``acting_as`` for the resident actions an agent may take on
someone's behalf (``assistable`` rules), and views ask ``actor()`` for the person who authors
what is entered.
"""
from flask import g, has_request_context, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup

from .. import access
from ..access import Role
from ..transaction import commit_bookkeeping, lock_for_write
from . import audit, lapse, sessions
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
        return None
    if current_user.role is not Role.COUNTER_AGENT:
        return None
    form_session, form_made_at = _posted_form()
    if sessions.open_session_of(current_user) is None:
        return lapse.reopen_or_show(form_session)
    # Every request of a session ends it or records activity: a write, even on a GET.
    lock_for_write()
    session = sessions.open_session_of(current_user)
    if session is None:
        return lapse.reopen_or_show(form_session)
    if not is_assigned(current_user, session.counter):
        # Saving the counter ends these sessions; this catches any change made outside it.
        sessions.end_session(session, SessionEnd.WITHDRAWN)
        commit_bookkeeping()
        return lapse.show_or_flash(form_session, session)
    typed = form_session is session and lapse.typed_in()
    if sessions.expire_if_idle(session, form_made_at=form_made_at if typed else None):
        commit_bookkeeping()
        return lapse.show_or_flash(form_session, session)
    sessions.touch(session)
    commit_bookkeeping()
    if form_session is not None and form_session.resident_id != session.resident_id:
        # A form left open from an earlier session: what it holds was meant for someone else.
        return lapse.show(form_session, current=session)
    g.assisted_session = session
    return None


def _posted_form():
    """The session a form posted now was filled in, and when its page was made: only for the forms that
    enter something for the resident (the assistable actions)."""
    if request.method != "POST" or not lapse.enters_for_resident():
        return None, None
    return sessions.form_token_session(current_user, request.form.get(sessions.FORM_TOKEN_FIELD))


def form_token_field():
    """The hidden field of the form token (counters.sessions), for every form that enters something for the
    resident; nothing outside a session."""
    session = assisted_session()
    if session is None:
        return ""
    return Markup('<input type="hidden" name="{}" value="{}">').format(sessions.FORM_TOKEN_FIELD,
                                                                     sessions.form_token(session))


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
