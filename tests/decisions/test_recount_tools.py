"""Recounting without Civic, with other people's tools: results.json against its JSON Schema, the .pb files
against pabulib-checker, and pabutools given Civic's stated tie-break finding Civic's winners."""
import copy
import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from pabulib.checker import Checker
from pabutools.election import Cost_Sat, Instance
from pabutools.election.pabulib import parse_pabulib_from_string
from pabutools.election.satisfaction.additivesatisfaction import AdditiveSatisfaction
from pabutools.fractions import frac
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.tiebreaking import TieBreakingRule

from civic.decisions.files import BALLOTS_CSV, BALLOTS_PB, DATAPACKAGE, RESULTS_JSON
from civic.decisions.models import Method
from civic.voting import budget, pabulib
from civic.voting.recount import recount_pb
from tests.conftest import demo_app_for_this_module
from tests.decisions.helpers import published_decisions, published_results, published_text
from tests.json_schema import errors

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "results.schema.json").read_text(encoding="utf-8"))
PABULIB = ROOT.parent / "shared" / "data" / "pabulib"
SHARED_FILES = sorted(PABULIB.glob("*.pb"))
# What pabulib-checker 1.0.8 finds in Pabulib's own files, made before its present rules (a language written
# "polish", the sex "K", the field "target" renamed in 2026, a comment not numbered): only these, and the files
# Civic writes out from them have exactly the same. The other files pass.
KNOWN_ERRORS = {
    "poland_lodz_2020_baluty-zachodnie.pb": {"invalid meta field value", "invalid votes field value"},
    "poland_warszawa_2018_subunit-wawer.pb": {"invalid meta field value", "invalid projects field value",
                                              "invalid comment numbering"},
    "poland_wroclaw_2017_rejon-nr-2-750.pb": {"invalid meta field value", "not known projects fields"},
}


def checked(text):
    """pabulib-checker's {"errors": {kind: {n: message}}, "warnings": ...} for a .pb file's text."""
    report = Checker().process_files([text])
    (result,) = [v["results"] for k, v in report.items() if k not in ("metadata", "summary")]
    return result


# The demo published once for the session (tests/conftest.py): each test reads it in its rolled-back transaction.
app = demo_app_for_this_module("published_demo_app")


@pytest.fixture
def demo(ctx):
    return published_decisions()


def test_every_demo_results_json_follows_its_schema(demo):
    assert {d.method for d in demo} == set(Method)  # one of each method at least
    for decision in demo:
        results = json.loads(published_text(decision, RESULTS_JSON))
        assert errors(results, SCHEMA) == [], decision.title
    # What the data package's x_civic repeats of results.json has the same name and value there.
    for decision in demo:
        results = published_results(decision)
        x_civic = json.loads(published_text(decision, DATAPACKAGE))["x_civic"]
        shared = set(x_civic) & set(SCHEMA["properties"])
        assert {"eligible", "ballots", "tie_break", "method", "budget_rule"} <= shared and "electorate" not in x_civic
        assert {k: x_civic[k] for k in shared} == {k: results[k] for k in shared}, decision.title
    # The validator does refuse what the schema forbids.
    results = published_results(demo[0])
    broken = copy.deepcopy(results)
    del broken["eligible"]
    broken["method"], broken["extra"] = "plurality", 1
    assert set(errors(broken, SCHEMA)) == {"$: 'eligible' is required", "$: 'extra' is not allowed",
                                           "$.method: 'plurality' is not one of ['yes_no', 'single_choice', "
                                           "'approval', 'majority_judgment', 'budget']"}


def test_demo_budgets_pass_pabulib_checker(demo):
    budgets = [d for d in demo if d.method is Method.BUDGET]
    assert len(budgets) == 2
    for decision in budgets:
        text = published_text(decision, BALLOTS_PB)
        result = checked(text)
        assert result["errors"] == {}, decision.title
        # The checker recounted "selected" with the rule the META names, and agrees with Civic.
        assert set(result["warnings"]) <= {"project with no votes"}
        meta = pabulib.read(text).meta
        assert meta["date_begin"] and meta["date_end"]
        # The tie-break of the budget's own rule, as results.json says it.
        ties = budget.TIE_BREAKS_EN[decision.budget_rule.value]
        assert f"#2: Ties: {ties}." in meta["comment"] and ties == published_results(decision)["tie_break"]


@pytest.mark.parametrize("path", SHARED_FILES, ids=lambda p: p.name)
def test_pabulib_files_and_civic_s_writing_of_them_pass_the_checker_alike(path):
    original = checked(str(path))
    assert set(original["errors"]) == KNOWN_ERRORS.get(path.name, set())
    written = checked(pabulib.write(pabulib.read(path)))
    assert written["errors"] == original["errors"]


def _civic_tie_break(pb):
    """Civic's stated tie-break: more votes (points), then the cheaper project, then the projects' order."""
    position = {pid: i for i, pid in enumerate(pb.projects)}
    score = {pid: 0 for pid in pb.projects}
    for ballot in pb.points():
        for pid, points in ballot.items():
            score[pid] += points
    return score, TieBreakingRule(lambda _instance, _profile, project: (-score[project.name], project.cost,
                                                                        position[project.name]))


