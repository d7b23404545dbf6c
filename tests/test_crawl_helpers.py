"""What the browser checks (tests/browser/site.py) decide without a browser: which requests leave the site (aborted),
and which pages axe-core checks (Site.needs_axe: each template of each role in French, each kind of page in
English)."""
import re

import pytest

from tests.browser.crawling import leaving_the_site, same_origin, structure
from tests.browser.site import PageRecord, Site

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


CARDS = """<main class="list"><h1>{title}</h1><ul>{cards}</ul>
<form method="get"><label for="q-{n}">Chercher</label><input id="q-{n}" type="search" name="q" value="{query}"
 aria-describedby="hint-{n}"></form></main>"""


def _cards(title, n, query, count):
    return CARDS.format(title=title, n=n, query=query, cards="".join(
        f'<li class="card"><a href="/proposals/{n + i}">Proposition {n + i}</a></li>' for i in range(count)))


def test_pages_of_one_template_showing_other_records_have_one_structure():
    assert structure(_cards("Propositions", 1, "", 3)) == structure(_cards("Autres", 40, "parc", 7))


@pytest.mark.parametrize("change", [
    lambda html: html.replace('type="search"', 'type="text"'),
    lambda html: html.replace('class="card"', 'class="card withdrawn"', 1),
    lambda html: html.replace("<li ", '<li lang="en" ', 1),
    lambda html: html.replace(' aria-describedby="hint-1"', ""),
    lambda html: html.replace("<ul>", '<ul role="list">'),
    lambda html: html.replace("</main>", '<button type="submit" disabled>Voter</button></main>'),
    lambda html: html.replace("<ul>", "").replace("</ul>", "").replace("<li", "<p").replace("</li>", "</p>"),
], ids=["input type", "class", "lang", "aria attribute", "role", "another element", "other tags"])
def test_another_branch_of_a_template_is_another_structure(change):
    html = _cards("Propositions", 1, "", 3)
    assert structure(change(html)) != structure(html)


def _record(role, lang, url, html, kind="page", source=""):
    return PageRecord(role, lang, ORIGIN + url, kind, 200, html=html, source=source and ORIGIN + source)


def test_axe_checks_each_template_of_each_role_in_french_and_each_kind_of_page_in_english():
    site = Site.__new__(Site)  # needs_axe reads only what it has checked: no browser, no server
    site._axe_kinds = set()
    first, other_records = _cards("Propositions", 1, "", 3), _cards("Propositions", 9, "", 5)
    checked = [site.needs_axe(record) for record in [
        _record("resident", "fr", "/proposals/?page=1", first),
        _record("resident", "fr", "/proposals/?page=2", other_records),  # the same template: not again
        _record("admin", "fr", "/proposals/?page=2", other_records),  # another role
        _record("resident", "fr", "/proposals/?page=3", first.replace('class="card"', 'class="card withdrawn"')),
        _record("resident", "fr", "/proposals/1", first),  # another pattern
        _record("resident", "fr", "/proposals/?page=1", first, kind="form-error", source="/proposals/1"),
        _record("resident", "en", "/proposals/?page=1", first),
        _record("admin", "en", "/proposals/?page=1", first),  # English: each kind once, whoever meets it
        _record("admin", "en", "/proposals/?page=3", first.replace('class="card"', 'class="card withdrawn"')),
        _record("admin", "en", "/proposals/1", first),
        _record("admin", "en", "/proposals/1", first, kind="journey"),
        _record("admin", "fr", "/proposals/1", first, kind="journey"),  # every page of the journeys
    ]]
    assert checked == [True, False, True, True, True, True, True, False, False, True, True, True]
