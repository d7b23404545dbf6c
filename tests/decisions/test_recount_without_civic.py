"""What a re-user needs to recount a vote without Civic: the number of winners and its tie-break, the
electorate frozen when the vote closed, and files that state the method, its parameters and the dates."""
import csv
import io
import json

from civic.accounts.models import Role
from civic.db_types import utcnow
from civic.decisions import services
from civic.decisions.files import BALLOTS_CSV, DATAPACKAGE, RESULTS_CSV
from civic.decisions.models import Method
from civic.extensions import db
from civic.voting import ballot_file, budget
from tests.client import Page
from tests.decisions.helpers import make_decision, published_results, published_text
from tests.factories import make_user

SUMMER = ("Cinéma en plein air", "Bal du 14 juillet", "Fête de la musique", "Marché nocturne")


def close(decision):
    """Closed now: the accounts created before count in its electorate, those created after do not."""
    decision.closes_at = utcnow()
    db.session.commit()


def _vote(decision, *chosen_positions):
    ids = [o.id for o in decision.options]
    for positions in chosen_positions:
        services.cast_ballot(make_user(), decision, {"options": sorted(ids[p] for p in positions)})
    db.session.commit()


def _publish(decision):
    close(decision)
    services.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.commit()


def test_two_at_most_elects_two_and_the_tie_at_the_second_place_is_broken_by_list_order(app, client, ctx, tmp_path):
    decision = make_decision(Method.APPROVAL, options=SUMMER, max_choices=2, number_of_winners=2)
    cinema, bal, fete, marche = (o.id for o in decision.options)
    # Bal 3 approvals; cinema, fête and marché 2 each: cinema is listed first of the three.
    _vote(decision, (0, 1), (1, 2), (1,), (2, 3), (0, 3))
    _publish(decision)
    results = published_results(decision)
    assert results["count"]["winners"] == [bal, cinema] and results["count"]["tie"] == [cinema, fete, marche]
    assert results["number_of_winners"] == 2 and results["max_choices"] == 2
    assert results["tie_break"] == "more approvals, then the order in which the options are listed"

    rows = list(csv.DictReader(io.StringIO(published_text(decision, RESULTS_CSV).lstrip("\ufeff"))))
    assert [r["label"] for r in rows if r["winner"] == "1"] == ["Cinéma en plein air", "Bal du 14 juillet"]
    # The published ballots, recounted with the number of winners results.json states, give the same count.
    assert ballot_file.recount(published_text(decision, BALLOTS_CSV), winners=2)[1] == results["count"]
    path = tmp_path / "ballots.csv"
    path.write_text(published_text(decision, BALLOTS_CSV), encoding="utf-8")
    printed = app.test_cli_runner().invoke(args=["recount", str(path), "--winners", "2"])
    assert printed.exit_code == 0 and json.loads(printed.output) == results["count"]

    page = Page(client.get(f"/decisions/{decision.id}/results"))
    assert "Gagnants : Bal du 14 juillet, Cinéma en plein air" in page.texts("p.lead")
    tie = ("Égalité : Cinéma en plein air, Fête de la musique, Marché nocturne ont obtenu autant de voix. Comme "
           "annoncé avant le vote, l’ordre dans lequel les options ont été présentées a décidé : Cinéma en plein air "
           "l’emporte.")
    assert tie in page.texts("main p")
    assert "Ce vote retient 2 options." in page.text("main")


def test_majority_judgment_elects_the_k_best_ranks(ctx):
    decision = make_decision(Method.MAJORITY_JUDGMENT, number_of_winners=2)
    a, b, c = (str(o.id) for o in decision.options)
    for grades in (("good", "fair", "good"), ("good", "passable", "good"), ("fair", "reject", "fair")):
        services.cast_ballot(make_user(), decision, {"grades": dict(zip((a, b, c), grades))})
    db.session.commit()
    _publish(decision)
    count = published_results(decision)["count"]
    assert count["rank"] == {a: 1, b: 3, c: 1}
    assert count["winners"] == [int(a), int(c)] and count["tie"] == []


def _residents(n):
    return [make_user() for _ in range(n)]


def test_residents_registering_after_the_vote_closed_do_not_change_its_turnout(client, ctx):
    decision = make_decision(Method.SINGLE_CHOICE)
    _residents(3)  # could vote and did not
    for _ in range(4):
        services.cast_ballot(make_user(), decision, {"option": decision.options[0].id})
    db.session.commit()
    close(decision)
    _residents(6)  # registered after the closing, before anyone looked at the vote
    services.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.commit()
    assert decision.electorate == 7 and published_results(decision)["eligible"] == 7
    page = Page(client.get(f"/decisions/{decision.id}/results"))
    assert "4 bulletins · 57,1 % des 7 habitants inscrits qui pouvaient voter" in page.text("main")


def test_the_electorate_is_frozen_once_by_the_first_job_or_count_after_the_closing(ctx):
    decision = make_decision(Method.YES_NO)
    voters = _residents(5)
    assert services.freeze_closed_electorates() == 0 and decision.electorate is None  # still open
    close(decision)
    assert services.freeze_closed_electorates() == 1
    db.session.commit()
    assert decision.electorate == 5
    # Whatever happens to the accounts later, the frozen count is the one published.
    voters[0].active = False
    _residents(2)
    assert services.freeze_closed_electorates() == 0
    services.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.commit()
    assert decision.electorate == 5 and published_results(decision)["eligible"] == 5


def test_results_json_states_the_method_its_parameters_the_dates_and_the_electorate(ctx):
    decision = make_decision(Method.BUDGET, budget=100, voter_cost_limit=80)
    _residents(2)
    _vote(decision, (0, 1), (2,))
    _publish(decision)
    results = published_results(decision)
    assert {k: results[k] for k in ("method", "budget_rule", "budget", "voter_cost_limit", "number_of_winners",
                                    "eligible", "ballots")} == {
        "method": "budget", "budget_rule": "greedy", "budget": 100, "voter_cost_limit": 80,
        "number_of_winners": None, "eligible": 4, "ballots": 2}
    assert results["tie_break"] == budget.TIE_BREAKS_EN["greedy"] and "points" not in results["tie_break"]
    assert [results[k] for k in ("opens_at", "closes_at", "published_at")] == [
        decision.opens_at.isoformat(), decision.closes_at.isoformat(), decision.published_at.isoformat()]
    package = json.loads(published_text(decision, DATAPACKAGE))
    assert {k: package["x_civic"][k] for k in ("method", "budget_rule", "budget", "voter_cost_limit",
                                               "number_of_winners", "tie_break", "opens_at", "closes_at",
                                               "published_at")} == {
        k: results[k] for k in ("method", "budget_rule", "budget", "voter_cost_limit", "number_of_winners",
                                "tie_break", "opens_at", "closes_at", "published_at")}
    # The electorate has one name in every file: results.json's "eligible", which a recount reads.
    assert package["x_civic"]["eligible"] == 4 == results["eligible"] and "electorate" not in package["x_civic"]
    resources = {r["name"]: r for r in package["resources"]}
    assert resources["results-json"]["x_json_schema"].endswith("/decisions/results.schema.json")
    assert "greedy" in resources["results"]["description"] and "tie" in resources["results"]["description"]
