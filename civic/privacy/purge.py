"""Applying the retention rules (privacy.retention): `flask purge`, daily from a systemd timer, and a clock job
for the sites that have none.

One transaction per rule: a rule that fails (a table added since that refers to what it removes, a
lock that does not come) rolls back alone, and the others still remove what is past its time; the
command then says which one failed and ends with exit status 1, for the timer's log to show.
"""
import logging
import time
from dataclasses import dataclass

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from ..db_types import utcnow
from ..extensions import db
from ..jobs import job
from ..transaction import lock_for_write
from .retention import rules

log = logging.getLogger("civic.purge")
# The clock job purges at most this often in a process: a purge is a few indexed DELETEs, and the
# shortest duration is a day.
CLOCK_INTERVAL_SECONDS = 24 * 60 * 60
_last_clock_purge = [float("-inf")]


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


def purge_all(dry_run=False):
    """Apply every rule, each in its own transaction (see the module); returns [Outcome]."""
    lock_for_write()
    now, outcomes = utcnow(), []
    for rule in rules():
        try:
            count = apply(rule, now, dry_run)
            db.session.commit()
        except SQLAlchemyError as error:
            db.session.rollback()
            log.exception("Retention rule %s failed", rule.key)
            outcomes.append(Outcome(rule, None, f"{type(error).__name__}: {error}".splitlines()[0]))
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
    """For a site without the timer: the clock jobs run every minute, the purge once a day in each process. In
    the jobs' transaction (run_jobs commits), as every job."""
    if time.monotonic() - _last_clock_purge[0] < CLOCK_INTERVAL_SECONDS:
        return 0
    _last_clock_purge[0] = time.monotonic()
    now = utcnow()
    return sum(apply(rule, now) for rule in rules())
