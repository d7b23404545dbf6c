"""The browser checks abort every request that leaves the site (tests/browser/site.py): the pattern they give
Playwright says what same_origin says, and is one Playwright's driver matches itself (a function would be asked
about every request of every page by the test's process)."""
import re

import pytest

from tests.browser.crawling import leaving_the_site, same_origin

ORIGIN = "http://127.0.0.1:5123"
URLS = ["http://127.0.0.1:5123/", "http://127.0.0.1:5123", "http://127.0.0.1:5123/decisions/4?tab=1#vote",
        "http://127.0.0.1:5123?x=1", "http://127.0.0.1:51234/", "http://127.0.0.1:512/", "https://127.0.0.1:5123/",
        "http://127.0.0.1:5123.example.org/", "http://localhost:5123/", "https://cdn.example.org/axe.js",
        "ws://127.0.0.1:5123/socket", "wss://example.org/", "http://127.0.0.1:5123@example.org/",
        "data:text/html,x", "blob:http://127.0.0.1:5123/1", "about:blank"]


@pytest.mark.parametrize("url", URLS)
def test_the_route_aborts_exactly_what_leaves_the_site(url):
    leaves = url.startswith(("http:", "https:", "ws:", "wss:")) and not same_origin(url, ORIGIN)
    assert bool(leaving_the_site(ORIGIN).match(url)) == leaves


def test_the_route_is_a_pattern_playwright_s_driver_matches():
    assert isinstance(leaving_the_site(ORIGIN), re.Pattern)
