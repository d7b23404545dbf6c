"""Residents vote: ballot, check page, confirmation, tracking code; one ballot per voter."""
import json
import re
from datetime import timedelta

import pytest

from civic.accounts.models import District, Role
from civic.db_types import utcnow
from civic.decisions import services
from civic.counters.models import Channel
from civic.decisions.models import Ballot, Method, Participation
from civic.extensions import db
from tests.client import Page
from tests.factories import login, make_user
from tests.decisions.helpers import make_decision


def _vote(client, decision, form):
    check = client.post_form(f"/decisions/{decision.id}/vote", form)
    assert check.status_code == 200, check.get_data(as_text=True)
    page = Page(check)
    assert page.text(f'form[action="/decisions/{decision.id}/vote/confirm"] button') == "Confirmer mon vote"
    done = client.post_form(f"/decisions/{decision.id}/vote/confirm", _confirm_fields(page, decision))
    assert done.status_code == 302 and done.location.endswith(f"/decisions/{decision.id}/voted")
    return Page(client.get(done.location)).text(".tracking-code")


def _confirm_fields(page, decision):
    """The hidden fields of the check page's "Confirm my vote" form, as the browser would send them."""
    form = page.select_one(f'form[method="post"][action="/decisions/{decision.id}/vote/confirm"]')
    fields = {}
    for field in form.select('input[type="hidden"]'):
        if field["name"] != "csrf_token":
            fields.setdefault(field["name"], []).append(field["value"])
    return fields


def _ballots(decision):
    return db.session.execute(db.select(Ballot).filter_by(decision_id=decision.id)).scalars().all()


@pytest.mark.parametrize("method, form, stored", [
    (Method.YES_NO, {"vote": "yes"}, {"vote": "yes"}),
    (Method.SINGLE_CHOICE, {"option": "blank"}, {"option": None}),
    (Method.APPROVAL, {"options": ["1", "3"]}, None),
    (Method.BUDGET, {"options": ["2"]}, None),
])
def test_resident_votes_with_each_method(client, login_as, method, form, stored):
    user = login_as()
    decision = make_decision(method)
    ids = [o.id for o in decision.options]
    if "options" in form:
        form = {"options": [str(ids[int(i) - 1]) for i in form["options"]]}
        stored = {"options": sorted(int(v) for v in form["options"])}
    code = _vote(client, decision, form)
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{10}", code)
    ballots = _ballots(decision)
    assert len(ballots) == 1
    assert json.loads(ballots[0].content) == stored
    assert ballots[0].tracking_code == code
    participation = db.session.execute(db.select(Participation)).scalar_one()
    assert participation.user_id == user.id and participation.channel is Channel.ONLINE
    # The tracking code is shown once.
    assert code not in client.get(f"/decisions/{decision.id}/voted").get_data(as_text=True)


def test_majority_judgment_ballot(client, login_as):
    login_as()
    decision = make_decision(Method.MAJORITY_JUDGMENT)
    form = {f"grade_{o.id}": g for o, g in zip(decision.options, ("good", "reject", "excellent"))}
    _vote(client, decision, form)
    content = json.loads(_ballots(decision)[0].content)
    assert content == {"grades": {str(o.id): g for o, g in zip(decision.options, ("good", "reject", "excellent"))}}


def test_incomplete_ballots_are_refused_and_keep_the_answers(client, login_as):
    login_as()
    decision = make_decision(Method.MAJORITY_JUDGMENT)
    first = decision.options[0]
    page = Page(client.post_form(f"/decisions/{decision.id}/vote", {f"grade_{first.id}": "good"}))
    assert page.title.startswith("Erreur : ")
    kept = page.select_one(f"#grade_{first.id}-good")
    assert kept["value"] == "good" and kept.has_attr("checked")
    assert page.select(f'input[name="grade_{first.id}"][checked]') == [kept]
    assert page.field_error(f"grade_{first.id}") is None
    assert all(page.field_error(f"grade_{option.id}") for option in decision.options[1:])
    assert _ballots(decision) == []


@pytest.mark.parametrize("method, form", [
    (Method.YES_NO, {}),
    (Method.YES_NO, {"vote": "maybe"}),
    (Method.SINGLE_CHOICE, {"option": "999999"}),
    (Method.APPROVAL, {"options": ["999999"]}),
])
def test_invalid_ballots(client, login_as, method, form):
    login_as()
    decision = make_decision(method)
    response = client.post_form(f"/decisions/{decision.id}/vote", form)
    assert response.status_code == 200 and Page(response).title.startswith("Erreur : ") and Page(response).errors


def test_approval_limit_and_budget_limit(client, login_as):
    login_as()
    decision = make_decision(Method.APPROVAL, max_choices=1)
    ids = [str(o.id) for o in decision.options]
    page = Page(client.post_form(f"/decisions/{decision.id}/vote", {"options": ids[:2]}))
    assert page.title.startswith("Erreur : ") and page.field_error("options")
    budget = make_decision(Method.BUDGET, voter_cost_limit=60)
    ids = [str(o.id) for o in budget.options]
    page = Page(client.post_form(f"/decisions/{budget.id}/vote", {"options": ids[:2]}))
    assert page.title.startswith("Erreur : ") and "60" in page.field_error("options")


def test_blank_approval_ballot_is_accepted(client, login_as):
    login_as()
    decision = make_decision(Method.APPROVAL)
    _vote(client, decision, {})
    assert json.loads(_ballots(decision)[0].content) == {"options": []}


