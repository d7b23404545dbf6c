"""Closing, reviewing, publishing, the results page, the open data and the recount."""
import hashlib
import json
import re

import pytest

from civic.accounts.models import Role
from civic.decisions import services
from civic.counters.models import Channel
from civic.decisions.files import BALLOTS_CSV, BALLOTS_PB
from civic.decisions.models import Method, ResultSnapshot
from civic.extensions import db
from civic.voting.recount import recount_pb
from tests.client import Page
from tests.factories import login, make_user
from tests.decisions.helpers import close, make_decision, published_results, published_text


def _cast(decision, contents, channel=Channel.ONLINE):
    codes = []
    for content in contents:
        codes.append(services.cast_ballot(make_user(), decision, content, channel))
    db.session.commit()
    return codes


def _publish(client, decision):
    login(client, make_user(role=Role.ELECTED))
    preview = client.get(f"/decisions/{decision.id}/results")
    assert preview.status_code == 200
    response = client.post_form(f"/decisions/{decision.id}/publish")
    assert response.status_code == 302
    db.session.refresh(decision)
    return decision.snapshot


def test_single_choice_end_to_end_recount(app, client, ctx, tmp_path):
    decision = make_decision(Method.SINGLE_CHOICE)
    a, b, c = (o.id for o in decision.options)
    codes = _cast(decision, [{"option": a}, {"option": b}, {"option": b}, {"option": None}])
    close(decision)
    # Not public before publication.
    assert client.get(f"/decisions/{decision.id}/results").status_code == 404
    assert client.get(f"/decisions/{decision.id}/ballots.csv").status_code == 404

    snapshot = _publish(client, decision)
    results = published_results(decision)
    assert results["count"] == {"votes": {str(a): 1, str(b): 2, str(c): 0}, "blank": 1, "winners": [b],
                                "tie": []}
    assert results["ballots"] == 4

    client.post_form("/logout")
    page = Page(client.get(f"/decisions/{decision.id}/results"))
    assert page.has('figure[aria-hidden="true"] svg') and page.has("table")
    assert page.text("code.hash") == snapshot.ballots_sha256

    ballots = client.get(f"/decisions/{decision.id}/ballots.csv").get_data(as_text=True)
    assert hashlib.sha256(ballots.encode()).hexdigest() == snapshot.ballots_sha256
    assert sorted(re.findall(r"^([A-Z0-9]{10}),", ballots, re.M)) == sorted(codes)
    assert ballots.splitlines()[0] == f"tracking_code,choice_{a},choice_{b},choice_{c},blank"

    path = tmp_path / "ballots.csv"
    path.write_text(ballots)
    out = app.test_cli_runner().invoke(args=["recount", str(path)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == results["count"]

    package = json.loads(client.get(f"/decisions/{decision.id}/datapackage.json").get_data(as_text=True))
    assert package["licenses"][0]["name"] == "etalab-2.0"
    resource = next(r for r in package["resources"] if r["name"] == "ballots")
    assert resource["hash"] == "sha256:" + snapshot.ballots_sha256
    assert [f["name"] for f in resource["schema"]["fields"]] == ballots.splitlines()[0].split(",")
    results_csv = client.get(f"/decisions/{decision.id}/results.csv").get_data(as_text=True)
    results_res = next(r for r in package["resources"] if r["name"] == "results")
    assert results_res["hash"] == "sha256:" + hashlib.sha256(results_csv.encode()).hexdigest()
    assert json.loads(client.get(f"/decisions/{decision.id}/results.json").get_data(as_text=True)) == results


@pytest.mark.parametrize("method, contents, expected", [
    (Method.YES_NO, [{"vote": "yes"}, {"vote": "no"}, {"vote": "yes"}, {"vote": "blank"}],
     {"yes": 2, "no": 1, "blank": 1, "outcome": "yes"}),
    (Method.YES_NO, [], {"yes": 0, "no": 0, "blank": 0, "outcome": "no_votes"}),
])
def test_yes_no_results(client, ctx, app, tmp_path, method, contents, expected):
    decision = make_decision(method)
    _cast(decision, contents)
    close(decision)
    _publish(client, decision)
    assert published_results(decision)["count"] == expected
    path = tmp_path / "b.csv"
    path.write_text(published_text(decision, BALLOTS_CSV))
    assert json.loads(app.test_cli_runner().invoke(args=["recount", str(path)]).output) == expected


def test_majority_judgment_results_and_recount(client, ctx, app, tmp_path):
    decision = make_decision(Method.MAJORITY_JUDGMENT)
    a, b, c = (str(o.id) for o in decision.options)
    _cast(decision, [
        {"grades": {a: "good", b: "passable", c: "reject"}},
        {"grades": {a: "very_good", b: "good", c: "reject"}},
        {"grades": {a: "fair", b: "excellent", c: "insufficient"}},
    ])
    close(decision)
    _publish(client, decision)
    count = published_results(decision)["count"]
    assert count["majority_grade"] == {a: "good", b: "good", c: "reject"}
    assert count["rank"][c] == 3 and count["winners"] and set(count["winners"]) <= {int(a), int(b)}
    path = tmp_path / "b.csv"
    path.write_text(published_text(decision, BALLOTS_CSV))
    assert json.loads(app.test_cli_runner().invoke(args=["recount", str(path)]).output) == count
    assert Page(client.get(f"/decisions/{decision.id}/results")).has('figure[aria-hidden="true"] svg')


@pytest.mark.parametrize("rule, expected", [("greedy", ["A", "C"]), ("equal_shares", None)])
def test_budget_results_pabulib_and_recount(client, ctx, app, tmp_path, rule, expected):
    from civic.decisions.models import BudgetRule

    decision = make_decision(Method.BUDGET, options=("A", "B", "C"), costs=[60, 50, 40], budget=100,
                             budget_rule=BudgetRule(rule))
    ids = {o.label: o.id for o in decision.options}
    _cast(decision, [{"options": [ids["A"], ids["C"]]}, {"options": [ids["A"]]}, {"options": [ids["B"]]},
                     {"options": [ids["A"], ids["B"]]}])
    close(decision)
    _publish(client, decision)
    count = published_results(decision)["count"]
    assert count["spent"] <= 100
    if expected:
        assert count["winners"] == [ids[x] for x in expected]
    pb = client.get(f"/decisions/{decision.id}/ballots.pb").get_data(as_text=True)
    assert [int(p) for p in recount_pb(pb)] == count["winners"]
    path = tmp_path / "ballots.pb"
    path.write_text(pb)
    out = app.test_cli_runner().invoke(args=["recount", str(path)])
    assert [int(line) for line in out.output.split()] == count["winners"]


def test_publishing_twice_makes_one_snapshot(client, ctx):
    decision = make_decision(Method.YES_NO)
    close(decision)
    _publish(client, decision)
    again = client.post_form(f"/decisions/{decision.id}/publish")  # the vote is no longer closed: published
    assert again.status_code == 403 and "une seule fois" in Page(again).text("main h1 + p")
    with pytest.raises(Exception):
        services.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(ResultSnapshot.id))).scalar_one() == 1


