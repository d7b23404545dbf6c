"""Work that time triggers rather than a person: a vote opening tells its followers, old log-ins expire.

Each package registers its jobs beside the function (``@job``); ``run_jobs`` runs them all,
then sends the mail they queued. `flask notify` runs it, from cron or a systemd timer (see the
README). So that a site without either still runs them, each process also starts them at
most once a minute, in a thread started once a request has been answered: never inside a
request, whose transaction is the person's. Tests switch that thread off
(CLOCK_JOBS_AFTER_REQUESTS) and call ``run_jobs`` themselves.
"""
import threading
import time

from .errors import log_background_failure
from .extensions import db
from .mail import deliver_pending
from .registry import Registry
from .transaction import lock_for_write

INTERVAL_SECONDS = 60

_jobs = Registry("job")
_alone = set()  # the names of the jobs that run in a transaction of their own
_lock = threading.Lock()
_last_run = [float("-inf")]


def job(name, alone=False):
    """Register ``function()`` (it returns how many things it did) as the job ``name``. ``alone``: a long job
    that runs after the others committed, in a transaction of its own, so that it holds none of their locks
    while it runs and its failure (logged; its count is None) undoes nothing of theirs."""

    def decorate(function):
        if alone:
            _alone.add(name)
        return _jobs.add(name, function)

    return decorate


def jobs():
    return dict(_jobs)


def run_jobs():
    """Run every job in one transaction, then each of those that run alone in its own, then send what they
    queued; returns ({job: count}, sent, failed)."""
    lock_for_write()  # the jobs read what they then change (a vote marked as announced)
    counts = {name: function() for name, function in sorted(_jobs.items()) if name not in _alone}
    db.session.commit()
    for name in sorted(_alone):
        counts[name] = _run_alone(name, _jobs[name])
    sent, failed = deliver_pending()
    return counts, sent, failed


def _run_alone(name, function):
    try:
        count = function()
        db.session.commit()
    except Exception as error:  # noqa: BLE001 - the other jobs committed; the next run tries this one again
        db.session.rollback()
        log_background_failure(error, f"Clock job {name!r}")
        return None
    return count


def _run_in_thread(app):
    with app.app_context():
        try:
            run_jobs()
        except Exception as error:  # noqa: BLE001 - nobody waits for this thread; the next run tries again
            log_background_failure(error, "Clock jobs")
        finally:
            db.session.remove()


def _due():
    with _lock:
        if time.monotonic() - _last_run[0] < INTERVAL_SECONDS:
            return False
        _last_run[0] = time.monotonic()
        return True


def init_app(app):
    if not app.config["CLOCK_JOBS_AFTER_REQUESTS"]:
        return

    @app.teardown_request
    def _start_when_due(_exc):
        if _due():
            threading.Thread(target=_run_in_thread, args=(app,), name="civic-clock", daemon=True).start()
