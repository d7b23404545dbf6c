"""The home page shows the votes open and to come beside the proposals, and says where the counters are."""
from datetime import timedelta

import pytest
from jinja2 import Template
from jinja2.runtime import Macro
from sqlalchemy import event

from civic.db_types import utcnow
from civic.decisions import services as decision_services
from civic.decisions.models import Decision, DecisionState, Method
from civic.extensions import db
from civic.main.views import HOME_PROPOSALS, HOME_VOTES
from civic.processes.models import PhaseKind
from civic.proposals.models import ProposalState
from tests.counters.helpers import make_counter
from tests.decisions.helpers import make_decision
from tests.client import Page
from tests.factories import make_proposal, make_support
from tests.processes.helpers import make_process, phase_days
from tests.queries import recording


def test_the_home_page_lists_open_votes_by_deadline_then_votes_to_come(client_request):
    later = make_decision(title="Quel nom pour la médiathèque ?")
    sooner = make_decision(Method.YES_NO, title="Faut-il piétonniser la place ?")
    sooner.closes_at = utcnow() + timedelta(days=2)
    upcoming = make_decision(state="scheduled", title="Budget participatif 2027")
    make_decision(state="draft", title="Un brouillon")
    make_decision(state="closed", title="Un vote clos")
    db.session.commit()

    page = client_request.get("main.home")
    section = page.select_one('section[aria-labelledby="votes-title"]')
    cards = section.select(".card")
    assert [card.select_one(".card-title").get_text() for card in cards] == [
        sooner.title, later.title, upcoming.title]
    assert [a["href"] for a in section.select(".card-title a")] == [
        f"/decisions/{sooner.id}", f"/decisions/{later.id}", f"/decisions/{upcoming.id}"]
    # Each says when: the deadline of an open vote, the dates of one to come.
    meta = page.texts('section[aria-labelledby="votes-title"] .card .meta')
    assert meta[0].startswith("Vote ouvert Jusqu’au ") and meta[2].startswith("À venir Ouverture le ")
    assert ("Voir tous les votes et consultations", "/decisions/") in page.links('section[aria-labelledby="votes-title"] > p')


def test_the_home_page_shows_a_bounded_number_of_votes(client_request):
    for n in range(HOME_VOTES + 2):
        make_decision(title=f"Vote {n}")
    page = client_request.get("main.home")
    assert len(page.select('section[aria-labelledby="votes-title"] .card')) == HOME_VOTES


def test_without_votes_the_home_page_says_so(client_request):
    page = client_request.get("main.home")
    assert page.texts('section[aria-labelledby="votes-title"] li') == ["Aucun vote n’est ouvert ni annoncé en ce moment."]


def test_the_counters_page_gives_addresses_and_hours_and_is_linked_from_home_and_footer(client_request):
    counter = make_counter(name="Mairie annexe des Tilleuls")
    closed = make_counter(name="Ancien guichet")
    closed.active = False
    db.session.commit()

    home = client_request.get("main.home")
    assert ("Adresses et horaires des guichets", "/counters") in home.links(".help-desk")
    assert ("Guichets de médiation", "/counters") in home.links(".site-footer")

    page = client_request.get("counters.public_counters")
    assert page.h1 == "Guichets de médiation"
    assert page.texts(".card-title") == [counter.name]
    assert page.texts(".card dt") == ["Adresse", "Horaires d’ouverture"]
    assert page.texts(".card dd") == ["1 place de la Mairie", "Lundi 9 h – 12 h"]


def test_the_home_page_reads_its_processes_and_their_phases_in_one_statement(app, client_request):
    """The processes under way with their phases, whatever their number: one statement (it was three), and
    the cards still in order of their end with the phase of today."""
    for n, current in enumerate((PhaseKind.IDEAS, PhaseKind.VOTE, PhaseKind.STUDY, PhaseKind.IDEAS)):
        *days, (kind, start, end) = phase_days(current)
        make_process(current, title=f"Processus {n}", phases=[*days, (kind, start, end + timedelta(days=n))])
    make_process(None, title="À venir")
    with recording(app) as statements:
        page = client_request.get("main.home")
    assert len([s for s in statements if "process" in s]) == 1, str(statements)
    cards = page.select("#processes-title ~ ul .card")
    assert [card.select_one(".card-title a").text for card in cards] == ["Processus 1", "Processus 2", "Processus 0"]
    assert [card.select_one(".tag").text for card in cards] == ["Vote", "Étude technique", "Idées"]


def test_the_home_pages_two_lists_of_proposals_are_one_statement(app, client_request):
    """The newest and the most supported proposals, each list in its own order and of its own length: one
    statement for both (there were two, each through keyset_page for a page whose links home does not show)."""
    titles = [f"Proposition {n}" for n in range(HOME_PROPOSALS + 2)]
    proposals = [make_proposal(title=title) for title in titles]
    for proposal, supports in zip(proposals, (2, 0, 3, 0, 0, 1, 0)):
        for _ in range(supports):
            make_support(proposal)
    make_proposal(title="Retirée", state=ProposalState.WITHDRAWN)
    with recording(app) as statements:
        page = client_request.get("main.home")
    assert len([s for s in statements if "FROM proposal" in s]) == 1, str(statements)
    assert page.texts('section[aria-labelledby="latest-title"] .card-title') == titles[::-1][:HOME_PROPOSALS]
    # By supports, then the newest first among equals.
    assert page.texts('section[aria-labelledby="supported-title"] .card-title') == [
        "Proposition 2", "Proposition 0", "Proposition 5", "Proposition 6", "Proposition 4"]
    assert page.texts('section[aria-labelledby="supported-title"] .card .counts')[:2] == [
        "3 soutiens · 0 commentaire", "2 soutiens · 0 commentaire"]


