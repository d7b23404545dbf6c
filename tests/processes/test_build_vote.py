"""Building the vote of a process in one step from its feasible projects, costs and links kept, once."""
from civic.access import Role
from civic.accounts.models import District
from civic.decisions.models import BudgetRule, Decision, DecisionState, Method
from civic.extensions import db
from civic.processes.models import Feasibility, PhaseKind, Process
from civic.db_types import utcnow
from civic.timezones import paris_day_bounds
from tests.processes.helpers import make_process, mark_studied, propose_in


def _process_with_studies(**fields):
    process = make_process(PhaseKind.STUDY, **fields)
    garden, bench, pool, waiting = (propose_in(process, title=t) for t in ("Un jardin", "Des bancs", "Une piscine",
                                                                          "Pas encore étudiée"))
    mark_studied(garden, cost=20_000), mark_studied(bench, cost=5_000)
    mark_studied(pool, Feasibility.NOT_FEASIBLE, cost=None, reason="Trop cher.")
    return process, garden, bench


def test_an_official_builds_the_vote_from_the_feasible_projects_once(client_request, login_as):
    district = District(name="Les Tilleuls")
    db.session.add(district)
    db.session.commit()
    process, garden, bench = _process_with_studies(district_ids=[district.id])
    login_as(Role.ELECTED)
    page = client_request.get("processes.build_vote", process_id=process.id)
    assert page.h1 == "Construire le vote : Budget participatif 2027"
    assert [a.text for a in page.select("table a")] == ["Un jardin", "Des bancs"]
    assert page.select_one("input[name=method][checked]")["value"] == "budget"
    client_request.post("processes.build_vote", process_id=process.id, _data={"method": "budget",
                                                                               "budget_rule": "equal_shares"})
    decision = db.session.execute(db.select(Decision)).scalar_one()
    assert db.session.get(Process, process.id).decision_id == decision.id
    assert (decision.method, decision.budget, decision.budget_rule) == (Method.BUDGET, 100_000, BudgetRule.EQUAL_SHARES)
    assert [(o.label, o.cost, o.proposal_id) for o in decision.options] == [("Un jardin", 20_000, garden.id),
                                                                           ("Des bancs", 5_000, bench.id)]
    vote = process.phase_of(PhaseKind.VOTE)
    assert (decision.opens_at, decision.closes_at) == paris_day_bounds(vote.starts_on, vote.ends_on)
    assert [d.name for d in decision.districts] == ["Les Tilleuls"]
    assert decision.state is DecisionState.DRAFT and decision.question == "Quels projets réaliser\u202f?"
    page = client_request.get("decisions.detail", decision_id=decision.id)
    assert page.select_one("main a[href$='/processus/%d']" % process.id).text == "Budget participatif 2027"
    page = client_request.get("processes.detail", process_id=process.id)
    assert page.select_one("#vote-title + p a").text == "Budget participatif 2027"
    # Twice: refused, with the reason.
    page = client_request.post("processes.build_vote", process_id=process.id, _data={"method": "budget"}, _follow=True)
    assert page.notices == ["Le vote de ce processus est déjà construit."]
    assert db.session.execute(db.select(db.func.count(Decision.id))).scalar_one() == 1


def test_any_method_but_yes_no_and_a_budget_vote_needs_the_budget(client_request, login_as):
    process, _garden, _bench = _process_with_studies(budget=None)
    login_as(Role.ADMIN)
    page = client_request.post("processes.build_vote", process_id=process.id, _data={"method": "budget"},
                               _expected_status=200)
    assert page.field_error("method") == ("Donnez au processus son budget total avant de construire un vote de budget "
                                          "participatif.")
    page = client_request.post("processes.build_vote", process_id=process.id, _data={"method": "yes_no"},
                               _expected_status=200)
    assert page.field_error("method") == "Choisissez un mode de scrutin."
    # The number of winners is read for the methods that rank only: typed for a budget, it changes nothing.
    page = client_request.post("processes.build_vote", process_id=process.id,
                               _data={"method": "budget", "budget_rule": "greedy", "number_of_winners": "abc"},
                               _expected_status=200)
    assert page.field_error("method").startswith("Donnez au processus son budget total")
    page = client_request.post("processes.build_vote", process_id=process.id,
                               _data={"method": "approval", "number_of_winners": "5"}, _expected_status=200)
    assert page.errors == ["Le nombre de gagnants doit être d’au moins 1 et inférieur au nombre d’options (2)."]
    client_request.post("processes.build_vote", process_id=process.id,
                        _data={"method": "approval", "number_of_winners": "1"})
    decision = db.session.execute(db.select(Decision)).scalar_one()
    # Costs are carried whatever the method: voters read them beside each project.
    assert decision.method is Method.APPROVAL and [o.cost for o in decision.options] == [20_000, 5_000]


def test_residents_and_moderators_do_not_build_votes(client_request, login_as):
    process, _garden, _bench = _process_with_studies()
    login_as(Role.MODERATOR)
    page = client_request.post("processes.build_vote", process_id=process.id, _data={"method": "budget"},
                               _expected_status=403)
    assert page.h1 == "Accès refusé"
    assert db.session.execute(db.select(Decision)).first() is None


def test_voters_read_the_costs_whatever_the_method(client, client_request, login_as):
    process, _garden, _bench = _process_with_studies()
    login_as(Role.ELECTED)
    page = client_request.get("processes.build_vote", process_id=process.id)
    assert page.text("#method-hint") == ("Quel que soit le mode de scrutin, les votants lisent le coût estimé de chaque "
                                         "projet à côté de lui ; un budget participatif compte aussi les coûts dans "
                                         "le budget.")
    client_request.post("processes.build_vote", process_id=process.id,
                        _data={"method": "single_choice", "number_of_winners": "1"})
    decision = db.session.execute(db.select(Decision)).scalar_one()
    page = client_request.get("decisions.edit", decision_id=decision.id)
    assert page.value("options-0-cost") == "20000"
    decision.announced_at = decision.opens_at = utcnow()
    db.session.commit()
    client.post_form("/logout")
    login_as(Role.RESIDENT)
    page = client_request.get("decisions.vote", decision_id=decision.id)
    assert page.texts("label[for^=option-]")[:2] == ["Un jardin — 20 000 €", "Des bancs — 5 000 €"]
