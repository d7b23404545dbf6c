"""No consent banner is needed while the site sets only strictly necessary cookies: the demo site is crawled
anonymous and as a resident, a counter agent and an admin (logging in, switching the language, following
every link), and no answer ever sets a cookie that the personal-data page does not list; the page lists
exactly the cookies the site sets."""
from collections import deque
from http.cookies import SimpleCookie
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from civic.demo import DEMO_PASSWORD
from civic.legal.pages import cookies
from tests.client import Page
from tests.conftest import demo_app_for_this_module

ROLES = {"anonymous": None, "resident": "resident@example.org", "counter agent": "agent@example.org",
         "admin": "admin@example.org"}
SKIPPED = ("/logout", "/static/", "/logo/")
PER_ENDPOINT = 2
MAX_PAGES = 120
app = demo_app_for_this_module()


def _set_cookies(response):
    names = set()
    for header in response.headers.getlist("Set-Cookie"):
        names.update(SimpleCookie(header).keys())
    return names


def _crawl(app, client):
    """The names of the cookies set while following the links of the site from its home page."""
    set_, seen, per_endpoint, queue = set(), {"/"}, {}, deque(["/"])
    adapter = app.url_map.bind("civic.test")
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        set_ |= _set_cookies(response)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for link in BeautifulSoup(response.data, "html.parser").select("a[href]"):
            parts = urlsplit(urljoin(path, link["href"].split("#")[0]))
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.netloc not in ("", "civic.test") or target in seen or any(s in target for s in SKIPPED):
                continue
            try:
                endpoint = adapter.match(parts.path, method="GET")[0]
            except Exception:  # not a page of the site, or a POST-only address
                continue
            if per_endpoint.get(endpoint, 0) < PER_ENDPOINT:
                per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
                seen.add(target)
                queue.append(target)
    return set_


@pytest.mark.parametrize("role", ROLES)
def test_no_cookie_but_the_listed_ones_is_ever_set(app, client, ctx, role):
    listed = {cookie.name for cookie in cookies()}
    found = set()
    if ROLES[role]:
        response = client.post_form("/login", {"email": ROLES[role], "password": DEMO_PASSWORD})
        assert response.status_code == 302
        found |= _set_cookies(response)
    found |= _set_cookies(client.get("/lang/en?next=/"))
    found |= _crawl(app, client)
    found |= _set_cookies(client.get("/lang/fr?next=/"))
    assert found <= listed, f"cookies not listed on the personal-data page: {found - listed}"
    # Each listed cookie is one the site really sets: the list does not keep one the code dropped.
    assert found == listed


def test_the_personal_data_page_lists_exactly_those_cookies(client, ctx):
    page = Page(client.get("/personal-data"))
    listed = [row.select_one("td code").get_text() for row in page.select("#cookies + p + table tbody tr")]
    assert sorted(listed) == sorted(cookie.name for cookie in cookies())
    assert all(row.select("td")[1].get_text().strip() for row in page.select("#cookies + p + table tbody tr"))
