"""Responses compressed by the app (civic.compression): what is compressed, how, and what is left alone."""
import gzip
import zlib

import brotli
import pytest
from flask import Flask, Response
from flask import request as http_request
from flask.testing import FlaskClient

from civic import compression
from tests.client import Page
from tests.factories import make_proposal

TEXT = ("Des bancs place du marché, pour se reposer à l'ombre des platanes. " * 40).encode()


def decoded(response):
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.data)
    if encoding == "gzip":
        return gzip.decompress(response.data)
    assert encoding is None, encoding
    return response.data


def page(app, path, **headers):
    """The response as the server sends it (the suite's client reads pages uncompressed), in a context of its own."""
    with app.app_context():
        return FlaskClient(app, app.response_class).get(path, headers=headers)


@pytest.fixture
def small_app(request):
    """A bare app with only the compression hook, serving the kinds of response Civic may send."""
    app = Flask(__name__)
    app.config["COMPRESS_RESPONSES"] = getattr(request, "param", True)
    compression.init_app(app)
    closed = []

    @app.route("/text")
    def text():
        return Response(TEXT, mimetype=http_request.args.get("type", "text/plain"))

    @app.route("/tiny")
    def tiny():
        return Response(TEXT[:compression.MIN_SIZE - 1], mimetype="text/html")

    @app.route("/image")
    def image():
        return Response(TEXT, mimetype="image/png")

    @app.route("/encoded")
    def encoded():
        return Response(gzip.compress(TEXT, mtime=0), mimetype="text/csv", headers={"Content-Encoding": "gzip"})

    @app.route("/no-transform")
    def no_transform():
        return Response(TEXT, mimetype="text/csv", headers={"Cache-Control": "no-transform"})

    @app.route("/stream")
    def stream():
        class Rows:
            def __iter__(self):
                for index in range(500):
                    yield f"{index};Des bancs place du marché\n"

            def close(self):
                closed.append(True)

        return Response(Rows(), mimetype="text/csv")

    @app.route("/download")
    def download():
        response = Response(TEXT, mimetype="text/csv", headers={"Accept-Ranges": "bytes"})
        response.set_etag("sha256-of-the-file")
        return response.make_conditional(http_request)

    app.closed = closed
    return app


