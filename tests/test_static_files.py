"""Static files under content-hashed names (civic.static_files): kept a year by browsers, plain names still served."""
import gzip
import hashlib
from pathlib import Path

import brotli
import pytest

from civic import static_files
from tests.client import Page

STYLESHEET = Path(__file__).resolve().parents[1] / "static" / "css" / "civic.css"
DIGEST = hashlib.sha256(STYLESHEET.read_bytes()).hexdigest()[:static_files.HASH_LENGTH]


def test_pages_link_the_stylesheet_by_its_content(client_request):
    link = client_request.get("main.home").select_one('link[rel="stylesheet"]')["href"]
    assert link == f"/static/css/civic.{DIGEST}.css"


def test_the_hashed_name_is_kept_a_year(client, ctx):
    response = client.get(f"/static/css/civic.{DIGEST}.css")
    assert response.status_code == 200 and response.data == STYLESHEET.read_bytes()
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.mimetype == "text/css"


def test_the_plain_name_still_works_and_is_checked_again(client, ctx):
    response = client.get("/static/css/civic.css")
    assert response.status_code == 200 and response.data == STYLESHEET.read_bytes()
    assert response.headers["Cache-Control"] == "no-cache"
    again = client.get("/static/css/civic.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_an_old_version_gets_the_current_file_not_for_long(client, ctx):
    response = client.get("/static/css/civic.0123456789ab.css")
    assert response.status_code == 200 and response.data == STYLESHEET.read_bytes()
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/static/css/nothing.css", f"/static/css/nothing.{DIGEST}.css", "/static/"])
def test_a_missing_file_is_civics_404(client, ctx, path):
    response = client.get(path)
    assert response.status_code == 404 and Page(response).h1 == "Page introuvable"


@pytest.mark.parametrize("accept, encoding, decode", [
    ("gzip, deflate, br", "br", brotli.decompress),
    ("gzip", "gzip", gzip.decompress),
])
def test_compressed_once_as_well_as_possible(client, ctx, accept, encoding, decode):
    response = client.get(f"/static/css/civic.{DIGEST}.css", headers={"Accept-Encoding": accept})
    assert response.headers["Content-Encoding"] == encoding and response.vary.as_set() == {"accept-encoding"}
    assert decode(response.data) == STYLESHEET.read_bytes()
    # At the highest levels, smaller than a page's compression level gives.
    assert len(response.data) < len(gzip.compress(STYLESHEET.read_bytes(), 6))
    again = client.get(f"/static/css/civic.{DIGEST}.css",
                       headers={"Accept-Encoding": accept, "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_no_session_cookie_on_static_files(client, login_as):
    """Flask would add Vary: Cookie, and browsers would fetch the file again whenever the cookie changed."""
    login_as()
    assert "cookie" in client.get("/account").vary.as_set()  # pages do vary with it
    response = client.get(f"/static/css/civic.{DIGEST}.css")
    assert "Set-Cookie" not in response.headers and "cookie" not in response.vary.as_set()


def test_hashed_names_keep_their_folder_and_extension():
    asset = static_files.Asset(b"", "0123456789ab", "text/css")
    assert asset.hashed_name("css/civic.css") == "css/civic.0123456789ab.css"
    assert asset.hashed_name("print.min.css") == "print.min.0123456789ab.css"
    assert asset.hashed_name("LICENSE") == "LICENSE"
