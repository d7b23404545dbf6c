"""Responses compressed by the app: brotli when the browser takes it, else gzip.

Pages and downloads are text that shrinks three to ten times, and a page's first visit must fit
the first round trip (14 KB). Compressing here needs nothing of the server in front; a reverse proxy
may do it instead (README, "Compression and caching", with CIVIC_COMPRESS_RESPONSES=false).

- A page (a body made whole) is compressed with gzip 6 when the browser takes gzip as gladly as
  brotli: on a page of 3 to 30 KB gzip takes about 0.05 ms, brotli 5 two to four times as much
  (most of it setting up its window and tables, whatever the size), for 5 to 7 % fewer bytes; the
  page budget is measured with gzip 6 anyway. A stream (a download) is compressed with brotli first:
  over a large body its setup is nothing and its bytes are fewer.

- The browser's Accept-Encoding decides, q-values included; ``Vary: Accept-Encoding`` goes with
  every response that could have been compressed, so that a shared cache keeps one per encoding.
- Left as they are: bodies under MIN_SIZE (they fit in one packet anyway), types that are already
  compressed or not text (images, archives), responses already encoded, partial content,
  ``Cache-Control: no-transform``, and statuses without a body.
- A streamed response stays streamed: its chunks are compressed as they come.
- A strong ETag becomes weak: the compressed bytes differ from the ones it names, and a
  conditional request compares weakly (``If-None-Match`` still gets its 304).
- Byte ranges are not offered on a compressed response (they would count compressed bytes).

Compression and secrets (BREACH): every page reflects what its address says (the language links
carry it back), and some pages hold a secret (the CSRF token, codes on a receipt). An attacker's
site that makes a logged-in browser load such a page many times, with guesses in the address,
and watches the compressed sizes, learns the secret byte by byte. So:
- the CSRF token is masked afresh in every response (civic.csrf);
- a response to a request sent from another site (``Sec-Fetch-Site: cross-site`` or
  ``same-site``, which every current browser sends) that carries the session cookie is not
  compressed: that is the only way such an attack reaches a page holding someone's secrets
  (``SameSite=Lax`` keeps the cookie off other sites' images and scripts, not off navigations).
  Someone following a link from elsewhere gets that one page uncompressed.
"""
import zlib

import brotli
from flask import current_app, request

# Below this, compressing saves less than a packet.
MIN_SIZE = 1024
# Preferred first when the browser accepts both equally: for streams and files made once (static_files), and for
# pages made whole on each request (see the module).
ENCODINGS = ("br", "gzip")
PAGE_ENCODINGS = ("gzip", "br")
GZIP_LEVEL = 6
BROTLI_QUALITY = 5
COMPRESSIBLE_TYPES = frozenset({
    "application/json", "application/javascript", "application/xml", "application/xhtml+xml",
    "application/ld+json", "application/manifest+json", "image/svg+xml",
})
NO_BODY_STATUSES = frozenset({204, 206, 304})
FROM_ANOTHER_SITE = frozenset({"cross-site", "same-site"})


def compressible_type(mimetype):
    return bool(mimetype) and (mimetype.startswith("text/") or mimetype in COMPRESSIBLE_TYPES
                               or mimetype.endswith(("+json", "+xml")))


def compress(data, encoding):
    """``data`` compressed whole in ``encoding`` ("br" or "gzip")."""
    if encoding == "br":
        return brotli.compress(data, quality=BROTLI_QUALITY)
    return zlib.compress(data, GZIP_LEVEL, wbits=31)  # 31: the gzip format


def _compressor(encoding):
    """(compress a chunk, finish) for a stream in ``encoding``."""
    if encoding == "br":
        stream = brotli.Compressor(quality=BROTLI_QUALITY)
        return stream.process, stream.finish
    stream = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    return stream.compress, stream.flush


def _compressed_stream(chunks, encoding):
    add, finish = _compressor(encoding)
    try:
        for chunk in chunks:
            if isinstance(chunk, str):
                chunk = chunk.encode("utf-8")
            out = add(chunk)
            if out:
                yield out
        yield finish()
    finally:
        # What the original iterable holds (a file, a database cursor) is released when the server
        # closes this stream, finished or not.
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def _sent_by_another_site_with_the_cookie():
    return (request.headers.get("Sec-Fetch-Site") in FROM_ANOTHER_SITE
            and current_app.config["SESSION_COOKIE_NAME"] in request.cookies)


def compress_response(response):
    """The after_request hook: ``response`` compressed for this request's browser, when worth it."""
    # The cheapest tests first: most responses are pages, and this runs for every one.
    status = response.status_code
    if status < 200 or status in NO_BODY_STATUSES or not compressible_type(response.mimetype):
        return response
    headers = response.headers
    if ("Content-Encoding" in headers or "Content-Range" in headers
            or "no-transform" in headers.get("Cache-Control", "")):
        return response
    streamed = response.is_streamed
    if not streamed and len(response.get_data()) < MIN_SIZE:
        return response
    response.vary.add("Accept-Encoding")
    encoding = request.accept_encodings.best_match(ENCODINGS if streamed else PAGE_ENCODINGS)
    if encoding is None or _sent_by_another_site_with_the_cookie():
        return response
    if streamed:
        response.response = _compressed_stream(response.response, encoding)
        response.direct_passthrough = False
        response.headers.pop("Content-Length", None)
    else:
        response.set_data(compress(response.get_data(), encoding))
    response.headers["Content-Encoding"] = encoding
    response.headers.pop("Accept-Ranges", None)
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response


def init_app(app):
    """Call it before the app's other after_request hooks are registered: Flask runs them in reverse, so
    this one runs last and compresses the response they made (an error page, their headers).
    COMPRESS_RESPONSES false leaves compression to the reverse proxy."""
    if app.config.get("COMPRESS_RESPONSES", True):
        app.after_request(compress_response)