class PointsTimesCost(AdditiveSatisfaction):
    """Greedy by total points (Civic's rule for cumulative ballots) as pabutools' greedy welfare: the satisfaction
    per euro of a project is then its points. With approval ballots this is pabutools' Cost_Sat."""

    def __init__(self, instance, profile, ballot):
        super().__init__(instance, profile, ballot,
                         lambda _i, _p, b, project, _v: frac(b[project]) * project.cost if project in b else 0)


def pabutools_winners(text):
    """The funded project ids that pabutools finds for a .pb, with the rule its META names and Civic's tie-break."""
    pb = pabulib.read(text)
    instance, profile = parse_pabulib_from_string(text)
    score, tie_breaking = _civic_tie_break(pb)
    # Civic never funds a project nobody voted for, even with money left: those are not candidates.
    candidates = Instance((p for p in instance if score[p.name] > 0), budget_limit=instance.budget_limit)
    rule = pb.meta["rule"]
    if rule == "greedy":
        sat = Cost_Sat if pb.meta["vote_type"] == "approval" else PointsTimesCost
        funded = greedy_utilitarian_welfare(candidates, profile, sat_class=sat, tie_breaking=tie_breaking)
    else:
        assert rule == "equalshares/add1"
        funded = method_of_equal_shares(candidates, profile, sat_class=Cost_Sat, tie_breaking=tie_breaking,
                                        voter_budget_increment=1)
    return {p.name for p in funded}


def test_pabutools_reproduces_civic_s_winners_on_the_demo_budgets(demo):
    for decision in (d for d in demo if d.method is Method.BUDGET):
        text = published_text(decision, BALLOTS_PB)
        winners = {str(w) for w in published_results(decision)["count"]["winners"]}
        assert pabutools_winners(text) == winners == set(recount_pb(text)), decision.title


@pytest.mark.parametrize("path", SHARED_FILES, ids=lambda p: p.name)
def test_pabutools_reproduces_civic_s_count_of_pabulib_files(path):
    text = path.read_text(encoding="utf-8-sig")
    assert pabutools_winners(text) == set(recount_pb(text))


def test_with_its_default_tie_break_pabutools_funds_other_projects_than_civic_and_with_civic_s_the_same():
    """Projects listed "9", "10", "3", each approved by every voter; "3" costs more. Civic funds the first listed
    of the cheaper ones, "9"; pabutools by default funds the first name in alphabetical order, "10"."""
    instance = budget.Instance(100, [budget.Project("9", 60), budget.Project("10", 60), budget.Project("3", 70)])
    ballots = [{"9", "10", "3"}] * 3
    for rule in ("greedy", "equalshares/add1"):
        text = pabulib.write(pabulib.PbFile.from_instance(instance, [sorted(b) for b in ballots], meta={
            "rule": rule}))
        assert set(recount_pb(text)) == pabutools_winners(text) == {"9"}
        pb_instance, profile = parse_pabulib_from_string(text)
        default = (greedy_utilitarian_welfare(pb_instance, profile, sat_class=Cost_Sat) if rule == "greedy" else
                   method_of_equal_shares(pb_instance, profile, sat_class=Cost_Sat, voter_budget_increment=1))
        assert {p.name for p in default} == {"10"}


def _readme_snippets():
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Recount it yourself\n", 1)[1]
    return re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.S)


def test_the_readme_s_recounts_find_the_published_winners(demo, tmp_path, monkeypatch):
    budget_snippet, choice_snippet, judgment_snippet = _readme_snippets()
    monkeypatch.chdir(tmp_path)
    ran = []
    for decision in demo:
        snippet, files = {
            Method.BUDGET: (budget_snippet, {BALLOTS_PB: "decision-6.pb"}),
            Method.SINGLE_CHOICE: (choice_snippet, {BALLOTS_CSV: "decision-3-ballots.csv",
                                                    RESULTS_JSON: "decision-3-results.json"}),
            Method.APPROVAL: (choice_snippet, {BALLOTS_CSV: "decision-3-ballots.csv",
                                               RESULTS_JSON: "decision-3-results.json"}),
            Method.MAJORITY_JUDGMENT: (judgment_snippet, {BALLOTS_CSV: "decision-4-ballots.csv",
                                                          RESULTS_JSON: "decision-4-results.json"}),
        }.get(decision.method, (None, {}))
        if snippet is None:
            continue
        for name, saved_as in files.items():
            (tmp_path / saved_as).write_text(published_text(decision, name), encoding="utf-8")
        output = io.StringIO()
        with redirect_stdout(output):
            exec(compile(snippet, "README.md", "exec"), {"__name__": "readme"})  # noqa: S102 - our own README
        assert json.loads(output.getvalue()) == sorted(published_results(decision)["count"]["winners"]), decision.title
        ran.append(decision.method)
    # Both budget rules, single choice, approval electing two, majority judgment.
    assert sorted(m.value for m in ran) == ["approval", "budget", "budget", "majority_judgment", "single_choice",
                                            "single_choice"]
