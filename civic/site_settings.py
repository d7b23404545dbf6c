"""The settings admins change in the interface (moderation mode, report threshold, the collectivité's identity
and legal pages): one row per key.

Settings of the server itself are environment variables (config.py); these are the ones a
collectivité changes while Civic runs, kept in the database so every worker reads the same.
"""
from sqlalchemy import String, Text, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .transaction import unique_insert


class Setting(db.Model):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    # Text: a legal page or an SVG logo is a setting too (their forms limit their length).
    value: Mapped[str] = mapped_column(Text)


def get(key, default):
    row = db.session.get(Setting, key)
    return row.value if row else default


def get_many(keys):
    """{key: value} of those of ``keys`` that are set, in one query."""
    return dict(db.session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(list(keys)))).all())


def put(key, value, conflict):
    """Store ``value`` under ``key``; ``conflict`` (a DomainError) when another request created the key
    at the same moment."""
    row = db.session.get(Setting, key)
    if row is None:
        with unique_insert(conflict):
            db.session.add(Setting(key=key, value=value))
    else:
        row.value = value


def remove(key):
    """Back to the default: the key is no longer set."""
    db.session.execute(delete(Setting).where(Setting.key == key))


def put_unless_since(key, value, since):
    """Store ``value`` under ``key`` unless the stored value is ``since`` or later, and say whether this call
    stored it. Values compare as strings: ISO dates in UTC written with one ``timespec`` do.

    For "once a day whatever the number of processes": one statement decides, so of two transactions at
    once only one stores. The second waits for the first's commit (on the row it updates, or on the key's
    UNIQUE index when there is no row yet) and then finds the value already recent; on SQLite writers
    take turns anyway."""
    stored = db.session.execute(update(Setting).where(Setting.key == key, Setting.value < since)
                                .values(value=value)).rowcount
    if stored:
        return True
    if db.session.execute(select(Setting.key).where(Setting.key == key)).first() is not None:
        return False
    with unique_insert() as insert:
        db.session.add(Setting(key=key, value=value))
    return not insert.duplicate
