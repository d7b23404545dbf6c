"""Assisted sessions: one agent acting for one resident at one counter, from opening to end.

A session ends on the agent's button, at log-out, when the agent is taken off the counter, or
after ASSISTED_SESSION_IDLE_MINUTES without activity (dated when it became idle).

Without JavaScript a page cannot tell the server that a form is being filled in: dictating a
proposal takes longer than the idle limit. So every form an agent fills for the resident carries
a *form token*, the session's number signed with the time the page was made; a form posted
within ASSISTED_SESSION_FORM_MINUTES of that time still finds its session open. The token
cannot be made younger nor moved to another session or agent, and only a page load in an open
session makes a new one: an abandoned desk stays open no longer than its last form allows.
"""
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from .. import signed
from ..access import Role
from ..db_types import utcnow
from ..decisions.models import Decision
from ..decisions.services import district_refusal, open_decisions, voted_in
from ..domain import DomainError
from ..extensions import db
from ..jobs import job
from ..transaction import unique_insert
from .assignments import require_assigned
from .audit import log
from .models import AssistedActionKind, AssistedSession, IdentityCheck, ReceiptBallotCode, SessionEnd

# The consent text shown at opening is versioned: a session records which version the resident accepted.
CONSENT_VERSION = "2026-11"


def idle_limit():
    return timedelta(minutes=current_app.config["ASSISTED_SESSION_IDLE_MINUTES"])


def idle_minutes():
    return int(idle_limit().total_seconds() // 60)


def form_limit():
    return timedelta(minutes=current_app.config["ASSISTED_SESSION_FORM_MINUTES"])


FORM_TOKEN_FIELD = "assisted_form"


def _form_tokens():
    return signed.serializer("civic-assisted-form")


def form_token(session):
    """What a form filled during ``session`` posts back in FORM_TOKEN_FIELD."""
    return _form_tokens().dumps([session.agent_id, session.id])


def form_token_session(agent, token):
    """The session of ``agent`` a form token names and when its page was made, or (None, None)."""
    # Past the longest a form keeps a session open, a token names nothing: an old form of another day
    # would otherwise offer to reopen a session for its resident without the desk's (limited) search.
    held = signed.read(_form_tokens(), token, return_timestamp=True,
                       max_age=(idle_limit() + form_limit()).total_seconds())
    if held is None:
        return None, None
    (agent_id, session_id), made_at = held
    session = db.session.get(AssistedSession, session_id) if agent_id == agent.id else None
    return (session, made_at) if session is not None and session.agent_id == agent.id else (None, None)


def open_session(agent, counter, resident, *, identity_check, consent):
    require_assigned(agent, counter)
    if resident is None or resident.merged_into_id is not None or not resident.active:
        raise DomainError(_l("Choose a resident from the list."))
    if resident.role is not Role.RESIDENT:
        raise DomainError(_l("Staff accounts cannot be helped at a counter: only residents can."))
    if identity_check not in IdentityCheck:
        raise DomainError(_l("Say how the resident's identity was checked."), field="identity_check")
    if not consent:
        raise DomainError(_l("The resident must agree before you act on their behalf."), field="consent")
    if current_session(agent) is not None:
        raise DomainError(_l("A session is already open: end it before helping someone else."))
    session = AssistedSession(agent_id=agent.id, resident_id=resident.id, counter_id=counter.id,
                              identity_check=identity_check, consent_version=CONSENT_VERSION)
    # Another tab of the same agent may open one at the same moment: the partial UNIQUE index decides.
    with unique_insert(DomainError(_l("A session is already open: end it before helping someone else."))):
        db.session.add(session)
    resident.last_active_at = utcnow()  # a visit keeps a counter record from being erased
    log(AssistedActionKind.SESSION_OPENED, session=session)
    return session


def open_session_of(agent):
    """The agent's session without an end (it may have been idle too long: see expire_if_idle)."""
    return db.session.execute(
        select(AssistedSession).where(AssistedSession.agent_id == agent.id, AssistedSession.ended_at.is_(None))
    ).scalar()


def expire_if_idle(session, now=None, form_made_at=None):
    """End a session idle too long, dated when it became idle; True when it ended. ``form_made_at``: when
    the page of a form of this session posted now was made (its form token)."""
    now = now or utcnow()
    if now - session.last_activity_at <= idle_limit():
        return False
    if form_made_at is not None and now - form_made_at <= form_limit():
        return False
    end_session(session, SessionEnd.TIMEOUT, now=session.last_activity_at + idle_limit())
    return True


def current_session(agent):
    """The agent's open session, or None; an idle one is ended on the spot."""
    session = open_session_of(agent)
    return None if session is None or expire_if_idle(session) else session


def touch(session):
    session.last_activity_at = utcnow()


@job("idle assisted sessions ended")
def end_idle_sessions():
    """Sessions left idle past the longest a form keeps them open, ended even if their agent never comes
    back to the desk: their ballot codes go with them (end_session), and the audit log says when they ended."""
    now = utcnow()
    idle = db.session.execute(select(AssistedSession).where(
        AssistedSession.ended_at.is_(None),
        AssistedSession.last_activity_at < now - idle_limit() - form_limit())).scalars().all()
    for session in idle:
        end_session(session, SessionEnd.TIMEOUT, now=session.last_activity_at + idle_limit())
    return len(idle)


def end_session(session, reason, now=None):
    session.ended_at, session.end_reason = now or utcnow(), reason
    # The receipts are printed: the ballot codes they showed are nobody's to read any more.
    db.session.execute(delete(ReceiptBallotCode).where(ReceiptBallotCode.session_id == session.id))
    log(AssistedActionKind.SESSION_ENDED, session=session)
    db.session.flush()


def open_votes(resident):
    """The votes open now as (decision, whether ``resident`` voted in it, whether its districts leave them
    out). Whether they voted is read for all the votes at once and their districts loaded with them, not a
    query per vote."""
    decisions = open_decisions()
    ids = [decision.id for decision in decisions]
    if not ids:
        return []
    db.session.execute(select(Decision).where(Decision.id.in_(ids)).options(selectinload(Decision.districts))).all()
    voted = voted_in(resident, ids)
    return [(decision, decision.id in voted, district_refusal(resident, decision) is not None)
            for decision in decisions]

