"""Column types shared by the models."""
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, event
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from .text import normalize_for_search


def utcnow():
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite drops the zone, PostgreSQL keeps it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column_type(enum_cls, length=24):
    """Store an Enum as its value in a VARCHAR guarded by a CHECK constraint (portable, readable)."""
    from sqlalchemy import Enum

    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        name=enum_cls.__name__.lower(),
    )


def render_item(type_, obj, autogen_context):
    """Write our column types into migrations as the plain SQLAlchemy types they store (migrations
    never import the app): UTCDateTime as sa.DateTime(timezone=True), and so on."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def name_key(name):
    """What makes two names the same name: case, accents and spacing aside ("Écoles" is "ecoles ")."""
    return normalize_for_search(name)


class UniquelyNamed:
    """A model whose ``name`` is unique whatever its case, accents and spacing. The database decides,
    on ``name_key``, kept from the name on every write: two administrators creating "Parcs" and
    "parcs" at the same moment make one."""

    name_key: Mapped[str] = mapped_column(String(160), unique=True)


@event.listens_for(UniquelyNamed, "before_insert", propagate=True)
@event.listens_for(UniquelyNamed, "before_update", propagate=True)
def _keep_name_key(_mapper, _connection, target):
    target.name_key = name_key(target.name)
