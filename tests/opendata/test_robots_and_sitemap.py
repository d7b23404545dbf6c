"""robots.txt keeps crawlers out of people's areas and names sitemap.xml; sitemap.xml lists every public page and
every public proposal, decision, process and project follow-up, absolute from the public address, all answering 200 to anybody, and
becomes an index of parts beyond the protocol's limit."""
from urllib.robotparser import RobotFileParser
from xml.etree import ElementTree

import pytest

from civic.accounts.models import Role
from civic.opendata import sitemap
from civic.proposals.models import ProposalState
from tests.decisions.helpers import make_decision
from tests.factories import make_proposal
from tests.followup.test_followup import make_record
from tests.opendata.helpers import local_path
from tests.processes.helpers import make_process

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
PRIVATE = ("/admin/", "/desk", "/moderation/", "/account", "/login", "/register", "/account/data")


@pytest.fixture
def records(ctx):
    public = [make_proposal(state=ProposalState.PUBLISHED), make_proposal(state=ProposalState.WITHDRAWN)]
    hidden = [make_proposal(state=ProposalState.PENDING), make_proposal(state=ProposalState.HIDDEN),
              make_proposal(state=ProposalState.PUBLISHED, held_by_reports=True)]
    announced = make_decision()
    draft = make_decision(state="draft")
    return public, hidden, announced, draft


def _robots(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    parser = RobotFileParser()
    parser.parse(response.get_data(as_text=True).splitlines())
    return parser, response.get_data(as_text=True)


def _locations(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.get_data())
    return root.tag.split("}")[1], [loc.text for loc in root.iterfind("*/s:loc", NS)]


def test_robots_keeps_crawlers_out_of_private_areas_and_names_the_sitemap(app, client, ctx):
    parser, text = _robots(client)
    base = app.config["PUBLIC_URL"]
    for path in PRIVATE:
        assert not parser.can_fetch("*", base + path), path
    for path in ("/", "/proposals/", "/donnees", "/moderation/journal", "/donnees/themes.csv"):
        assert parser.can_fetch("*", base + path), path
    assert "Disallow: /donnees/civic-donnees.zip" in text
    assert parser.site_maps() == [f"{base}/sitemap.xml"]


def test_the_sitemap_lists_public_pages_and_records_all_reachable_by_anybody(app, client, records):
    public, hidden, announced, draft = records
    kind, urls = _locations(client, "/sitemap.xml")
    assert kind == "urlset" and len(urls) == len(set(urls))
    assert all(url.startswith(app.config["PUBLIC_URL"] + "/") for url in urls)
    paths = {local_path(url) for url in urls}
    assert {"/", "/proposals/", "/decisions/", "/donnees", "/legal-notice"} <= paths
    assert {f"/proposals/{p.id}" for p in public} | {f"/decisions/{announced.id}"} <= paths
    assert not {f"/proposals/{p.id}" for p in hidden} & paths and f"/decisions/{draft.id}" not in paths
    parser, _text = _robots(client)
    for url in urls:
        assert client.get(local_path(url)).status_code == 200, url
        assert parser.can_fetch("*", url), url
    assert not paths & set(PRIVATE)


def test_the_sitemap_ignores_the_host_header(app, client, records):
    _kind, urls = _locations(client, "/sitemap.xml")
    again = client.get("/sitemap.xml", headers={"Host": "evil.example"})
    assert "evil.example" not in again.get_data(as_text=True) and urls


def test_beyond_the_limit_the_sitemap_is_an_index_of_parts(app, client, records, monkeypatch):
    monkeypatch.setattr(sitemap, "LIMIT", 2)
    whole = []
    kind, parts = _locations(client, "/sitemap.xml")
    assert kind == "sitemapindex"
    for part in parts:
        part_kind, urls = _locations(client, local_path(part))
        # The site map's pages are a few dozen, in one part; records are LIMIT to a part.
        assert part_kind == "urlset" and 0 < len(urls) and (part.endswith("/pages-1.xml") or len(urls) <= 2)
        whole += urls
    monkeypatch.setattr(sitemap, "LIMIT", 50_000)
    assert sorted(whole) == sorted(_locations(client, "/sitemap.xml")[1])
    for missing in ("/sitemap/proposals-9.xml", "/sitemap/nothing-1.xml", "/sitemap/pages-2.xml"):
        assert client.get(missing).status_code == 404


def test_a_logged_in_visitor_gets_the_same_public_sitemap(app, client, login_as, records):
    anonymous = _locations(client, "/sitemap.xml")
    login_as(Role.ADMIN)
    assert _locations(client, "/sitemap.xml") == anonymous


def test_the_sitemap_lists_every_process_and_project_follow_up(client, records):
    processes = [make_process(title="Budget participatif 2027"), make_process(current=None, title="À venir")]
    record = make_record()
    _kind, urls = _locations(client, "/sitemap.xml")
    paths = {local_path(url) for url in urls}
    expected = {f"/processus/{p.id}" for p in processes} | {f"/realisations/{record.id}"}
    assert expected <= paths
    for path in expected:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("path", ["/robots.txt", "/sitemap.xml", "/sitemap/pages-1.xml"])
def test_crawlers_may_keep_them_an_hour_and_get_304_for_the_version_they_have(client, records, path):
    response = client.get(path)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "public, max-age=3600"
    again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.data and "Set-Cookie" not in again.headers
