"""Officials create, edit and announce decisions; once open only typo fixes, logged."""
from datetime import timedelta

import pytest

from civic.access import Action, can
from civic.accounts.models import Role
from civic.db_types import utcnow
from civic.timezones import utc_to_paris
from civic.decisions.models import Decision, DecisionState, DescriptionEdit, Method
from civic.decisions.services import publish_results
from civic.extensions import db
from civic.staff_log import StaffLogEntry
from tests.client import Page
from tests.factories import make_user
from tests.decisions.helpers import make_decision

FMT = "%Y-%m-%dT%H:%M"


def rows(text):
    """The option rows of the form, written one per line as "name | cost | proposal number"."""
    data = {}
    for index, line in enumerate(text.splitlines()):
        parts = [p.strip() for p in line.split("|")] + ["", ""]
        data.update({f"options-{index}-label": parts[0], f"options-{index}-cost": parts[1],
                     f"options-{index}-proposal_id": parts[2], f"options-{index}-description": ""})
    return data


def _form(method="single_choice", **changes):
    now = utc_to_paris(utcnow())
    data = {
        "title": "Rénovation", "question": "Que rénover ?", "description": "Contexte", "method": method,
        "opens_at": (now + timedelta(days=1)).strftime(FMT), "closes_at": (now + timedelta(days=8)).strftime(FMT),
        "number_of_winners": "1",
    }
    data.update(rows(changes.pop("options", "Parc\nPiscine")))
    data.update(changes)
    return data


@pytest.mark.parametrize("method, extra", [
    ("yes_no", {"options": ""}),
    ("single_choice", {}),
    ("approval", {"max_choices": "2"}),
    ("majority_judgment", {}),
    ("budget", {"options": "Parc | 40000 | \nPiscine | 90 000", "budget": "100000", "budget_rule": "equal_shares",
                "voter_cost_limit": "50000"}),
])
def test_official_creates_a_decision_of_each_method(client, login_as, method, extra):
    login_as(Role.ELECTED)
    response = client.post_form("/decisions/new", _form(method, **extra))
    assert response.status_code == 302, response.get_data(as_text=True)
    decision = db.session.execute(db.select(Decision)).scalar_one()
    assert decision.method is Method(method) and decision.state is DecisionState.DRAFT
    if method == "budget":
        assert [o.cost for o in decision.options] == [40000, 90000] and decision.budget == 100000
    # Drafts are not public.
    client.post_form("/logout")
    assert client.get(f"/decisions/{decision.id}").status_code == 404
    assert "Rénovation" not in client.get("/decisions/").get_data(as_text=True)


def test_opening_time_is_paris_time(client, login_as):
    login_as(Role.ELECTED)
    client.post_form("/decisions/new", _form(opens_at="2030-07-01T09:00", closes_at="2030-07-08T18:00"))
    decision = db.session.execute(db.select(Decision)).scalar_one()
    assert decision.opens_at.hour == 7 and decision.closes_at.hour == 16  # CEST is UTC+2


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"method": "plurality"}, "method"),
    ({"options": "Seule"}, "options"),
    ({"method": "budget", "options": "Parc\nPiscine", "budget": "100", "budget_rule": "greedy"}, "options-0-cost"),
    ({"options": "| 5\nPiscine\nParc"}, "options-0-label"),
    ({"method": "budget", "options": "Parc | 1\nPiscine | 2"}, "budget_rule"),  # a budget needs its rule
    ({"closes_at": "2020-01-01T00:00"}, "closes_at"),
    ({"opens_at": "not a date"}, "opens_at"),
])
def test_decision_form_errors_keep_what_was_typed(client, login_as, changes, field):
    login_as(Role.ELECTED)
    page = Page(client.post_form("/decisions/new", _form(**changes)))
    # The summary links to the field, or to its first choice (#method-0).
    assert page.title.startswith("Erreur : ")
    # A list's own error (too few options) links to its first row.
    target = "options-0-label" if field == "options" else field
    assert page.has(f'.error-summary a[href="#{target}"], .error-summary a[href="#{target}-0"]')
    assert page.field_error(field)
    assert page.value("question") == "Que rénover ?"
    assert db.session.execute(db.select(db.func.count(Decision.id))).scalar_one() == 0