def test_the_home_pages_proposal_cards_cost_one_macro_call_per_list(client_request, monkeypatch):
    """A macro call costs as much as a card's own text: the cards of each list are written by one call, however
    many proposals there are, and each card still shows its proposal."""
    calls = []
    invoke = Macro._invoke
    monkeypatch.setattr(Macro, "_invoke", lambda self, *a: calls.append(self.name) or invoke(self, *a))

    def cards_written():
        calls.clear()
        page = client_request.get("main.home")
        return page, calls.count("proposal_cards"), len(calls)

    make_proposal(title="Un banc")
    _page, one_card, macros_with_one = cards_written()
    for n in range(4):
        make_proposal(title=f"Proposition {n}")
    page, five_cards, macros_with_five = cards_written()
    assert one_card == five_cards == 2  # the latest, the most supported
    assert macros_with_one == macros_with_five
    titles = page.texts('section[aria-labelledby="latest-title"] .card-title')
    assert sorted(titles) == sorted(["Un banc"] + [f"Proposition {n}" for n in range(4)])


@pytest.mark.parametrize("endpoint", ["main.home", "processes.index"])
def test_the_process_cards_cost_one_macro_call_per_list(client_request, monkeypatch, endpoint):
    """Home's processes under way and the list of processes: one macro call writes a list's cards, however many
    processes there are, and each card still shows its process and where it stands."""
    calls = []
    invoke = Macro._invoke
    monkeypatch.setattr(Macro, "_invoke", lambda self, *a: calls.append(self.name) or invoke(self, *a))

    def cards_written():
        calls.clear()
        page = client_request.get(endpoint)
        return page, len(calls)

    make_process(PhaseKind.IDEAS, title="Processus 0")
    _page, macros_with_one = cards_written()
    for n, kind in enumerate((PhaseKind.VOTE, PhaseKind.STUDY), 1):
        make_process(kind, title=f"Processus {n}")
    page, macros_with_three = cards_written()
    assert calls.count("process_cards") == 1 and macros_with_one == macros_with_three
    cards = page.select(".cards .card")
    assert sorted(card.select_one(".card-title a").text for card in cards) == [f"Processus {n}" for n in range(3)]
    assert sorted(card.select_one(".tag").text for card in cards) == ["Idées", "Vote", "Étude technique"]


def test_the_home_pages_vote_tags_run_no_file_of_macros(client_request, monkeypatch):
    """Each vote's state tag is written in, as decisions/_macros.html's state_tag writes it: importing that file
    with context ran its dozen macros' definitions on each render of the page, for one line."""
    make_decision(title="Faut-il piétonniser la place ?")
    upcoming = make_decision(state="scheduled", title="Budget participatif 2027")
    db.session.commit()
    modules = []
    make_module = Template.make_module
    monkeypatch.setattr(Template, "make_module",
                        lambda self, *a, **k: modules.append(self.name) or make_module(self, *a, **k))
    page = client_request.get("main.home")
    assert "decisions/_macros.html" not in modules
    tags = page.select('section[aria-labelledby="votes-title"] .card .meta .tag')
    assert [(tag["class"], tag.get_text()) for tag in tags] == [
        (["tag", "tag-open"], "Vote ouvert"), (["tag", f"tag-{upcoming.state.value}"], "À venir")]


def test_the_home_pages_votes_are_read_as_columns_in_the_state_their_decision_says(ctx):
    """The home page's votes come as their five columns, not Decision objects: each in the state Decision.state
    gives, open or to come, with its own title and dates."""
    open_vote = make_decision(title="Faut-il piétonniser la place ?")
    upcoming = make_decision(state="scheduled", title="Budget participatif 2027")
    make_decision(state="closed", title="Un vote clos")
    db.session.commit()
    cards = decision_services.current_and_upcoming(HOME_VOTES)
    assert cards == [(d.id, d.title, d.state, d.opens_at, d.closes_at) for d in (open_vote, upcoming)]
    assert [card.state for card in cards] == [DecisionState.OPEN, DecisionState.SCHEDULED]
    assert not any(isinstance(card, Decision) for card in cards)


@pytest.mark.parametrize("path, shown", [
    ("/", ["Un banc", "Faut-il piétonniser la place ?", "Budget participatif"]), ("/proposals/", ["Un banc"]),
    ("/proposals/?q=banc&sort=supported", ["Un banc"]), ("/processus", ["Budget participatif"]),
    ("/donnees", ["Propositions"])])
def test_the_lists_read_their_columns_without_the_orms_execution(app, ctx, client, path, shown):
    """Home, the proposal list and search, the processes and the open data portal read columns only: they run on
    the session's connection, not through the session's execute(), whose ORM context (events, loading) cost as
    much as a small statement on SQLite. The pages still show what they read."""
    make_proposal(title="Un banc")
    make_decision(title="Faut-il piétonniser la place ?")
    make_process(PhaseKind.IDEAS, title="Budget participatif")
    db.session.commit()
    executed = []

    def note(state):
        executed.append(str(state.statement))

    event.listen(db.session, "do_orm_execute", note)
    try:
        with recording(app) as statements:
            page = Page(client.get(path))
    finally:
        event.remove(db.session, "do_orm_execute", note)
    assert page.status == 200 and statements
    assert executed == [], "\n".join(executed)
    assert all(text in page.html for text in shown)
