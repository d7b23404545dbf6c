"""The official's decision form: the method first, then only its fields, options in rows; a confirmation
page before announcing and before publishing; a warning for a vote shorter than a day."""
from datetime import timedelta

import pytest

from civic.accounts.models import Role
from civic.db_types import utcnow
from civic.decisions import services
from civic.decisions.models import Decision, DecisionState, Method, ResultPreview
from civic.extensions import db
from tests.decisions.helpers import close, make_decision
from tests.decisions.test_management import _form
from tests.factories import make_user


def _decisions():
    return db.session.execute(db.select(Decision)).scalars().all()


def test_the_method_comes_first_then_only_its_fields(client_request, login_as):
    login_as(Role.ELECTED)
    page = client_request.get("decisions.new")
    assert page.h1 == "Créer une décision" and page.has('input[type="radio"][name="method"]')
    assert not page.has('[name="title"]') and page.select_one("main form")["method"] == "get"
    fields = {}
    for method in Method:
        page = client_request.get("decisions.new", method=method.value)
        assert page.value("method") == method.value and page.has('input[type="hidden"][name="method"]')
        fields[method] = {name for name in ("max_choices", "number_of_winners", "budget", "budget_rule",
                                            "voter_cost_limit", "options-0-label", "options-0-cost", "options-0-description")
                          if page.has(f'[name="{name}"]')}
    assert fields == {
        Method.YES_NO: set(),
        # A cost is information for the methods other than a budget: optional, shown to voters.
        Method.SINGLE_CHOICE: {"number_of_winners", "options-0-label", "options-0-cost", "options-0-description"},
        Method.MAJORITY_JUDGMENT: {"number_of_winners", "options-0-label", "options-0-cost", "options-0-description"},
        Method.APPROVAL: {"max_choices", "number_of_winners", "options-0-label", "options-0-cost",
                          "options-0-description"},
        Method.BUDGET: {"budget", "budget_rule", "voter_cost_limit", "options-0-label", "options-0-cost",
                        "options-0-description"},
    }
    # Each row is a group named by its number, its fields labelled.
    page = client_request.get("decisions.new", method="budget")
    assert page.texts("fieldset.option-row legend")[:2] == ["Projet 1", "Projet 2"]
    assert page.text('label[for="options-1-cost"]') == "Coût en euros"


def test_the_number_of_winners_is_one_by_default_and_less_than_the_options(client_request, login_as):
    login_as(Role.ELECTED)
    assert client_request.get("decisions.new", method="approval").value("number_of_winners") == "1"
    options = "Cinéma\nBal\nFête de la musique\nMarché nocturne"
    too_many = "Le nombre de gagnants doit être d’au moins 1 et inférieur au nombre d’options (4)."
    for typed, error in (("4", too_many),
                         ("0", "Saisissez un nombre entre 1 et 1000."),
                         ("", "Saisissez le nombre de gagnants.")):
        page = client_request.post("decisions.new", _data=_form("approval", options=options, number_of_winners=typed),
                                   _expected_status=200)
        assert page.title.startswith("Erreur : ") and page.field_error("number_of_winners") == error
        assert page.value("number_of_winners") == typed and page.value("options-3-label") == "Marché nocturne"
    assert _decisions() == []
    client_request.post("decisions.new", _data=_form("approval", options=options, number_of_winners="2"))
    assert _decisions()[0].number_of_winners == 2
    # Not asked for a yes / no question nor a budget: one answer, or what the budget rule funds.
    client_request.post("decisions.new", _data=_form("yes_no", options="", number_of_winners="3"))
    assert _decisions()[1].number_of_winners == 1


def test_an_unknown_method_is_asked_again(client_request, login_as):
    login_as(Role.ELECTED)
    page = client_request.get("decisions.new", method="plurality")
    assert page.title.startswith("Erreur : ") and page.field_error("method") == "Choisissez un mode de scrutin."


def test_more_option_rows_without_javascript_keep_what_was_typed(client_request, login_as):
    login_as(Role.ELECTED)
    data = _form("approval", options="Parc\nPiscine\nMédiathèque", add_rows="1")
    page = client_request.post("decisions.new", _data=data, _expected_status=200)
    assert not page.has(".error-summary") and page.value("title") == "Rénovation"
    assert page.value("options-2-label") == "Médiathèque" and page.value("options-5-label") == ""
    assert not page.has('[name="options-6-label"]')
    assert _decisions() == []


def test_options_get_a_description_shown_on_the_decision_and_the_ballot(client_request, login_as):
    login_as(Role.ELECTED)
    data = _form("single_choice", options="Parc\nPiscine")
    data["options-0-description"] = "Réfection des allées et des bancs."
    client_request.post("decisions.new", _data=data)
    decision = _decisions()[0]
    assert [o.description for o in decision.options] == ["Réfection des allées et des bancs.", ""]
    page = client_request.get("decisions.edit", decision_id=decision.id)
    assert page.value("options-0-description") == "Réfection des allées et des bancs."
    decision.announced_at, decision.opens_at = utcnow(), utcnow() - timedelta(hours=1)
    db.session.commit()
    page = client_request.get("decisions.detail", decision_id=decision.id)
    assert page.texts(".option-list li")[0] == "Parc Réfection des allées et des bancs."
    client_request.post("accounts.logout")
    login_as()
    page = client_request.get("decisions.vote", decision_id=decision.id)
    described = page.select_one("#option-first")["aria-describedby"]
    assert page.text(f"#{described}") == "Réfection des allées et des bancs."


