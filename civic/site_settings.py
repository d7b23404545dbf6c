"""The settings admins change in the interface (moderation mode, report threshold, the collectivité's identity
and legal pages): one row per key.

Settings of the server itself are environment variables (config.py); these are the ones a
collectivité changes while Civic runs, kept in the database so every worker reads the same.
"""
from sqlalchemy import String, Text, delete, select
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
