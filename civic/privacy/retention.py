"""How long personal data is kept: one rule per kind of record, registered by the package that owns it.

A rule says what it removes (``label``), why that long (``why``, the CNIL's guidance it follows),
how many days by default, and the function that removes what is older (``purge(cutoff)``; it
flushes and returns how many records went). The setting ``RETENTION_DAYS`` (config.py) overrides
the default of any rule by its key. `flask purge` applies them all; the personal-data page lists
them, so what the site says is what it does.
"""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete

from ..extensions import db
from ..registry import Registry


@dataclass(frozen=True)
class Rule:
    key: str
    label: object  # what goes, e.g. _l("Registrations never confirmed")
    why: object  # why that long, for the personal-data page and the README
    default_days: int
    purge: object  # (cutoff: datetime) -> int

    @property
    def days(self):
        return int(current_app.config["RETENTION_DAYS"].get(self.key, self.default_days))

    @property
    def duration(self):
        return timedelta(days=self.days)


_rules = Registry("retention rule")


def retention_rule(rule):
    return _rules.add(rule.key, rule)


def rules():
    return sorted(_rules.values(), key=lambda r: r.key)


def remove(model, *conditions):
    """DELETE the ``model`` rows where ``conditions`` hold, flushed; returns how many went (what a rule's
    purge returns)."""
    removed = db.session.execute(delete(model).where(*conditions)).rowcount
    db.session.flush()
    return removed
