"""Absolute links, always built from the configured public address (CIVIC_PUBLIC_URL).

Never from the request: its Host header is whatever the sender typed, and a reset link built
from it would carry a resident's token to evil.example. The same address serves e-mails,
downloads, data packages, unsubscribe headers and receipts, in a request or in a command.
"""
from urllib.parse import quote, urlsplit

from flask import current_app


def public_url(endpoint, _anchor=None, **values):
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{quote(_anchor)}" if _anchor else url
