"""Numbers in URLs and query strings, kept within what the database columns can hold; addresses built once."""
from flask import Flask, request
from flask.globals import _cv_request
from werkzeug.routing import IntegerConverter

# Primary keys are 32-bit integers on PostgreSQL and SQLite refuses Python ints past 64 bits:
# a larger number in a URL is simply a page that does not exist.
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def is_whole_number(text):
    """Digits 0-9 only: str.isdigit() alone also accepts "²" or "٣", which int() then refuses."""
    return text.isascii() and text.isdigit()


def parse_id(value, default=None):
    """A whole number that can be a database id, from form or query text; else `default`."""
    value = str(value if value is not None else "").strip()
    if is_whole_number(value) and len(value) <= 10 and int(value) <= MAX_ID:
        return int(value)
    return default


def int_arg(name, default=None):
    """A whole number from the query string, or `default` when absent, malformed or out of range."""
    return parse_id(request.args.get(name), default)


# Values whose text in an address cannot change while they are kept: an object (a model row) could.
_PLAIN_VALUES = frozenset({str, int, bool, type(None)})
# Enough for every constant link of the layout and the rows of many pages; past it the memo starts again.
URL_MEMO_SIZE = 20_000
# Longer values are a visitor's own query text (a search, a page's arguments kept in its links): built each time,
# so that nobody fills a worker's memory with addresses of their making.
MEMO_VALUE_MAX = 64


class CivicFlask(Flask):
    """Flask, whose ``url_for`` remembers the addresses it built in requests. A page builds dozens (the layout's
    links alone are twenty) and Werkzeug takes some 20 µs for each; the same endpoint and values give the same
    address as long as the request is served under the same root, host and scheme, which are part of the key.
    The rules cannot change once the app serves (Flask refuses new ones), and the only url_defaults function
    (static_files: a file's hashed name) depends on the file name alone, fixed at start. Values that are not
    plain text, numbers or None are never remembered, nor anything built outside a request."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._url_memo = {}

    def url_for(self, endpoint, /, *, _anchor=None, _method=None, _scheme=None, _external=None, **values):
        req_ctx = _cv_request.get(None)
        adapter = req_ctx.url_adapter if req_ctx is not None else None
        if adapter is None or any(type(value) not in _PLAIN_VALUES
                                  or (type(value) is str and len(value) > MEMO_VALUE_MAX) for value in values.values()):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external,
                                   **values)
        if endpoint[:1] == ".":  # relative to the blueprint of this request, as Flask resolves it
            blueprint = req_ctx.request.blueprint
            endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
        # The types too: True and 1 are equal keys but not the same text in an address.
        key = (endpoint, _anchor, _method, _scheme, _external, adapter.script_name, adapter.server_name,
               adapter.url_scheme, adapter.subdomain, adapter.default_method,
               tuple((name, type(value), value) for name, value in values.items()))
        url = self._url_memo.get(key)
        if url is None:
            url = super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external,
                                  **values)
            if len(self._url_memo) >= URL_MEMO_SIZE:
                self._url_memo.clear()
            self._url_memo[key] = url
        return url


def init_app(app):
    app.url_map.converters["int"] = BoundedIntConverter
