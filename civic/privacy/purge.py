"""Applying the retention rules (privacy.retention): `flask purge`, daily from a systemd timer, and a clock job
for the sites that have none.

One transaction per rule: a rule that fails (a table added since that refers to what it removes, a
lock that does not come, an account another purge erased meanwhile) rolls back alone, and the others
still remove what is past its time; the command then says which one failed and ends with exit status 1,
for the timer's log to show.

When the last purge began is kept in the database (site_settings), not in a process: `flask notify`
runs the clock jobs in a new process every few minutes, and the purge among them must still run once
a day, whichever process and however many at once.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from .. import site_settings
from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..jobs import job
from ..transaction import lock_for_write
from .retention import rules

log = logging.getLogger("civic.purge")
# The clock job purges at most this often: a purge is a few indexed DELETEs, and the shortest duration is a day.
CLOCK_INTERVAL = timedelta(days=1)
LAST_PURGE = "privacy.last_purge"


@dataclass(frozen=True)
class Outcome:
    rule: object
    count: int | None  # None: the rule failed
    error: str = ""


def apply(rule, now=None, dry_run=False):
    """Remove (or with ``dry_run`` only count) what ``rule`` keeps no longer; flushes, never commits."""
    cutoff = (now or utcnow()) - rule.duration
    if not dry_run:
        return rule.purge(cutoff)
    # The rule's own statements, undone: the count is exactly what a real purge would remove.
    savepoint = db.session.begin_nested()
    try:
        return rule.purge(cutoff)
    finally:
        savepoint.rollback()


def _stamp(moment):
    # One timespec: isoformat() drops the microseconds when they are 0, and the stamps are compared as strings.
    return moment.isoformat(timespec="microseconds")


def last_purge():
    """When the last purge began (an aware UTC datetime), None if there was none."""
    stamp = site_settings.get(LAST_PURGE, None)
    return datetime.fromisoformat(stamp) if stamp else None


def _claim(now, interval):
    """Record that a purge begins at ``now``, unless one began less than ``interval`` ago; True when this
    caller is the one to purge (site_settings.put_unless_since: of two processes at once, only one is)."""
    return site_settings.put_unless_since(LAST_PURGE, _stamp(now), _stamp(now - interval))


def _failure(error):
    # A DomainError's message is meant for people; a database error's first line says enough for the log.
    text = error.message if isinstance(error, DomainError) else error
    return f"{type(error).__name__}: {text}".splitlines()[0]


def purge_all(dry_run=False):
    """Apply every rule, each in its own transaction (see the module); returns [Outcome]. A real purge is
    recorded as the day's (the clock job then waits a day)."""
    lock_for_write()
    now, outcomes = utcnow(), []
    if not dry_run:
        _claim(now, timedelta(0))
        db.session.commit()
    for rule in rules():
        try:
            count = apply(rule, now, dry_run)
            db.session.commit()
        except (SQLAlchemyError, DomainError) as error:
            db.session.rollback()
            log.exception("Retention rule %s failed", rule.key)
            outcomes.append(Outcome(rule, None, _failure(error)))
        else:
            outcomes.append(Outcome(rule, count))
    return outcomes


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be removed, and remove nothing.")
@with_appcontext
def purge_command(dry_run):
    """Remove the personal data kept longer than its retention rule allows (for a daily timer); prints a count
    per rule."""
    failed = 0
    for outcome in purge_all(dry_run):
        rule = outcome.rule
        if outcome.count is None:
            failed += 1
            click.echo(f"{rule.key}: failed ({outcome.error})", err=True)
        else:
            done = "to remove" if dry_run else "removed"
            days = "1 day" if rule.days == 1 else f"{rule.days} days"
            click.echo(f"{rule.key}: {outcome.count} {done} (older than {days})")
    if failed:
        raise click.ClickException(f"{failed} retention rules failed (see above); the others were applied.")


@job("records past their retention removed")
def purge_daily():
    """For a site without the purge's timer: the clock jobs run every few minutes, the purge once a day (the
    last one's moment is in the database). In the jobs' transaction (run_jobs commits), as every job, but
    each rule in a savepoint: a rule that fails is undone alone and logged, and neither the other rules
    nor the other jobs lose their work."""
    now = utcnow()
    if not _claim(now, CLOCK_INTERVAL):
        return 0
    removed = 0
    for rule in rules():
        try:
            with db.session.begin_nested():
                removed += apply(rule, now)
        except (SQLAlchemyError, DomainError):
            log.exception("Retention rule %s failed", rule.key)
    return removed
