"""The API's blueprint, mounted at /api/v1: read-only, anonymous, the same for everybody.

Every answer is JSON, errors included (civic.errors answers them through ``_error``); none sets a cookie or starts
a session; every one may be read by a script of another site (CORS ``*``) and kept a minute by any cache, then
checked again by its ETag. The pages of a collection follow its key (keyset): the cursor is where the last one
stopped, so that the thousandth page costs the first one."""
import base64
import binascii
import json

from flask import Blueprint, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address

from .. import limits
from ..access import public
from ..errors import answer_errors_under, render_error
from ..links import public_url
from ..opendata import datasets
from ..opendata.files import json_text
from ..pagination import decode_cursor, encode_cursor
from ..routing import is_whole_number
from ..site_map import not_in_site_map
from ..static_files import without_cookie
from . import openapi

bp = Blueprint("api", __name__)

CACHE = "public, max-age=60"
BAD_LIMIT = _l("The limit must be a whole number from 1 to %(max)s.")
BAD_CURSOR = _l("This cursor was not given by this API: start again from the first page, without a cursor.")
NO_OBJECT = _l("This collection has no object with this key.")
NO_COLLECTION = _l("There is no collection at this address: the API's index lists them.")

_reads = limits.shared_per_key("API_LIMIT_PER_IP", "api", get_remote_address)


def _error(code, title, message):
    """An error of the API, as JSON that a script of another site may read."""
    without_cookie()
    response = jsonify(error={"status": code, "title": str(title), "message": str(message)})
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store"
    return response


answer_errors_under("/api/", _error)


@bp.before_request
def _read_by_programs():
    without_cookie()


@bp.after_request
def _shared(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link"
    return response


def _answer(document, in_reader_language=False):
    """``document`` as JSON, 304 when the reader holds it already (its ETag is its SHA-1)."""
    response = current_app.response_class(json.dumps(document, ensure_ascii=False), mimetype="application/json")
    response.headers["Cache-Control"] = CACHE
    if in_reader_language:
        response.vary.update(("Accept-Language", "Cookie"))  # the language chosen on the site is a cookie
    response.add_etag()
    return response.make_conditional(request)


def _served(name):
    dataset = datasets.get(name)
    return dataset if dataset is not None and dataset.api else None


def _objects(dataset, rows):
    """The rows as the dataset's JSON file writes them (dates in ISO 8601, the schema's fields in order)."""
    return json.loads("".join(json_text(dataset, rows)))


def _cursor_text(value):
    return base64.urlsafe_b64encode(encode_cursor([value]).encode()).decode().rstrip("=")


def _cursor_value(dataset, text):
    """The key a cursor holds, or None when it is not a cursor of this collection."""
    try:
        decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, ValueError):
        return None
    key = decode_cursor((dataset.key,), decoded)
    return key[0] if key is not None else None


@bp.route("/")
@public
@not_in_site_map("the API's index, read by programs (the data portal links to it)")
@_reads
def index():
    return _answer({
        "title": openapi.title(),
        "openapi": public_url("api.document"),
        "collections": [{"name": d.name, "title": str(d.title), "description": str(d.description),
                         "href": public_url("api.collection", name=d.name)} for d in openapi.served()],
    }, in_reader_language=True)


@bp.route("/openapi.json")
@public
@not_in_site_map("the API's description, read by programs")
@_reads
def document():
    return _answer(openapi.document(), in_reader_language=True)


@bp.route("/<name>")
@public
@_reads
def collection(name):
    dataset = _served(name)
    if dataset is None:
        return render_error(404, message=NO_COLLECTION)
    limit_text = request.args.get("limit")
    limit = openapi.PAGE_DEFAULT
    if limit_text is not None:
        limit = int(limit_text) if is_whole_number(limit_text) and len(limit_text) <= 4 else 0
        if not 1 <= limit <= openapi.PAGE_MAX:
            return render_error(400, message=BAD_LIMIT % {"max": openapi.PAGE_MAX})
    after = None
    if "cursor" in request.args:
        after = _cursor_value(dataset, request.args["cursor"])
        if after is None:
            return render_error(400, message=BAD_CURSOR)
    page = datasets.page(dataset, after, limit)
    following = None
    if page.after is not None:
        following = public_url("api.collection", name=name, cursor=_cursor_text(page.after),
                               **({"limit": limit} if limit_text is not None else {}))
    response = _answer({"data": _objects(dataset, page.rows), "next": following})
    if following:
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


@bp.route("/<name>/<key>")
@public
@_reads
def item(name, key):
    dataset = _served(name)
    if dataset is None or not openapi.has_items(dataset):
        return render_error(404, message=NO_COLLECTION)
    value = decode_cursor((dataset.key,), key)  # the key typed, as its column holds it; None if it cannot be one
    found = datasets.row(dataset, value[0]) if value is not None else None
    if found is None:
        return render_error(404, message=NO_OBJECT)
    return _answer(_objects(dataset, [found])[0])