def test_one_ballot_per_voter(client, login_as):
    login_as()
    decision = make_decision(Method.YES_NO)
    _vote(client, decision, {"vote": "no"})
    response = client.post_form(f"/decisions/{decision.id}/vote", {"vote": "yes"})
    assert response.status_code == 302
    response = client.post_form(f"/decisions/{decision.id}/vote/confirm", {"vote": "yes"})
    assert response.status_code == 302 and response.location.endswith(f"/decisions/{decision.id}")
    assert len(_ballots(decision)) == 1
    assert json.loads(_ballots(decision)[0].content) == {"vote": "no"}


def test_forged_ballot_on_confirm_is_refused(client, login_as):
    login_as()
    decision = make_decision(Method.SINGLE_CHOICE)
    for forged in ({"option": "999999"}, {"option": ""}, {}, {"options": "x"}, {"option": "1" * 5000}):
        response = client.post_form(f"/decisions/{decision.id}/vote/confirm", forged)
        # Back on the ballot, with the reason, as if freshly typed.
        assert response.status_code == 200
        assert Page(response).field_error("option").startswith("Choisissez une option")
    assert _ballots(decision) == []


@pytest.mark.parametrize("state, notice", [
    ("draft", None),
    ("scheduled", "Ce vote n’est pas encore ouvert."),
    ("closed", "Ce vote est clos : il n’est plus possible de voter."),
])
def test_cannot_vote_outside_the_open_period(client, login_as, state, notice):
    """A draft does not exist for residents; a vote not open yet, or closed, sends them back saying which."""
    login_as()
    decision = make_decision(Method.YES_NO, state=state)
    response = client.post_form(f"/decisions/{decision.id}/vote/confirm", {"vote": "yes"})
    if state == "draft":
        assert response.status_code == 404
    else:
        assert response.status_code == 302 and response.location == f"/decisions/{decision.id}"
        assert Page(client.get(response.location)).notices == [notice]
        # The ballot itself says the same: it is not "not open" when it has closed.
        response = client.get(f"/decisions/{decision.id}/vote")
        assert response.status_code == 302 and Page(client.get(response.location)).notices == [notice]
    assert _ballots(decision) == []


def test_staff_cannot_vote(client, ctx):
    decision = make_decision(Method.YES_NO)
    for role in (Role.COUNTER_AGENT, Role.MODERATOR, Role.ELECTED, Role.ADMIN):
        login(client, make_user(role=role))
        assert client.post_form(f"/decisions/{decision.id}/vote/confirm", {"vote": "yes"}
                                ).status_code == 403
        client.post_form("/logout")
    assert _ballots(decision) == []


def test_district_restriction(client, login_as):
    north, south = District(name="Nord"), District(name="Sud")
    db.session.add_all([north, south])
    db.session.commit()
    user = login_as()
    decision = make_decision(Method.YES_NO)
    decision.districts = [north]
    db.session.commit()
    response = client.post_form(f"/decisions/{decision.id}/vote", {"vote": "yes"})
    assert response.status_code == 302
    assert "Nord" in Page(client.get(response.location)).text(".support-box")  # the decision says why
    assert _ballots(decision) == []
    user.district_id, user.district_since = north.id, decision.opens_at - timedelta(days=30)
    db.session.commit()
    _vote(client, decision, {"vote": "yes"})


def test_moving_into_a_district_during_its_vote_does_not_give_a_vote(client, login_as):
    north, south = District(name="Nord"), District(name="Sud")
    db.session.add_all([north, south])
    db.session.commit()
    user = login_as()
    user.district_id, user.district_since = south.id, utcnow() - timedelta(days=30)
    decision = make_decision(Method.YES_NO)
    decision.districts = [north]
    db.session.commit()
    # The resident states "Nord" in their profile while the vote is open…
    response = client.post_form("/account", {"display_name": user.display_name, "district": str(north.id)})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.district_id == north.id and user.district_since > decision.opens_at
    # …and is still refused, with the reason.
    response = client.post_form(f"/decisions/{decision.id}/vote", {"vote": "yes"})
    assert response.status_code == 302
    assert "Nord" in Page(client.get(response.location)).text(".support-box")
    assert _ballots(decision) == []
    assert services.eligible_voters(decision) == 0


def test_anonymous_is_sent_to_log_in(client, ctx):
    decision = make_decision(Method.YES_NO)
    response = client.get(f"/decisions/{decision.id}/vote")
    assert response.status_code == 302 and "/login" in response.location


def test_ballot_row_carries_nothing_about_the_voter(client, login_as):
    login_as()
    decision = make_decision(Method.YES_NO)
    _vote(client, decision, {"vote": "yes"})
    columns = set(Ballot.__table__.columns.keys())
    assert columns == {"id", "decision_id", "tracking_code", "content"}
    ballot = _ballots(decision)[0]
    assert re.fullmatch(r"[0-9a-f]{32}", ballot.id)


def test_tracking_code_does_not_outlive_the_session(client, login_as):
    login_as()
    decision = make_decision(Method.YES_NO)
    client.post_form(f"/decisions/{decision.id}/vote", {"vote": "yes"})
    done = client.post_form(f"/decisions/{decision.id}/vote/confirm", {"vote": "yes"})
    assert done.headers["Cache-Control"] == "no-store"
    # The voter never follows the redirect (a dropped connection), logs out; someone else logs in.
    client.post_form("/logout")
    login_as()
    page = client.get(f"/decisions/{decision.id}/voted")
    assert page.status_code == 302  # this resident has not voted: no "recorded" page, no code
    code = _ballots(decision)[0].tracking_code
    assert code not in client.get(page.location).get_data(as_text=True)


def test_oversized_ballot_is_refused_not_an_error(client, login_as):
    login_as()
    decision = make_decision(Method.YES_NO)
    response = client.post_form(f"/decisions/{decision.id}/vote/confirm", {"vote": "y" * 30_000})
    assert response.status_code == 200
    assert _ballots(decision) == []
