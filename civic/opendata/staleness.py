"""When the stored files publish what the pages no longer show: a comment deleted by its author, hidden or held
by moderation, a proposal hidden, an account erased. The datasets declare what can withdraw one of their
records (``Dataset.withdrawn_by``); a session event notices such a change in a flush or in an UPDATE or
DELETE statement and, in the same transaction, marks the open data out of date since then (the setting
``STALE_SINCE``). The clock job (civic.opendata.snapshots) then refreshes every dataset, rather than waiting
for the day, and records which mark its snapshot saw (``REFRESHED_MARK``): a change flushed before a refresh
began but committed after it read the records leaves a mark that refresh did not see, and the next run refreshes
again. (Comparing times could not tell: a mark is written at the flush, before its commit.)

The mark is written on rare events only: the datasets watch no attribute that supporting, voting or
commenting change, so that the setting's row does not become one that every participant writes.
"""
from sqlalchemy import event, inspect, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..db_types import utcnow
from .. import site_settings
from ..site_settings import Setting
from . import datasets as registry

STALE_SINCE = "opendata.stale_since"
REFRESHED_MARK = "opendata.refreshed_mark"


def _watched():
    """({model: {attribute and column keys}}, (models whose deletions count,)) of every dataset."""
    attributes, deletions = {}, set()
    for dataset in registry.datasets():
        for watched in dataset.withdrawn_by:
            if isinstance(watched, type):
                deletions.add(watched)
            else:
                keys = attributes.setdefault(watched.class_, set())
                keys.add(watched.key)
                keys.update(column.key for column in watched.property.columns)
    return attributes, tuple(deletions)


def stamp(moment):
    # One timespec for every stamp: they compare as strings (site_settings.put_unless_since).
    return moment.isoformat(timespec="microseconds")


def _mark(session):
    """Out of date since now: one upsert, so that two moderators at once do not collide on the key."""
    connection = session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    value = stamp(utcnow())
    connection.execute(insert(Setting).values(key=STALE_SINCE, value=value)
                       .on_conflict_do_update(index_elements=[Setting.key], set_={"value": value}))


def _changes_watched(obj, attributes):
    keys = next((keys for model, keys in attributes.items() if isinstance(obj, model)), None)
    if not keys:
        return False
    state = inspect(obj)
    return any(state.attrs[key].history.has_changes() for key in keys if key in state.attrs)


@event.listens_for(Session, "before_flush")
def _notice_flush(session, _context, _instances):
    attributes, deletions = _watched()
    if (any(isinstance(obj, deletions) for obj in session.deleted)
            or any(_changes_watched(obj, attributes) for obj in session.dirty)):
        _mark(session)


def _set_keys(statement):
    """The keys an UPDATE statement sets: attribute names, column names or columns, as it was written."""
    values = dict(statement._values or {}) or dict(statement._ordered_values or ())  # noqa: SLF001 - no public accessor
    return {getattr(key, "key", key) for key in values}


@event.listens_for(Session, "do_orm_execute")
def _notice_statement(state):
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    model = state.bind_mapper.class_
    attributes, deletions = _watched()
    if state.is_delete:
        if issubclass(model, deletions):
            _mark(state.session)
        return
    keys = next((keys for watched, keys in attributes.items() if issubclass(model, watched)), None)
    if keys and keys & _set_keys(state.statement):
        _mark(state.session)


def out_of_date(settings):
    """Whether something was withdrawn that no refresh has seen (``settings``: the two keys' stored values)."""
    return settings.get(STALE_SINCE) not in (None, settings.get(REFRESHED_MARK))


def seen(settings):
    """Record that this refresh's snapshot saw the mark it read (in ``settings``), if any."""
    if settings.get(STALE_SINCE) is not None:
        site_settings.put(REFRESHED_MARK, settings[STALE_SINCE], conflict=None)
