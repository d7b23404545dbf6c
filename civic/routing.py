"""Numbers in URLs and query strings, kept within what the database columns can hold."""
from flask import request
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


def init_app(app):
    app.url_map.converters["int"] = BoundedIntConverter
