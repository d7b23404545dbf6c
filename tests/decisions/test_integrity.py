"""Rules that keep a decision's record trustworthy: dates, tracking codes, the electorate, the code version."""
import re
from datetime import timedelta

from civic.accounts.models import District, Role
from civic.db_types import utcnow
from civic.decisions import services
from civic.timezones import utc_to_paris
from civic.typography import typeset
from civic.decisions.models import Ballot, Method
from civic.decisions.version import code_version
from civic.extensions import db
from tests.factories import make_user
from tests.client import Page
from tests.decisions.helpers import make_decision

FMT = "%Y-%m-%dT%H:%M"


def test_an_announced_decision_cannot_be_moved_to_open_in_the_past(client, login_as):
    login_as(Role.ELECTED)
    decision = make_decision(Method.YES_NO, state="scheduled")
    opens_before = decision.opens_at
    now = utc_to_paris(utcnow())
    response = client.post_form(f"/decisions/{decision.id}/edit", {
        "title": "Déjà ouvert ?", "question": decision.question, "description": "", "method": "yes_no",
        "options": "", "opens_at": (now - timedelta(hours=1)).strftime(FMT),
        "closes_at": (now + timedelta(days=3)).strftime(FMT),
    })
    assert response.status_code == 200
    page = Page(response)
    assert page.title.startswith("Erreur : ") and page.value("title") == "Déjà ouvert ?"  # what was typed is kept
    db.session.refresh(decision)
    assert decision.opens_at == opens_before and decision.title != "Déjà ouvert ?"


def test_a_draft_may_still_carry_a_past_date_until_announced(client, login_as):
    official = login_as(Role.ELECTED)
    decision = make_decision(Method.YES_NO, state="draft")
    services.save_decision(decision, official, title="Brouillon", question="Q ?", description="",
                           method=Method.YES_NO, opens_at=utcnow() - timedelta(days=1),
                           closes_at=utcnow() + timedelta(days=1), options=[])
    db.session.commit()
    response = client.post_form(f"/decisions/{decision.id}/announce")
    assert response.status_code == 302
    db.session.refresh(decision)
    assert decision.announced_at is None


def test_a_tracking_code_drawn_twice_is_drawn_again(ctx, monkeypatch):
    decision = make_decision(Method.YES_NO)
    codes = iter(["AAAAAAAAAA", "AAAAAAAAAA", "BBBBBBBBBB"])
    monkeypatch.setattr(services, "_tracking_code", lambda: next(codes))
    first = services.cast_ballot(make_user(), decision, {"vote": "yes"})
    db.session.commit()
    second = services.cast_ballot(make_user(), decision, {"vote": "no"})
    db.session.commit()
    assert (first, second) == ("AAAAAAAAAA", "BBBBBBBBBB")
    assert db.session.execute(db.select(db.func.count(Ballot.id))).scalar_one() == 2


def test_the_electorate_counts_confirmed_residents_and_districts_stated_before_opening(ctx):
    north, south = District(name="Nord"), District(name="Sud")
    db.session.add_all([north, south])
    decision = make_decision(Method.YES_NO)
    before, after = decision.opens_at - timedelta(days=10), decision.opens_at + timedelta(hours=1)
    for district, since, confirmed in [(north, before, True), (north, before, True), (north, after, True),
                                       (north, before, False), (south, before, True), (None, None, True)]:
        user = make_user(confirmed=confirmed)
        user.district_id, user.district_since = (district.id if district else None), since
    make_user(role=Role.ELECTED)
    db.session.commit()
    assert services.eligible_voters(decision) == 5  # every confirmed resident
    decision.districts = [north]
    db.session.commit()
    assert services.eligible_voters(decision) == 2


def test_code_version_names_the_counting_code():
    assert re.fullmatch(r"civic-voting-sha256:[0-9a-f]{20}", code_version())


def test_results_and_decision_pages_use_the_counting_modules_own_words(client, ctx):
    import html

    from civic.voting import budget, majority_judgment

    decision = make_decision(Method.MAJORITY_JUDGMENT)
    page = html.unescape(client.get(f"/decisions/{decision.id}").get_data(as_text=True))
    # In the reader's typography (civic.typography): the same words.
    assert typeset(majority_judgment.EXPLANATION_FR, "fr") in page
    client.get("/lang/en?next=/")
    budget_decision = make_decision(Method.BUDGET)
    page = html.unescape(client.get(f"/decisions/{budget_decision.id}").get_data(as_text=True))
    # The rule the vote announced, named and explained; not both rules as alternatives.
    assert budget.INTRO_EN in page and budget.RULE_NAMES_EN["greedy"] in page and budget.GREEDY_EN in page
    assert "either" not in page and budget.EQUAL_SHARES_EN not in page
