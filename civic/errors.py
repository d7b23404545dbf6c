"""Error pages in the site's layout and language; never a stack trace."""
import logging

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Request not understood"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to see this page or do this action.")),
    404: (_l("Page not found"), _l("This page does not exist or is no longer available. Check the address.")),
    405: (_l("Action not allowed"), _l("This action cannot be done this way.")),
    413: (_l("Too much data"), _l("What you sent is too large.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error happened on our side. Nothing you typed is your fault. Try again in a few minutes.")),
}


def render_error(code, title=None, message=None):
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    return (
        render_template("errors/error.html", code=code, title=title or default_title, message=message or default_message),
        code,
    )


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

    @app.errorhandler(Exception)
    def unexpected_error(error):
        log.exception("Unhandled error")
        from .extensions import db

        db.session.rollback()
        return render_error(500)
