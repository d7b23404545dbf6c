"""Static files under content-hashed names, kept by browsers for a year; their plain names still work.

At start, every file of static/ is read once (a few small files: the stylesheet): its SHA-256
names it, and ``url_for('static', filename='css/civic.css')`` gives
``/static/css/civic.<12 hex digits>.css``. That address never changes its content, so it is
sent with ``Cache-Control: public, max-age=31536000, immutable``: a returning visitor's browser
asks for nothing, and a new version of the file comes under a new name. The plain name (links
from outside, an old page) answers the same file with ``no-cache``: browsers check it again
(ETag, 304). A hashed name of a version no longer served answers the current file, not for long.

Text files are also compressed once, as well as brotli and gzip can (the stylesheet counts in
the 14 KB of a first visit), and served in the encoding the browser takes. A file changed while
the app runs is seen at the next start, as a deployment does. A static file's response never
carries the session cookie nor ``Vary: Cookie``.
"""
import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path

import brotli
from flask import abort, g, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

from .compression import ENCODINGS, compressible_type

HASH_LENGTH = 12
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_EXTENSION = re.compile(r"^(?P<stem>.*[^/])(?P<suffix>\.[^./]+)$")
_HASHED_NAME = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{HASH_LENGTH}}})(?P<suffix>\.[^./]+)$")


@dataclass
class Asset:
    body: bytes
    digest: str
    mimetype: str
    encoded: dict = field(default_factory=dict)  # encoding -> body

    def hashed_name(self, name):
        """css/civic.css -> css/civic.<digest>.css; a name without an extension is left as it is."""
        match = _EXTENSION.match(name)
        return f"{match['stem']}.{self.digest}{match['suffix']}" if match else name


def _load(folder):
    assets = {}
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file():
            continue
        body = path.read_bytes()
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        asset = Asset(body, hashlib.sha256(body).hexdigest()[:HASH_LENGTH], mimetype)
        if compressible_type(mimetype):
            # Deflate's level 9 is not always its smallest (its lazy matching can lose a byte on some inputs):
            # done once, the levels a page might use are all tried.
            smallest_gzip = min((gzip.compress(body, level, mtime=0) for level in (9, 8, 7, 6)), key=len)
            asset.encoded = {"br": brotli.compress(body, quality=11), "gzip": smallest_gzip}
        assets[path.relative_to(folder).as_posix()] = asset
    return assets


def _resolve(assets, filename):
    """(asset, whether the name is the current hashed one) for a requested name, or (None, False)."""
    if filename in assets:
        return assets[filename], False
    match = _HASHED_NAME.match(filename)
    if match is None:
        return None, False
    asset = assets.get(match["stem"] + match["suffix"])
    return asset, asset is not None and asset.digest == match["digest"]


def _serve(asset, immutable):
    encoding = request.accept_encodings.best_match([e for e in ENCODINGS if e in asset.encoded])
    body = asset.encoded[encoding] if encoding else asset.body
    response = Response(body, mimetype=asset.mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    if asset.encoded:
        response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
    response.set_etag(asset.digest + (f"-{encoding}" if encoding else ""))
    return response.make_conditional(request)


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's cookie sessions, never saved on a static file's response nor on one that ``without_cookie`` marked
    (published files, the API, the feeds): other hooks look at the session on every response, and Flask would
    then add ``Vary: Cookie``, which makes browsers and caches fetch the file again whenever the cookie
    changes (a log-in, a message shown once)."""

    def __init__(self):
        self._serializers = {}  # {(key, fallbacks): serializer}

    def get_signing_serializer(self, app):
        """Flask's, made once per secret key (and fallbacks) rather than for each request's cookie read and written:
        what it holds never changes with the request."""
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer

    def save_session(self, app, session, response):
        if request.endpoint != "static" and not g.get("civic_without_cookie"):
            super().save_session(app, session, response)


def without_cookie():
    """This request's answer, like a static file's, carries no session cookie nor ``Vary: Cookie``: what programs
    read (the API, the feeds) is the same for everybody, and a shared cache may keep it."""
    g.civic_without_cookie = True


def init_app(app):
    assets = _load(app.static_folder)
    app.session_interface = _SessionInterface()

    def static(filename):
        asset, immutable = _resolve(assets, filename)
        if asset is None:
            abort(404)
        return _serve(asset, immutable)

    @app.url_defaults
    def hashed_static_name(endpoint, values):
        if endpoint == "static":
            asset = assets.get(values.get("filename"))
            if asset is not None:
                values["filename"] = asset.hashed_name(values["filename"])

    app.view_functions["static"] = static