def test_a_budget_project_without_a_cost_is_an_error_on_its_row(client_request, login_as):
    login_as(Role.ELECTED)
    data = _form("budget", options="Parc | 40 000 €\nPiscine", budget="100000", budget_rule="greedy")
    page = client_request.post("decisions.new", _data=data, _expected_status=200)
    assert page.errors == ["Indiquez le coût du projet en euros."]
    assert page.has('.error-summary a[href="#options-1-cost"]') and page.value("options-0-cost") == "40000"
    assert _decisions() == []


def test_announcing_asks_for_confirmation(client_request, login_as):
    login_as(Role.ELECTED)
    decision = make_decision(state="draft")
    page = client_request.get("decisions.detail", decision_id=decision.id)
    assert ("Annoncer le vote", f"/decisions/{decision.id}/announce") in page.links("main")
    assert not page.has(f'form[action="/decisions/{decision.id}/announce"]')
    page = client_request.get("decisions.announce", decision_id=decision.id)
    assert page.h1 == f"Annoncer le vote : {decision.title}" and not page.has(".notice")
    db.session.refresh(decision)
    assert decision.state is DecisionState.DRAFT  # looking at the page changed nothing
    page = client_request.post("decisions.announce", decision_id=decision.id, _follow=True)
    db.session.refresh(decision)
    assert decision.state is DecisionState.SCHEDULED
    client_request.get("decisions.announce", decision_id=decision.id, _expected_status=302)


def test_a_vote_shorter_than_a_day_is_warned_about(client_request, login_as):
    login_as(Role.ELECTED)
    opens = utcnow() + timedelta(days=2)
    data = _form(opens_at=(opens + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                 closes_at=(opens + timedelta(hours=13)).strftime("%Y-%m-%dT%H:%M"))
    page = client_request.post("decisions.new", _data=data, _follow=True)
    assert any(n.startswith("Ce vote dure moins d’un jour") for n in page.notices)
    decision = _decisions()[0]
    page = client_request.get("decisions.announce", decision_id=decision.id)
    assert page.text(".notice strong") == "Ce vote dure moins d’un jour."


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_a_week_long_vote_is_not_warned_about(client_request, login_as, state):
    login_as(Role.ELECTED)
    decision = make_decision(state=state)
    assert not services.is_short(decision)
    page = client_request.get("decisions.detail", decision_id=decision.id)
    assert not any("moins d’un jour" in n for n in page.texts(".notice"))


def test_publishing_asks_for_confirmation_below_the_figures(client_request, login_as):
    login_as(Role.ELECTED)
    decision = make_decision(Method.YES_NO)
    for vote in ("yes", "no", "yes"):
        services.cast_ballot(make_user(), decision, {"vote": vote})
    db.session.commit()
    # Nothing reviewed yet: the count first.
    close(decision)
    client_request.get("decisions.publish", decision_id=decision.id, _expected_status=302,
                       _expected_redirect=f"/decisions/{decision.id}/results")
    page = client_request.get("decisions.results", decision_id=decision.id)
    main = str(page.select_one("main"))
    assert main.index("<table") < main.index(f'href="/decisions/{decision.id}/publish"')
    assert not page.has(f'form[action="/decisions/{decision.id}/publish"]')
    page = client_request.get("decisions.publish", decision_id=decision.id)
    assert page.text("main p") == "3 bulletins ont été dépouillés."
    assert db.session.get(ResultPreview, decision.id) is not None and decision.published_at is None
    client_request.post("decisions.publish", decision_id=decision.id)
    db.session.refresh(decision)
    assert decision.published_at is not None


def test_amounts_are_typed_as_people_write_them(client_request, login_as):
    login_as(Role.ELECTED)
    data = _form("budget", options="Parc | 40 000 €\nPiscine | 90\u202f000", budget="150 000",
                 voter_cost_limit="100 000 €", budget_rule="greedy")
    client_request.post("decisions.new", _data=data)
    decision = _decisions()[0]
    assert (decision.budget, decision.voter_cost_limit) == (150_000, 100_000)
    assert [o.cost for o in decision.options] == [40_000, 90_000]
    page = client_request.post("decisions.new", _data={**data, "budget": "1 000 000 001"}, _expected_status=200)
    assert page.field_error("budget").replace("\u202f", " ").replace("\xa0", " ") == (
        "Saisissez un nombre entier d’euros entre 1 et 1 000 000 000.")


@pytest.mark.parametrize("max_choices, named", [
    (2, "Vote par approbation : 2 options au plus par votant"),
    (1, "Vote par approbation : 1 option au plus par votant"),
    (None, "Vote par approbation : choisir les options que l’on soutient"),
])
def test_an_approval_vote_is_described_with_its_maximum_wherever_its_method_is(client_request, login_as,
                                                                             max_choices, named):
    login_as(Role.ELECTED)
    decision = make_decision(Method.APPROVAL, state="draft", max_choices=max_choices)
    page = client_request.get("decisions.index")
    assert page.text(".card .meta").startswith(f"Brouillon {named} · ")
    page = client_request.get("decisions.announce", decision_id=decision.id)
    summary = dict(zip(page.texts("dl.summary dt"), page.texts("dl.summary dd")))
    assert summary["Mode de scrutin"] == named
    page = client_request.get("decisions.detail", decision_id=decision.id)
    assert page.texts("details p")[0] == named
    assert sum("au plus" in p for p in page.texts("details p")) == (1 if max_choices else 0)


def test_the_approval_form_claims_no_number_of_options_beside_its_maximum(client_request, login_as):
    login_as(Role.ELECTED)
    page = client_request.get("decisions.new", method="approval")
    assert "autant" not in page.text("main form") and "que l’on veut" not in page.text("main")
    assert page.text("#max_choices-hint") == "Laissez vide pour ne fixer aucune limite."
