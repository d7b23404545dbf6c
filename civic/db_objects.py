"""Database objects the models cannot describe: full-text indexes, triggers that keep counts.

Their owner creates them twice, in the same words: by DDL events when the schema is made from
the models (db.create_all(), the tests), and in a migration. Alembic's comparison of the
models with a database (autogenerate, tests/test_migrations.py) leaves the tables and indexes
named here alone, where it would otherwise take them for leftovers to drop.
"""
from sqlalchemy import DDL, event

_names = set()


def unmodelled(*names):
    """Declare tables and indexes that exist in the database but not in the models."""
    _names.update(names)


def include_name(name, type_, _parent_names):
    """Alembic's include_name hook: everything except the objects declared above."""
    return not (type_ in ("table", "index") and name in _names)


def create_with(table, dialect, *statements):
    """Run ``statements`` (SQL text) on ``dialect`` right after ``table`` is created from the models."""
    for statement in statements:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))


def drop_with(table, dialect, *statements):
    """Run ``statements`` on ``dialect`` right before ``table`` is dropped (drop_all)."""
    for statement in statements:
        event.listen(table, "before_drop", DDL(statement).execute_if(dialect=dialect))