def test_snapshot_unique_constraint(ctx):
    decision = make_decision(Method.YES_NO)
    close(decision)
    user = make_user(role=Role.ELECTED)
    for _ in range(2):
        db.session.add(ResultSnapshot(decision_id=decision.id, published_by_id=user.id, code_version="x",
                                      ballots_sha256="0" * 64))
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_cannot_publish_before_closing(client, ctx):
    decision = make_decision(Method.YES_NO)
    login(client, make_user(role=Role.ELECTED))
    assert client.post_form(f"/decisions/{decision.id}/publish").status_code == 403
    assert client.get(f"/decisions/{decision.id}/results").status_code == 404


def test_turnout_per_channel_only_with_ten_in_each_group(client, ctx):
    decision = make_decision(Method.YES_NO)
    _cast(decision, [{"vote": "yes"}] * 12)
    _cast(decision, [{"vote": "no"}] * 9, Channel.COUNTER)
    close(decision)
    official = make_user(role=Role.ELECTED)
    assert json.loads(services.count_preview(decision, official).results_json)["by_channel"] is None
    decision.closes_at = decision.closes_at.replace(year=decision.closes_at.year + 1)
    db.session.commit()
    _cast(decision, [{"vote": "no"}], Channel.COUNTER)
    close(decision)
    # Closed again: counted again.
    results = json.loads(services.count_preview(decision, official).results_json)
    assert results["by_channel"] == {"online": 12, "counter": 10}
    assert "breakdown" not in results
    _publish(client, decision)
    # No channel on ballots, so none in the file: a lone counter ballot could not be singled out.
    ballots = published_text(decision, BALLOTS_CSV)
    assert ballots.splitlines()[0] == "tracking_code,vote"
    assert "counter" not in ballots and "online" not in ballots


