"""Fixtures of the real-browser checks: the demo site as a real server, Debian's chromium.

Everything here is session-wide: one server (flask run on a seeded SQLite database in a
temporary directory), one browser, one `Site` that caches each crawl for every test
that needs it. None of them uses the in-process test app of tests/conftest.py. The whole directory carries the `browser` marker, so
`pytest -m "not browser"` leaves it out.
"""
from pathlib import Path

import pytest

from .crawling import LiveServer

HERE = Path(__file__).resolve().parent
_sites = []


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("civic-live"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from .site import BROWSER_ARGS, CHROMIUM, require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site(browser, live_server, tmp_path_factory):
    from .site import Site

    site = Site(live_server, browser, tmp_path_factory.mktemp("civic-site"))
    _sites.append(site)
    return site


def pytest_terminal_summary(terminalreporter):
    """How much of the site the crawls covered, and the heaviest pages."""
    if not _sites:
        return
    site = _sites[0]
    crawls = site.crawls()
    if not crawls:
        return
    terminalreporter.section("browser crawl")
    for crawl in crawls:
        terminalreporter.write_line(crawl.summary())
    total_pages = sum(len(c.pages) for c in crawls)
    total_forms = sum(len(c.form_errors) for c in crawls)
    terminalreporter.write_line(f"{total_pages} pages and {total_forms} form error states checked; "
                                f"{len(site.saved)} HTML files for the Nu HTML checker")
