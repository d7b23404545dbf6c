"""Absolute links, always built from the configured public address (CIVIC_PUBLIC_URL).

Never from the request: its Host header is whatever the sender typed, and a reset link built
from it would carry a resident's token to evil.example. The same address serves e-mails,
downloads, data packages, unsubscribe headers and receipts, in a request or in a command.
"""
from urllib.parse import quote, urlsplit

from flask import current_app, g, url_for


def public_url(endpoint, _anchor=None, **values):
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{quote(_anchor)}" if _anchor else url


# A number no page of ours shows: where a row's number goes in the address of its kind.
_SLOT = 987654321987


def row_url(endpoint, name, number):
    """``url_for(endpoint, **{name: number})`` for pages that link to many rows of one kind (a journal, a log):
    the address is built once per request and kind, then each row's number put in it (Werkzeug takes some
    10 µs per address, half of a row's cost)."""
    addresses = g.setdefault("row_addresses", {})
    parts = addresses.get((endpoint, name))
    if parts is None:
        parts = addresses[(endpoint, name)] = url_for(endpoint, **{name: _SLOT}).split(str(_SLOT))
    return str(number).join(parts)
