"""The audit log of assisted actions: appended as agents act, read by admins and by each resident.

Every row names the action, the agent, the counter and the resident, and what it is about (a
vote names the decision, never the ballot); an entry that gives the resident a receipt also
carries its follow-up code (civic.codes: read aloud and typed back).
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import targets
from ..codes import random_code, typed_code
from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..log_queries import newest_first
from ..transaction import unique_insert
from .models import AssistedAction, Channel

FOLLOW_UP_LENGTH = 8


def log(kind, *, session=None, agent=None, counter=None, resident=None, about=None, follow_up=False):
    """Append one row. ``about``: what the action is about (an object of a registered target type)."""
    action = AssistedAction(
        kind=kind, session_id=session.id if session else None,
        agent_id=session.agent_id if session else agent.id if agent else None,
        counter_id=session.counter_id if session else counter.id if counter else None,
        resident_id=session.resident_id if session else resident.id,
        object_type=targets.type_of(about) if about is not None else None,
        object_id=about.id if about is not None else None, created_at=utcnow(),
    )
    for _attempt in range(5):  # two receipts may draw the same code: draw again
        action.follow_up_code = random_code(FOLLOW_UP_LENGTH) if follow_up else None
        with unique_insert() as insert:
            db.session.add(action)
        if not insert.duplicate:
            return action
    raise DomainError(_l("The receipt could not be recorded. Try again."))


def record(session, kind, *, entered=None, about=None):
    """What an agent entered for the resident of ``session``: ``entered`` (a proposal, a support, a
    participation...) is marked as entered at the counter, and the audit row about ``about`` (what
    ``entered`` belongs to, itself by default) gets the follow-up code of the receipt."""
    if entered is not None:
        entered.channel, entered.assisted_by_id, entered.counter_id = (Channel.COUNTER, session.agent_id,
                                                                       session.counter_id)
    return log(kind, session=session, about=about if about is not None else entered, follow_up=True)


def action_by_code(code):
    code = typed_code(code)
    if not code:
        return None
    return db.session.execute(select(AssistedAction).where(AssistedAction.follow_up_code == code)).scalar()


def audit_entries(*, counter_id=None, agent_id=None, resident_id=None, kind=None, since=None, until=None, **page):
    """A page of the log, newest first (``page``: civic.log_queries.newest_first's)."""
    return newest_first(AssistedAction, since, until, counter_id=counter_id, agent_id=agent_id,
                        resident_id=resident_id, kind=kind, **page,
                        eager=(joinedload(AssistedAction.counter), joinedload(AssistedAction.agent),
                               joinedload(AssistedAction.resident)))

