"""NUL characters never reach a view.

No person types one (at most it comes with pasted text), PostgreSQL cannot store or even
compare text holding one, and SQLite would store it silently. Handling it once here keeps
both databases alike and spares every form and query a check of its own:
- in a submitted form it is removed, so what the person typed is saved as they see it;
- in an address (path or query string) nothing was typed: the request is refused.

Sizes are refused before anything is read: a body over MAX_CONTENT_LENGTH, a multipart form of
more than MAX_FORM_PARTS parts (Werkzeug), and here an url-encoded form of more fields than that:
no page of Civic has a tenth of it, so such a form was not sent by a person.
"""
from flask import abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict

from .errors import render_error

NUL = "\x00"


def _carries_nul(pairs):
    return any(NUL in key or NUL in str(value) for key, value in pairs)


def init_app(app):
    @app.before_request
    def guard_input():
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
