"""Error pages in the site's layout and language; never a stack trace.

A database that does not answer (stopped, restarting, or SQLite busy past its timeout) gives
Civic's own 503 page with Retry-After: nothing was saved, try again in a moment. The outage is
logged once when it starts and once when the database answers again, not on every request;
the connection pool checks connections before use, so Civic recovers without a restart.
"""
import logging
import threading
import time

from flask import g, has_request_context, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, SecurityError

from .domain import DomainError
from .extensions import db, login_manager
from .i18n import current_language
from .registry import Registry
from .transaction import refuse

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Request not understood"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to see this page or do this action.")),
    404: (_l("Page not found"), _l("This page does not exist or is no longer available. Check the address.")),
    405: (_l("Action not allowed"), _l("This action cannot be done this way.")),
    409: (_l("Not saved"), _l("Someone changed the same thing at the same moment, so nothing was saved. Go back, "
                              "reload the page and try again.")),
    413: (_l("Too much data"), _l("What you sent is too large. Nothing was saved: go back and shorten it.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error happened on our side. Nothing you typed is your fault. Try again in a few minutes.")),
    503: (_l("Service briefly unavailable"), _l("The site cannot save or show this right now. Nothing was lost of "
                                                 "what was already saved. Try again in a moment.")),
}

RETRY_AFTER_SECONDS = 30


# Parts of the site read by programs, not people (the API): {path prefix: respond(code, title, message) -> response}.
_formats = Registry("error format of")


def answer_errors_under(prefix, respond):
    """Every error of a request whose path starts with ``prefix`` (a refusal, a missing page, a limit reached, a
    database down) is answered by ``respond(code, title, message)`` instead of the error page: a program reading
    JSON would choke on HTML."""
    _formats.add(prefix, respond)


def render_error(code, title=None, message=None):
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    title, message = title or default_title, message or default_message
    if has_request_context():
        for prefix, respond in _formats.items():
            if request.path.startswith(prefix):
                return respond(code, title, message), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


class _Outage:
    """When the database stopped answering, so that an outage is logged once, not per request."""

    def __init__(self):
        self._lock = threading.Lock()
        self.since = None

    def started(self, error):
        with self._lock:
            first, self.since = self.since is None, self.since or time.monotonic()
        if first:
            log.error("Database unavailable: %s", getattr(error, "orig", error))

    def ended(self):
        with self._lock:
            since, self.since = self.since, None
        if since is not None:
            log.warning("Database available again after %.0f s", time.monotonic() - since)


outage = _Outage()


def _page_without_database(code):
    """The error page, drawn without touching the database: the person is shown as logged out
    and without an assisted session for this page only (templates would otherwise load them)."""
    g._login_user = login_manager.anonymous_user()
    g.assisted_session = None
    try:
        body, status = render_error(code)
    except SQLAlchemyError:
        body, status = f"<!doctype html><title>{MESSAGES[code][0]}</title><p>{MESSAGES[code][1]}</p>", code
    response = make_response(body, status)
    if code == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def database_failure_response(error):
    """The page for a database error, raised by a view or by the end-of-request commit; the
    transaction is rolled back already. Two requests that changed the same thing at once (a
    constraint no service checked, a deadlock, a serialization failure) get 409 "try again";
    a database that does not answer gets 503 without being asked anything more."""
    if _is_conflict(error):
        log.warning("Conflicting changes, nothing saved: %s", getattr(error, "orig", error))
        return make_response(*render_error(409))
    if isinstance(error, PoolTimeout) or (isinstance(error, DBAPIError) and _is_unavailable(error)):
        outage.started(error)
        return _page_without_database(503)
    log.error("Database error", exc_info=error)
    return _page_without_database(500)


def log_background_failure(error, what):
    """A thread's work failed (the clock jobs, mail delivery): while the database does not answer, say so
    once for the whole outage, as requests do, rather than a stack trace every minute."""
    if isinstance(error, PoolTimeout) or (isinstance(error, DBAPIError) and _is_unavailable(error)):
        outage.started(error)
    else:
        log.error("%s failed", what, exc_info=error)


def commit_failure_response(error):
    """What the person sees when the end-of-request commit fails (see civic.transaction)."""
    if isinstance(error, (DBAPIError, PoolTimeout, StaleDataError)):
        return database_failure_response(error)
    return make_response(*render_error(500))


def init_app(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            _l("Form expired"),
            _l("This form expired or was sent from another page, so nothing was saved. Go back, reload the page and send it again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        code = error.code or 500
        return render_error(code if code in MESSAGES else 400 if code < 500 else 500)

    @app.errorhandler(SecurityError)
    def unknown_host(error):
        """A Host header that is not this site's (production's TRUSTED_HOSTS). No link can be built
        for a host Civic does not serve, so the page is bare."""
        title, message = _l("Address not valid"), _l("This site is not served at this address.")
        return (f'<!doctype html><html lang="{current_language()}"><meta charset="utf-8">'
                f"<title>{escape(title)}</title><h1>{escape(title)}</h1><p>{escape(message)}</p></html>", 400)

    @app.errorhandler(DomainError)
    def refusal(error):
        """A refusal no view turned into a form error: say it, and keep nothing of the request."""
        refuse()
        return render_error(409, _l("Not possible"), error.message)

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    @app.errorhandler(StaleDataError)
    def database_error(error):
        db.session.rollback()
        return database_failure_response(error)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        log.exception("Unhandled error")
        db.session.rollback()
        return render_error(500)

    with app.app_context():
        # A connection handed out (after its ping) means the database answers again; a page that
        # needed none (a file, a redirect) says nothing about it.
        event.listen(db.engine, "checkout", lambda *_args: outage.since is not None and outage.ended())


def _is_conflict(error):
    # A row another request changed or deleted under an ORM update (StaleDataError); PostgreSQL: 40P01
    # deadlock detected, 40001 serialization failure.
    return isinstance(error, (IntegrityError, StaleDataError)) or getattr(getattr(error, "orig", None), "sqlstate", None) in (
        "40P01", "40001")


def _is_unavailable(error):
    """The database did not answer (connection refused or lost, server shutting down, SQLite busy),
    as opposed to a statement it refused, which is a bug to see in the log."""
    if error.connection_invalidated or isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    text = str(error.orig).lower()
    return any(sign in text for sign in (
        "database is locked", "connection", "server closed", "terminating", "shutting down", "could not connect",
        "starting up", "recovery", "timeout", "timed out"))