@pytest.mark.parametrize("accept, encoding", [
    ("gzip, deflate, br, zstd", "gzip"),     # what browsers send: a page made whole is gzipped, cheaper to make
    ("gzip, deflate", "gzip"),
    ("br", "br"),
    ("gzip;q=0.5, br", "br"),                # the browser's preference counts
    ("br;q=0.5, gzip", "gzip"),
    ("*", "gzip"),
    ("identity", None),
    ("br;q=0, gzip;q=0", None),
    ("", None),
])
def test_the_browser_chooses_the_encoding(small_app, accept, encoding):
    response = small_app.test_client().get("/text", headers={"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.vary
    assert decoded(response) == TEXT
    assert int(response.headers["Content-Length"]) == len(response.data)
    if encoding:
        assert len(response.data) < len(TEXT) / 5


@pytest.mark.parametrize("path, body, encoding", [
    ("/tiny", TEXT[:compression.MIN_SIZE - 1], None),   # fits in a packet anyway
    ("/image", TEXT, None),                              # not text: already compressed, or does not shrink
    ("/encoded", gzip.compress(TEXT, mtime=0), "gzip"),  # the view encoded it itself
    ("/no-transform", TEXT, None),                       # Cache-Control says so
])
def test_what_is_left_alone(small_app, path, body, encoding):
    response = small_app.test_client().get(path, headers={"Accept-Encoding": "gzip, br"})
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" not in response.vary
    assert response.data == body


@pytest.mark.parametrize("mimetype", ["application/json", "text/csv", "image/svg+xml", "application/vnd.api+json"])
def test_text_types_are_compressed(small_app, mimetype):
    response = small_app.test_client().get("/text", query_string={"type": mimetype},
                                           headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip" and decoded(response) == TEXT


@pytest.mark.parametrize("accept, encoding", [("br", "br"), ("gzip", "gzip"),
                                              ("gzip, deflate, br", "br")])  # a stream is worth brotli's setup
def test_a_stream_stays_a_stream(small_app, accept, encoding):
    response = small_app.test_client().get("/stream", headers={"Accept-Encoding": accept}, buffered=False)
    assert response.is_streamed and "Content-Length" not in response.headers
    assert response.headers["Content-Encoding"] == encoding
    chunks = list(response.response)
    response.close()
    expected = "".join(f"{index};Des bancs place du marché\n" for index in range(500)).encode()
    assert decoded(Response(b"".join(chunks), headers={"Content-Encoding": encoding})) == expected
    assert small_app.closed == [True]  # the rows' iterable was released


def test_a_download_keeps_its_conditional_answer(small_app):
    client = small_app.test_client()
    response = client.get("/download", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip" and decoded(response) == TEXT
    # The compressed bytes are not the ones the ETag names: it becomes weak, and offers no byte ranges.
    assert response.headers["ETag"] == 'W/"sha256-of-the-file"' and "Accept-Ranges" not in response.headers
    again = client.get("/download", headers={"Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    plain = client.get("/download")
    assert plain.headers["ETag"] == '"sha256-of-the-file"' and plain.data == TEXT


@pytest.mark.parametrize("small_app", [False], indirect=True)
def test_left_to_the_reverse_proxy(small_app):
    """CIVIC_COMPRESS_RESPONSES=false: the proxy compresses (README)."""
    response = small_app.test_client().get("/text", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in response.headers and response.data == TEXT


@pytest.mark.parametrize("fetch_site, cookie, compressed", [
    ("cross-site", True, False),   # another site made a logged-in browser load the page: maybe BREACH
    ("same-site", True, False),
    ("cross-site", False, True),   # no cookie: no secret of anyone's in the page
    ("same-origin", True, True),
    ("none", True, True),          # typed, or a bookmark
    (None, True, True),            # a browser that does not say
])
def test_not_compressed_for_another_site_holding_the_cookie(small_app, fetch_site, cookie, compressed):
    client = small_app.test_client()
    if cookie:
        client.set_cookie("session", "someone's session")
    headers = {"Accept-Encoding": "gzip", **({"Sec-Fetch-Site": fetch_site} if fetch_site else {})}
    response = client.get("/text", headers=headers)
    assert (response.headers.get("Content-Encoding") == "gzip") is compressed
    assert decoded(response) == TEXT


def test_compress_matches_the_formats():
    assert gzip.decompress(compression.compress(TEXT, "gzip")) == TEXT
    assert zlib.decompress(compression.compress(TEXT, "gzip"), 31) == TEXT
    assert brotli.decompress(compression.compress(TEXT, "br")) == TEXT


def test_civic_pages_are_compressed(app, ctx):
    for index in range(12):
        make_proposal(title=f"Des bancs place du marché, numéro {index}")
    plain = page(app, "/proposals/")
    compressed = page(app, "/proposals/", **{"Accept-Encoding": "gzip, deflate, br"})
    assert compressed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed.vary
    assert decoded(compressed) == plain.data
    assert len(compressed.data) < len(plain.data) / 3
    # Error pages too: the 404 page is big enough to gain.
    missing = page(app, "/proposals/999999", **{"Accept-Encoding": "gzip"})
    assert missing.status_code == 404 and missing.headers["Content-Encoding"] == "gzip"
    assert Page(Response(decoded(missing), mimetype="text/html")).h1 == "Page introuvable"


def test_redirects_are_not_compressed(app, ctx):
    response = page(app, "/lang/en?next=/", **{"Accept-Encoding": "gzip, br"})
    assert response.status_code == 302 and "Content-Encoding" not in response.headers
