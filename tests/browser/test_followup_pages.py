"""The follow-up's pages are in every crawl, so that the checks that read the crawls (page rules and axe in
test_crawl, the Nu checker, the page weight, the layout at 320 px) cover them: the list from the footer of every
page, a record's page from the list, and for officials the form that updates it."""
import re

import pytest

from .crawling import LANGUAGES, ROLES, path_of

pytestmark = pytest.mark.browser

RECORD = re.compile(r"/realisations/\d+")
EDIT = re.compile(r"/realisations/\d+/edit")


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_crawl_reaches_the_follow_up(site, role, lang):
    visited = {path_of(page.url) for page in site.crawl(role, lang).pages}
    assert "/realisations/" in visited
    assert any(RECORD.fullmatch(path) for path in visited), sorted(visited)
    if role == "elected":
        assert any(EDIT.fullmatch(path) for path in visited), sorted(visited)