def test_announce_then_edit_until_open(client, login_as):
    official = login_as(Role.ELECTED)
    decision = make_decision(state="draft")
    assert client.post_form(f"/decisions/{decision.id}/announce").status_code == 302
    db.session.refresh(decision)
    assert decision.state is DecisionState.SCHEDULED
    entry = db.session.execute(db.select(StaffLogEntry)).scalar_one()  # a publication, in the staff log
    assert (entry.actor_id, entry.area, entry.action, entry.object_id) == (official.id, "publication", "announce",
                                                                         decision.id)
    assert entry.before_data == {"state": "draft"} and entry.after_data["state"] == "scheduled"
    assert client.get(f"/decisions/{decision.id}/edit").status_code == 200
    decision.opens_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/decisions/{decision.id}/edit").status_code == 403
    assert client.post_form(f"/decisions/{decision.id}/edit", _form()).status_code == 403


def test_cannot_announce_a_past_opening(client, login_as):
    login_as(Role.ELECTED)
    decision = make_decision(state="draft")
    decision.opens_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    client.post_form(f"/decisions/{decision.id}/announce")
    db.session.refresh(decision)
    assert decision.state is DecisionState.DRAFT


def test_typo_fix_once_open_is_logged(client, login_as):
    official = login_as(Role.ELECTED)
    decision = make_decision(state="open", description="Une descriptoin")
    assert client.post_form(f"/decisions/{decision.id}/description", {"description": "Une description"}
                            ).status_code == 302
    edit = db.session.execute(db.select(DescriptionEdit)).scalar_one()
    assert (edit.before, edit.after, edit.user_id) == ("Une descriptoin", "Une description", official.id)
    db.session.refresh(decision)
    assert decision.description == "Une description"


ROLES = list(Role)
STATES = ["draft", "scheduled", "open", "closed", "published"]
OFFICIALS = {Role.ELECTED, Role.ADMIN}
EVERYONE = set(Role) | {None}  # None: an anonymous visitor
# action -> state -> who may (a role, or None for an anonymous visitor)
EXPECTED = {
    Action.DECISION_VIEW: {"draft": OFFICIALS, "scheduled": EVERYONE, "open": EVERYONE, "closed": EVERYONE,
                           "published": EVERYONE},
    Action.DECISION_MANAGE: {"draft": OFFICIALS, "scheduled": OFFICIALS},
    Action.DECISION_FIX_DESCRIPTION: {"open": OFFICIALS, "closed": OFFICIALS},
    Action.DECISION_VOTE: {"open": {Role.RESIDENT}},
    # Published results are everyone's; an official reviews the count of a closed vote before publishing it.
    Action.RESULTS_READ: {"closed": OFFICIALS, "published": EVERYONE},
    Action.RESULTS_PUBLISH: {"closed": OFFICIALS},
}


class Anonymous:
    is_authenticated = False


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES + [None], ids=[r.value for r in ROLES] + ["anonymous"])
def test_permission_matrix_role_by_state(ctx, app, role, state):
    decision = make_decision(Method.YES_NO, state="closed" if state == "published" else state)
    if state == "published":
        with app.test_request_context():
            publish_results(decision, make_user(role=Role.ELECTED))
        db.session.commit()
    assert decision.state.value == state
    user = make_user(role=role) if role is not None else Anonymous()
    with app.test_request_context():
        for action, allowed in EXPECTED.items():
            assert can(user, action, decision) is (role in allowed.get(state, set())), (action, role, state)


def test_residents_and_staff_cannot_reach_official_pages(client, ctx):
    from tests.factories import login

    decision = make_decision(state="draft")
    for role in (Role.RESIDENT, Role.COUNTER_AGENT, Role.MODERATOR):
        login(client, make_user(role=role))
        assert client.get("/decisions/new").status_code == 403
        assert client.post_form(f"/decisions/{decision.id}/announce").status_code == 403  # the role, before anything
        client.post_form("/logout")


