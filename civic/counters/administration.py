"""Admins create counters and assign agents; an agent taken off a counter stops acting there at once."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import staff_log
from ..access import Role
from ..accounts.models import User
from ..db_types import name_key
from ..domain import DomainError
from ..extensions import db
from ..targets import TargetType
from ..transaction import unique_insert
from .assignments import is_assigned
from .models import AssistedSession, Counter, SessionEnd
from .sessions import end_session


def save_counter(counter, *, name, address, opening_hours, receipt_layout, active, agent_ids, by):
    """Create or change a counter; agents taken off it (or all, when it closes) stop acting there at once."""
    name = name.strip()
    taken = DomainError(_l("A counter already has this name."), field="name")
    clash = db.session.execute(select(Counter.id).where(Counter.name_key == name_key(name))).scalar()
    if clash is not None and (counter is None or clash != counter.id):
        raise taken
    agents = [db.session.get(User, a) for a in agent_ids]
    if any(a is None or a.role is not Role.COUNTER_AGENT for a in agents):
        raise DomainError(_l("Only counter agents can be assigned to a counter."), field="agents")
    before = _assignment_state(counter)
    with unique_insert(taken, column="counter.name_key"):
        if counter is None:
            counter = Counter()
            db.session.add(counter)
        counter.name, counter.address, counter.opening_hours = name, address.strip(), opening_hours.strip()
        counter.receipt_layout, counter.active = receipt_layout, active
        counter.agents = agents
    for session in db.session.execute(select(AssistedSession).where(
            AssistedSession.counter_id == counter.id, AssistedSession.ended_at.is_(None))).scalars():
        if not is_assigned(session.agent, counter):
            end_session(session, SessionEnd.WITHDRAWN)
    after = _assignment_state(counter)
    if after != before:
        staff_log.record(by, "role", "counter_agents", TargetType.COUNTER, counter.id, before, after)
    return counter


COUNTER_CREATED = _l("Counter n° %(n)s created")
COUNTER_CHANGED = _l("Counter n° %(n)s changed")
COUNTER_AGENTS_CHANGED = _l("Agents of counter n° %(n)s changed")
COUNTER_AND_AGENTS_CHANGED = _l("Counter n° %(n)s and its agents changed")


def _counter_sentence(before, after):
    """The staff log knows from the entry whether the counter was created and which part of it changed."""
    if not before:
        return COUNTER_CREATED
    agents = before.get("agents") != after.get("agents")
    counter = any(before.get(key) != after.get(key) for key in set(before) | set(after) if key != "agents")
    if agents and counter:
        return COUNTER_AND_AGENTS_CHANGED
    return COUNTER_AGENTS_CHANGED if agents else COUNTER_CHANGED


staff_log.describe("role", "counter_agents", _counter_sentence)
staff_log.describe_fields(TargetType.COUNTER, "role", {
    "counter": staff_log.Field(_l("Counter")),
    "active": staff_log.Field(_l("Open (agents can work here)")),
    "agents": staff_log.Field(_l("Agents")),
})


def _assignment_state(counter):
    """Who may act for residents at a counter: what the staff log keeps of each change."""
    if counter is None:
        return {}
    return {"counter": counter.name, "active": counter.active,
            "agents": sorted(f"{a.display_name} (n° {a.id})" for a in counter.agents)}
