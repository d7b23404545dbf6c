"""Editing a process once it has started or once its vote is built: what residents acted on stays, and the vote
keeps the days of its phase."""
from datetime import timedelta

from civic.access import Role
from civic.decisions.models import Decision, DecisionState, Method
from civic.extensions import db
from civic.processes.models import Feasibility, PhaseKind
from civic.processes.phases import today
from civic.processes.services import build_vote
from civic.timezones import paris_day_bounds, utc_to_paris
from civic.db_types import utcnow
from tests.client import form_data
from tests.factories import make_theme, make_user
from tests.processes.helpers import make_process, mark_studied, propose_in


def _day(day):
    return day.strftime("%d/%m/%Y")


def _form(process, **changes):
    """What the edit form holds for ``process``, with ``changes``."""
    data = {"title": process.title, "summary": process.summary, "description": process.description,
            "budget": str(process.budget or ""), "themes": [str(t.id) for t in process.themes]}
    for n, phase in enumerate(process.phases):
        data.update({f"phases-{n}-kind": phase.kind.value, f"phases-{n}-starts_on": _day(phase.starts_on),
                     f"phases-{n}-ends_on": _day(phase.ends_on)})
    data.update(changes)
    return data


def _built(phases=None):
    """A process in its study (or with ``phases``) whose vote is built and announced."""
    official = make_user(role=Role.ELECTED)
    process = make_process(PhaseKind.STUDY, by=official, phases=phases)
    for title in ("Un jardin", "Des bancs"):
        mark_studied(propose_in(process, title=title), Feasibility.FEASIBLE, cost=10_000)
    decision = build_vote(process, official, "Quels projets ?")
    decision.announced_at = utcnow()
    db.session.commit()
    return process, decision


def test_the_vote_moves_with_its_phase_until_it_opens(client_request, login_as):
    process, decision = _built()
    login_as(Role.ELECTED)
    vote = process.phase_of(PhaseKind.VOTE)
    later = (vote.starts_on + timedelta(days=2), vote.ends_on)
    client_request.post("processes.edit", process_id=process.id, _data=_form(process, **{
        "phases-2-starts_on": _day(later[0]), "phases-2-ends_on": _day(later[1]), "budget": "120 000"}))
    decision = db.session.get(Decision, decision.id)
    assert (decision.opens_at, decision.closes_at) == paris_day_bounds(*later)
    assert decision.budget == 120_000 and decision.state is DecisionState.SCHEDULED

    # Once open, the vote's days and budget stay: refused on the field, with what was typed kept.
    decision.opens_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    page = client_request.post("processes.edit", process_id=process.id, _expected_status=200, _data=_form(
        process, **{"phases-2-ends_on": _day(later[1] - timedelta(days=3))}))
    assert page.field_error("phases-2-ends_on") == ("Étape 3 : le vote de ce processus est ouvert ; ses jours ne "
                                                    "changent plus.")
    assert page.value("phases-2-ends_on") == _day(later[1] - timedelta(days=3))
    page = client_request.post("processes.edit", process_id=process.id, _expected_status=200,
                               _data=_form(process, budget="90 000"))
    assert page.field_error("budget") == ("Le vote de budget participatif de ce processus est ouvert ; son budget ne "
                                          "change plus.")
    page = client_request.post("processes.edit", process_id=process.id, _expected_status=200, _data=_form(
        process, **{"phases-2-kind": "", "phases-2-starts_on": "", "phases-2-ends_on": ""}))
    assert page.errors == ["Le vote de ce processus est construit : sa phase de vote reste dans le processus."]
    assert db.session.get(Decision, decision.id).closes_at == paris_day_bounds(*later)[1]


