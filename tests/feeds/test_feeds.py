"""The Atom feeds: they parse (feedparser) and validate against RFC 4287's schema (tests/atom.rnc, with jing); they
hold what the public lists show and nothing else, the newest 50, with addresses from the public address, for the
same statements whatever the number of records; the pages they follow announce them."""
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from civic.accounts.models import District, Role
from civic.answers.models import Answer, AnswerStatus
from civic.db_types import utcnow
from civic.extensions import db
from civic.feeds import atom
from civic.proposals.models import ProposalState
from tests.browser.site import QUICK_JVM, java_and_vnu
from tests.decisions.helpers import make_decision
from tests.factories import login, make_proposal, make_theme, make_user
from tests.queries import recording

PUBLIC = "https://participer.civic.test"
ATOM_SCHEMA = Path(__file__).resolve().parents[1] / "atom.rnc"
FEEDS = ("/flux/propositions.atom", "/flux/reponses.atom", "/flux/votes.atom", "/flux/resultats.atom")


def _answer(proposal, text="Nous allons l’étudier.", status=AnswerStatus.UNDER_STUDY, when=None):
    official = make_user(role=Role.ELECTED)
    answer = Answer(proposal_id=proposal.id, status=status, text=text, author_id=official.id,
                    author_role=Role.ELECTED, created_at=when or utcnow(), updated_at=when or utcnow())
    db.session.add(answer)
    db.session.commit()
    return answer


@pytest.fixture
def site(ctx):
    """Public records and records nobody may see yet, of every kind a feed lists."""
    mobility, schools = make_theme(name="Mobilité"), make_theme(name="Écoles")
    north, south = District(name="Nord"), District(name="Sud")
    db.session.add_all([north, south])
    resident = make_user(name="Camille Habitante")
    published = make_proposal(author=resident, theme=mobility, title="Un banc <public> & ombragé",
                              body="Pour se reposer\x01 en allant au marché. " * 40)
    other = make_proposal(author=resident, theme=schools, title="Une cantine bio")
    hidden = [make_proposal(author=resident, theme=mobility, title=title, state=state, **extra) for title, state, extra in (
        ("En attente de relecture", ProposalState.PENDING, {}), ("Masquée par la modération", ProposalState.HIDDEN, {}),
        ("Retenue après signalements", ProposalState.PUBLISHED, {"held_by_reports": True}))]
    _answer(published, text="Accepté, travaux en mai.", status=AnswerStatus.ACCEPTED)
    _answer(other)
    for proposal in hidden:
        _answer(proposal, text=f"Réponse à {proposal.title}")
    everyone = make_decision(state="open", title="Vote de toute la commune")
    northern = make_decision(state="open", title="Vote du quartier Nord")
    northern.districts.append(north)
    southern = make_decision(state="open", title="Vote du quartier Sud")
    southern.districts.append(south)
    make_decision(state="draft", title="Vote en préparation")
    make_decision(state="scheduled", title="Vote annoncé à venir")
    counted = make_decision(state="closed", title="Vote dépouillé")
    counted.published_at = utcnow()
    make_decision(state="closed", title="Vote clos non publié")
    db.session.commit()
    return {"published": published, "mobility": mobility, "north": north, "everyone": everyone}