@pytest.mark.parametrize("method", [Method.YES_NO, Method.SINGLE_CHOICE, Method.APPROVAL, Method.MAJORITY_JUDGMENT])
def test_empty_decision_publishes_and_recounts(client, ctx, app, tmp_path, method):
    decision = make_decision(method)
    close(decision)
    _publish(client, decision)
    results = published_results(decision)
    assert results["ballots"] == 0
    path = tmp_path / "empty.csv"
    path.write_text(published_text(decision, BALLOTS_CSV))
    out = app.test_cli_runner().invoke(args=["recount", str(path)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == results["count"]
    assert client.get(f"/decisions/{decision.id}/results").status_code == 200


@pytest.mark.parametrize("rule", ["greedy", "equal_shares"])
def test_empty_budget_publishes_and_recounts_from_pb(client, ctx, app, tmp_path, rule):
    from civic.decisions.models import BudgetRule

    decision = make_decision(Method.BUDGET, options=("A", "B"), costs=[60, 50], budget=100,
                             budget_rule=BudgetRule(rule))
    close(decision)
    _publish(client, decision)
    assert published_results(decision)["count"]["winners"] == []
    path = tmp_path / "empty.pb"
    path.write_text(published_text(decision, BALLOTS_PB))
    out = app.test_cli_runner().invoke(args=["recount", str(path)])
    assert out.exit_code == 0 and out.output == ""


def test_recount_of_a_budget_csv_points_to_the_pb_file(client, ctx, app, tmp_path):
    decision = make_decision(Method.BUDGET, options=("A", "B"), costs=[60, 50], budget=100)
    ids = [o.id for o in decision.options]
    _cast(decision, [{"options": [ids[0]]}])
    close(decision)
    _publish(client, decision)
    path = tmp_path / "budget.csv"
    path.write_text(published_text(decision, BALLOTS_CSV))
    out = app.test_cli_runner().invoke(args=["recount", str(path)])
    assert out.exit_code != 0 and ".pb" in out.output


def test_results_csv_is_spreadsheet_safe(client, ctx):
    decision = make_decision(Method.SINGLE_CHOICE, options=("=HYPERLINK(\"http://x\")", "Équipe B"))
    close(decision)
    _publish(client, decision)
    data = client.get(f"/decisions/{decision.id}/results.csv").get_data(as_text=True)
    assert data.startswith("\ufeff") and "'=HYPERLINK" in data and "Équipe B" in data
    assert "\n=" not in data and ",=" not in data


def test_recount_rejects_a_bad_file(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("hello,world\n1,2\n")
    result = app.test_cli_runner().invoke(args=["recount", str(path)])
    assert result.exit_code != 0 and "Cannot recount" in result.output
