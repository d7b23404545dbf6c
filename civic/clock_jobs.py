"""Work that a date triggers rather than an action: a vote opening tells its followers.

`flask notify` runs it (from cron or a systemd timer, see the README). So that a site without
either still tells them, it also runs at most once a minute per process in a thread started
once a request has been answered: never inside a request, whose transaction is the person's.
Tests switch that thread off (CLOCK_JOBS_AFTER_REQUESTS) and call the job themselves.
"""
import logging
import threading
import time

from .accounts.sessions import purge_expired as purge_expired_sessions
from .errors import log_background_failure
from .extensions import db
from .following.services import notify_opened_votes
from .mail import deliver_pending
from .transaction import lock_for_write

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 60

_lock = threading.Lock()
_last_run = [float("-inf")]


def run_clock_jobs():
    """Tell followers about votes that opened, then send what that queued; returns (opened, sent, failed)."""
    lock_for_write()  # it reads the decisions it then marks as announced
    opened = notify_opened_votes()
    purge_expired_sessions()
    db.session.commit()
    sent, failed = deliver_pending()
    return opened, sent, failed


def _run_in_thread(app):
    with app.app_context():
        try:
            run_clock_jobs()
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