def test_typo_fix_cannot_empty_the_description(client, login_as):
    login_as(Role.ELECTED)
    decision = make_decision(state="open", description="Texte")
    page = Page(client.post_form(f"/decisions/{decision.id}/description", {"description": "  "}))
    assert page.title.startswith("Erreur : ") and page.has('.error-summary a[href="#description"]')
    assert page.field_error("description")
    db.session.refresh(decision)
    assert decision.description == "Texte"
    assert db.session.execute(db.select(db.func.count(DescriptionEdit.id))).scalar_one() == 0


@pytest.mark.parametrize("changes, field", [
    ({"method": "budget", "options": "Parc | 99999999999999\nPiscine | 5", "budget": "10", "budget_rule": "greedy"},
     "options-0-cost"),
    ({"method": "budget", "options": "Parc | 5\nPiscine | 5", "budget": "99999999999999", "budget_rule": "greedy"},
     "budget"),
    ({"method": "approval", "max_choices": "99999999999"}, "max_choices"),
    ({"options": "Parc | | 424242\nPiscine"}, "options"),
    ({"options": "Parc | | 99999999999999\nPiscine"}, "options-0-proposal_id"),
    ({"options": "Parc | | ²\nPiscine"}, "options-0-proposal_id"),
])
def test_out_of_range_numbers_and_unknown_proposals_are_form_errors(client, login_as, changes, field):
    login_as(Role.ELECTED)
    response = client.post_form("/decisions/new", _form(**changes))
    page = Page(response)
    assert response.status_code == 200 and page.title.startswith("Erreur : ")
    target = "options-0-label" if field == "options" else field
    assert page.has(f'.error-summary a[href="#{target}"]') and page.field_error(field)
    assert db.session.execute(db.select(db.func.count(Decision.id))).scalar_one() == 0


def test_option_linked_to_a_proposal(client, login_as):
    from tests.factories import make_proposal

    login_as(Role.ELECTED)
    proposal = make_proposal()
    client.post_form("/decisions/new", _form(options=f"Parc | | {proposal.id}\nPiscine"))
    decision = db.session.execute(db.select(Decision)).scalar_one()
    assert decision.options[0].proposal_id == proposal.id
    page = Page(client.get(f"/decisions/{decision.id}"))
    assert f"/proposals/{proposal.id}" in [href for _text, href in page.links("main")]


def test_forged_or_out_of_range_values_are_form_errors(client, login_as):
    login_as(Role.ELECTED)
    page = Page(client.post_form("/decisions/new", _form(opens_at="0001-01-01T00:00")))
    assert page.title.startswith("Erreur : ") and page.has('.error-summary a[href="#opens_at"]')
    assert page.field_error("opens_at")
    assert client.post_form("/decisions/new", _form(budget_rule="foo")).status_code == 302
    decision = db.session.execute(db.select(Decision)).scalar_one()
    assert decision.budget_rule is None


def test_yes_no_keeps_no_options_and_edit_keeps_proposal_links(client, login_as):
    from tests.factories import make_proposal

    login_as(Role.ELECTED)
    client.post_form("/decisions/new", _form("yes_no", options="Parc\nPiscine"))
    yes_no = db.session.execute(db.select(Decision)).scalar_one()
    assert yes_no.options == []
    proposal = make_proposal()
    client.post_form("/decisions/new", _form(options=f"Parc | | {proposal.id}\nPiscine"))
    decision = db.session.execute(db.select(Decision).where(Decision.id != yes_no.id)).scalar_one()
    page = Page(client.get(f"/decisions/{decision.id}/edit"))
    assert (page.value("options-0-label"), page.value("options-0-proposal_id")) == ("Parc", str(proposal.id))
    client.post_form(f"/decisions/{decision.id}/edit", _form(options=f"Parc |  | {proposal.id}\nPiscine"))
    db.session.refresh(decision)
    assert decision.options[0].proposal_id == proposal.id and decision.options[0].cost is None
