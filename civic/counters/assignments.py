"""Counters and the agents who work there."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import Role
from ..accounts.models import User
from ..domain import DomainError
from ..extensions import db
from ..pagination import keyset_page
from .models import Counter, CounterAssignment

COUNTERS_PER_PAGE = 20
NOT_ASSIGNED = _l("You are not assigned to this counter: choose one of your counters.")
NO_COUNTER = _l("Choose the counter where you work today.")


def all_counters(with_agents=False):
    statement = select(Counter).order_by(Counter.name)
    if with_agents:
        statement = statement.options(selectinload(Counter.agents))
    return db.session.execute(statement).scalars().all()


def open_counters():
    """The counters open to the public: where and when residents can get help."""
    return select(Counter).where(Counter.active)


def open_counters_page(page=1, after=None, before=None):
    """A page of the open counters, by name."""
    return keyset_page(open_counters().add_columns(Counter.name, Counter.id), (Counter.name, Counter.id),
                       page=page, per_page=COUNTERS_PER_PAGE, after=after, before=before)


def agent_counters(agent):
    return db.session.execute(
        select(Counter).join(CounterAssignment, CounterAssignment.counter_id == Counter.id)
        .where(CounterAssignment.agent_id == agent.id, Counter.active).order_by(Counter.name)
    ).scalars().all()


def is_assigned(agent, counter):
    return counter is not None and counter.active and db.session.get(CounterAssignment, (counter.id, agent.id)) is not None


def require_assigned(agent, counter):
    """An agent acts only at an open counter they work at."""
    if counter is None:
        raise DomainError(NO_COUNTER)
    if not is_assigned(agent, counter):
        raise DomainError(NOT_ASSIGNED, field="counter")


def counter_agents():
    return db.session.execute(
        select(User).where(User.role == Role.COUNTER_AGENT, User.active).order_by(User.display_name)
    ).scalars().all()
