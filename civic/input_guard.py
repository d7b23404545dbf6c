"""NUL characters never reach a view.

No person types one (at most it comes with pasted text), PostgreSQL cannot store or even
compare text holding one, and SQLite would store it silently. Handling it once here keeps
both databases alike and spares every form and query a check of its own:
- in a submitted form it is removed, so what the person typed is saved as they see it;
- in an address (path or query string) nothing was typed: the request is refused.

Sizes are refused before anything is read: a body over MAX_CONTENT_LENGTH, a multipart form of
more than MAX_FORM_PARTS parts (Werkzeug), and here an url-encoded form of more fields than that:
no page of Civic has a tenth of it, so such a form was not sent by a person. A body sent without
Content-Length (chunked) is read here up to the limit first: Werkzeug would silently cut it at
the limit and go on with what it read, a form saved without the end of what was typed.
"""
import io

from flask import abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict

from .errors import render_error

NUL = "\x00"


def _carries_nul(pairs):
    return any(NUL in key or NUL in str(value) for key, value in pairs)


class _StreamedBodyLimit:
    """WSGI middleware: a body without Content-Length is read (up to the limit and one byte) and handed on
    with its length, or marked too large for the 413 page."""

    def __init__(self, wsgi_app, limit):
        self.wsgi_app = wsgi_app
        self.limit = limit

    def __call__(self, environ, start_response):
        streamed = not environ.get("CONTENT_LENGTH") or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if streamed and environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read(self.limit + 1)
            if len(body) > self.limit:
                environ["civic.body_too_large"] = True
                body = b""
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return self.wsgi_app(environ, start_response)


def init_app(app):
    app.wsgi_app = _StreamedBodyLimit(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])

    @app.before_request
    def guard_input():
        if request.environ.get("civic.body_too_large"):
            abort(413)
        if _carries_nul(request.args.items(multi=True)) or _carries_nul((request.view_args or {}).items()):
            return render_error(
                400,
                _l("Address not valid"),
                _l("This address contains a character that is not accepted. Check the address or go back to the previous page."),
            )
        if request.method in ("GET", "HEAD"):
            return None
        fields = request.form.items(multi=True)
        if sum(1 for _ in fields) > app.config["MAX_FORM_PARTS"]:
            abort(413)
        if _carries_nul(request.form.items(multi=True)):
            request.form = ImmutableMultiDict(
                [(key.replace(NUL, ""), value.replace(NUL, "")) for key, value in request.form.items(multi=True)]
            )
        return None