def test_an_announced_vote_is_not_moved_to_a_past_day(client_request, login_as):
    process, decision = _built(phases=[(PhaseKind.IDEAS, today() - timedelta(20), today() - timedelta(11)),
                                       (PhaseKind.STUDY, today() - timedelta(10), today() - timedelta(1)),
                                       (PhaseKind.VOTE, today() + timedelta(3), today() + timedelta(10))])
    login_as(Role.ELECTED)
    page = client_request.post("processes.edit", process_id=process.id, _expected_status=200,
                               _data=_form(process, **{"phases-2-starts_on": _day(today())}))
    assert page.field_error("phases-2-starts_on") == ("Étape 3 : le vote de ce processus est annoncé ; il ouvre un "
                                                      "jour à venir.")


def test_what_residents_acted_on_stays_once_started(client_request, login_as):
    nature, sport = make_theme("Nature"), make_theme("Sport")
    process = make_process(PhaseKind.STUDY, theme_ids=[nature.id, sport.id])
    propose_in(process, theme=nature)
    login_as(Role.ADMIN)
    ideas, study = process.phases[0], process.phases[1]
    page = client_request.post("processes.edit", process_id=process.id, _expected_status=200,
                               _data=_form(process, **{"phases-0-starts_on": _day(ideas.starts_on + timedelta(1))}))
    assert page.field_error("phases-0-starts_on").startswith("L’étape 1 a commencé le ")
    page = client_request.post("processes.edit", process_id=process.id, _expected_status=200,
                               _data=_form(process, **{"phases-0-ends_on": _day(ideas.ends_on - timedelta(1))}))
    assert page.field_error("phases-0-ends_on") == "L’étape 1 est terminée : son dernier jour reste."
    page = client_request.post("processes.edit", process_id=process.id, _expected_status=200,
                               _data=_form(process, **{"phases-1-ends_on": _day(today() - timedelta(1))}))
    assert page.field_error("phases-1-ends_on") == "L’étape 2 est en cours : elle se termine aujourd’hui au plus tôt."
    page = client_request.post("processes.edit", process_id=process.id, _expected_status=200, _data=_form(
        process, **{"phases-0-kind": "", "phases-0-starts_on": "", "phases-0-ends_on": ""}))
    assert page.errors == ["La phase « idées » a commencé : elle reste dans le processus."]
    page = client_request.post("processes.edit", process_id=process.id, _expected_status=200,
                               _data=_form(process, themes=[str(sport.id)]))
    assert page.field_error("themes") == ("Des propositions de ce processus ont un thème que vous avez retiré : "
                                          "gardez-le, ou déplacez-les d’abord.")
    # What is still to come changes; the phase under way ends earlier, not before today.
    client_request.post("processes.edit", process_id=process.id, _data=_form(process, **{
        "phases-1-ends_on": _day(today()), "themes": [str(nature.id)]}))
    assert process.phase_of(PhaseKind.STUDY).ends_on == today()
    assert [t.name for t in process.themes] == ["Nature"]


def test_a_phase_to_come_is_not_moved_into_the_past(client_request, login_as):
    """Residents would never have had its days: a published process's phases to come start today at the earliest."""
    process = make_process(phases=[(PhaseKind.IDEAS, today() + timedelta(5), today() + timedelta(20)),
                                   (PhaseKind.VOTE, today() + timedelta(25), today() + timedelta(30))])
    login_as(Role.ELECTED)
    page = client_request.post("processes.edit", process_id=process.id, _expected_status=200, _data=_form(process, **{
        "phases-0-starts_on": _day(today() - timedelta(30)), "phases-0-ends_on": _day(today() - timedelta(10))}))
    assert page.field_error("phases-0-starts_on") == ("Étape 1 : elle n’a pas commencé ; elle commence aujourd’hui "
                                                      "au plus tôt.")
    assert db.session.get(type(process), process.id).phases[0].starts_on == today() + timedelta(5)