def _feed(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, path
    assert response.mimetype == "application/atom+xml"
    assert "Set-Cookie" not in response.headers
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, (path, parsed.get("bozo_exception"))
    return response, parsed


def _titles(client, path):
    return [entry.title for entry in _feed(client, path)[1].entries]


def test_every_feed_validates_against_the_atom_schema(client, site, tmp_path):
    java, jar = java_and_vnu()
    paths = [*FEEDS, f"/flux/propositions.atom?theme={site['mobility'].id}",
             f"/flux/reponses.atom?theme={site['mobility'].id}", f"/flux/votes.atom?district={site['north'].id}",
             f"/flux/resultats.atom?district={site['north'].id}"]
    files = []
    for n, path in enumerate(paths):
        response, parsed = _feed(client, path)
        assert parsed.version == "atom10"
        files.append(tmp_path / f"feed-{n}.xml")
        files[-1].write_bytes(response.data)
    result = subprocess.run([java, *QUICK_JVM, "-cp", str(jar), "com.thaiopensource.relaxng.util.Driver", "-c", str(ATOM_SCHEMA),
                             *map(str, files)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_refuses_what_is_not_atom(tmp_path):
    """The validation above proves something: the same schema refuses a feed without its required elements."""
    java, jar = java_and_vnu()
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>')
    result = subprocess.run([java, *QUICK_JVM, "-cp", str(jar), "com.thaiopensource.relaxng.util.Driver", "-c", str(ATOM_SCHEMA),
                             str(feed)], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "id" in result.stdout + result.stderr


def test_feeds_hold_only_what_the_public_lists_show(client, site):
    assert _titles(client, "/flux/propositions.atom") == ["Une cantine bio", "Un banc <public> & ombragé"]
    answers = _titles(client, "/flux/reponses.atom")
    assert answers == ["Réponse officielle à «\u202fUne cantine bio\u202f»\u202f: À l’étude",
                       "Réponse officielle à «\u202fUn banc <public> & ombragé\u202f»\u202f: Acceptée"]
    assert _titles(client, "/flux/votes.atom") == [
        "Vote du quartier Sud", "Vote du quartier Nord", "Vote de toute la commune", "Vote clos non publié",
        "Vote dépouillé"]
    assert _titles(client, "/flux/resultats.atom") == ["Résultats\u202f: Vote dépouillé"]


def test_a_feed_for_a_theme_or_a_district(client, site):
    assert _titles(client, f"/flux/propositions.atom?theme={site['mobility'].id}") == ["Un banc <public> & ombragé"]
    assert len(_titles(client, f"/flux/reponses.atom?theme={site['mobility'].id}")) == 1
    # A district's residents are called to its votes and to those of the whole commune.
    assert _titles(client, f"/flux/votes.atom?district={site['north'].id}") == [
        "Vote du quartier Nord", "Vote de toute la commune", "Vote clos non publié", "Vote dépouillé"]
    for path in ("/flux/propositions.atom?theme=999999", "/flux/votes.atom?district=nord",
                 "/flux/reponses.atom?theme=", "/flux/resultats.atom?district=99999999999999"):
        assert client.get(path).status_code == 404, path


def test_the_proposals_of_a_district(client, site):
    site["published"].district_id = site["north"].id
    db.session.commit()
    path = f"/flux/propositions.atom?district={site['north'].id}"
    response, parsed = _feed(client, path)
    assert [entry.title for entry in parsed.entries] == ["Un banc <public> & ombragé"]
    assert parsed.feed.title.startswith("Nouvelles propositions\u202f: Nord")
    both = f"/flux/propositions.atom?theme={site['mobility'].id}&district={site['north'].id}"
    assert _titles(client, both) == ["Un banc <public> & ombragé"]
    assert client.get("/flux/propositions.atom?district=99999999").status_code == 404


def test_entries_link_to_their_page_from_the_public_address(app, site):
    client = app.test_client()
    response = client.get("/flux/propositions.atom", base_url="http://evil.example")
    feed = feedparser.parse(response.data)
    proposal = site["published"]
    entry = feed.entries[1]
    assert feed.feed.id == f"{PUBLIC}/flux/propositions.atom"
    assert feed.feed.links[0].href == f"{PUBLIC}/flux/propositions.atom" and feed.feed.links[0].rel == "self"
    assert feed.feed.author == "Villeneuve-sur-Lys"
    assert entry.id == entry.link == f"{PUBLIC}/proposals/{proposal.id}"
    assert entry.author == "Camille Habitante"
    assert entry.tags[0].term == "Mobilité"
    # Plain text, without the control character that XML cannot carry, cut after a word.
    assert entry.summary_detail.type == "text/plain" and entry.summary.startswith("Pour se reposer en allant")
    assert len(entry.summary) <= 500 and entry.summary.endswith("…")
    answers = feedparser.parse(client.get("/flux/reponses.atom", base_url="http://evil.example").data)
    assert answers.entries[1].link == f"{PUBLIC}/proposals/{proposal.id}#answer"
    assert answers.entries[1].author == "Villeneuve-sur-Lys"
    votes = feedparser.parse(client.get("/flux/votes.atom").data)
    assert votes.entries[2].link == f"{PUBLIC}/decisions/{site['everyone'].id}"
    results = feedparser.parse(client.get("/flux/resultats.atom").data)
    assert results.entries[0].link.endswith("/results")


def test_a_feed_holds_the_newest_fifty_for_the_same_statements_as_five(app, client, ctx):
    theme = make_theme(name="Voirie")
    author = make_user(name="Dominique")
    start = utcnow() - timedelta(days=100)

    def add(count):
        for n in range(count):
            proposal = make_proposal(author=make_user() if n % 2 else author, theme=theme, title=f"Proposition {n}",
                                     created_at=start + timedelta(hours=n))
            _answer(proposal, when=start + timedelta(hours=n))
            make_decision(state="open", title=f"Vote {n}")

    add(5)
    with recording(app) as few:
        for path in FEEDS:
            _feed(client, path)
    add(60)
    with recording(app) as many:
        for path in FEEDS:
            _feed(client, path)
    assert len(many) == len(few)
    assert len(_titles(client, "/flux/propositions.atom")) == 50
    assert len(_titles(client, "/flux/reponses.atom")) == 50


def test_a_feed_is_the_same_for_everybody_and_checked_by_its_etag(client, site):
    login(client, make_user())
    response, _parsed = _feed(client, "/flux/propositions.atom")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/flux/propositions.atom", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and "Set-Cookie" not in again.headers


def test_an_empty_feed_keeps_its_etag_while_it_stays_empty(client, ctx, monkeypatch):
    empty = f"/flux/propositions.atom?theme={make_theme(name='Sans proposition').id}"
    response = client.get(empty)
    assert response.status_code == 200 and feedparser.parse(response.data).entries == []

    class Later(datetime):  # the clock of a second fetch, a day later
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(days=1)

    monkeypatch.setattr(atom, "datetime", Later)
    assert client.get(empty, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("endpoint, feeds", [
    ("main.home", {"/flux/propositions.atom": "Nouvelles propositions", "/flux/votes.atom": "Votes ouverts"}),
    ("proposals.index", {"/flux/propositions.atom": "Nouvelles propositions",
                         "/flux/reponses.atom": "Réponses officielles"}),
    ("decisions.index", {"/flux/votes.atom": "Votes ouverts", "/flux/resultats.atom": "Résultats publiés"}),
])
def test_the_pages_announce_their_feeds(client_request, endpoint, feeds):
    page = client_request.get(endpoint)
    announced = {link["href"]: link["title"] for link in page.select('head link[rel="alternate"]')}
    assert announced == feeds
    assert all(link["type"] == "application/atom+xml" for link in page.select('head link[rel="alternate"]'))
    links = {a["href"]: a.get_text() for a in page.select('a[type="application/atom+xml"]')}
    assert links == {href: f"S’abonner (Atom)\u202f: {title}" for href, title in feeds.items()}


def test_the_list_of_a_theme_announces_the_feeds_of_the_theme(client_request, site):
    theme = site["mobility"].id
    page = client_request.get("proposals.index", theme=theme)
    assert [link["href"] for link in page.select('head link[rel="alternate"]')] == [
        f"/flux/propositions.atom?theme={theme}", f"/flux/reponses.atom?theme={theme}"]
    feeds = [a["href"] for a in page.select('a[type="application/atom+xml"]')]
    assert feeds == [f"/flux/propositions.atom?theme={theme}", f"/flux/reponses.atom?theme={theme}"]