def test_on_its_own_page_the_built_vote_changes_its_hours_not_its_days_nor_its_budget(client_request, login_as):
    """The vote's page and the process's page never say two things: the process moves the vote's days and budget
    (above), the vote's own form may only choose the hours within them."""
    process, decision = _built()
    login_as(Role.ELECTED)
    vote = process.phase_of(PhaseKind.VOTE)
    shown = client_request.get("decisions.edit", decision_id=decision.id)
    data = form_data(shown.select_one("main form"))
    assert shown.text("#phase-days").startswith("Ce vote suit la phase de vote du processus")
    assert "phase-days" in shown.select_one("#opens_at")["aria-describedby"]
    assert "celui du processus" in shown.text("#budget-hint")
    first, last = vote.starts_on.isoformat(), vote.ends_on.isoformat()
    assert (data["opens_at"], data["closes_at"]) == ([f"{first}T00:00"],
                                                    [f"{(vote.ends_on + timedelta(days=1)).isoformat()}T00:00"])

    # Hours within its days: saved.
    client_request.post("decisions.edit", decision_id=decision.id,
                        _data={**data, "opens_at": f"{first}T09:00", "closes_at": f"{last}T18:30"})
    saved = db.session.get(Decision, decision.id)
    assert utc_to_paris(saved.opens_at).strftime("%Y-%m-%d %H:%M") == f"{first} 09:00"
    assert utc_to_paris(saved.closes_at).strftime("%Y-%m-%d %H:%M") == f"{last} 18:30"

    # Another day, either end, or another budget: refused on the field, what was typed kept, nothing changed.
    next_day = (vote.starts_on + timedelta(days=1)).isoformat()
    page = client_request.post("decisions.edit", decision_id=decision.id, _expected_status=200,
                               _data={**data, "opens_at": f"{next_day}T09:00", "closes_at": f"{last}T18:30"})
    assert page.field_error("opens_at").startswith("Ce vote suit la phase de vote de son processus : il ouvre le ")
    assert page.value("opens_at") == f"{next_day}T09:00"
    later = (vote.ends_on + timedelta(days=3)).isoformat()
    page = client_request.post("decisions.edit", decision_id=decision.id, _expected_status=200,
                               _data={**data, "opens_at": f"{first}T09:00", "closes_at": f"{later}T18:00"})
    assert page.field_error("closes_at").startswith("Ce vote suit la phase de vote de son processus : il ferme le ")
    page = client_request.post("decisions.edit", decision_id=decision.id, _expected_status=200,
                               _data={**data, "opens_at": f"{first}T09:00", "closes_at": f"{last}T18:30",
                                      "budget": "1000000"})
    assert page.field_error("budget") == "Le budget de ce vote est celui de son processus : changez-le sur la page du processus."
    unchanged = db.session.get(Decision, decision.id)
    assert (unchanged.opens_at, unchanged.closes_at, unchanged.budget) == (saved.opens_at, saved.closes_at,
                                                                           process.budget)


def test_a_vote_built_from_a_process_without_budget_does_not_become_a_participatory_budget(client_request, login_as):
    """As when the process builds it: a participatory budget spends the process's budget, and needs one."""
    official = make_user(role=Role.ELECTED)
    process = make_process(PhaseKind.STUDY, by=official, budget=None)
    for title in ("Un jardin", "Des bancs"):
        mark_studied(propose_in(process, title=title), Feasibility.FEASIBLE, cost=10_000)
    decision = build_vote(process, official, "Quels projets ?", method=Method.APPROVAL)
    db.session.commit()
    login_as(Role.ELECTED)
    shown = client_request.get("decisions.edit", decision_id=decision.id, method="budget")
    data = {**form_data(shown.select_one("main form")), "budget": "5000", "budget_rule": "greedy"}
    page = client_request.post("decisions.edit", decision_id=decision.id, _expected_status=200, _data=data)
    assert page.field_error("budget") == ("Donnez au processus son budget total avant de construire un vote de "
                                          "budget participatif.")
    assert db.session.get(Decision, decision.id).method is Method.APPROVAL
