"""Real elections from Pabulib: the rule in META must fund exactly the projects the city funded."""
import os
from collections import Counter
from pathlib import Path

import pytest

from civic.voting import budget, pabulib
from civic.voting.recount import recount_pb

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "pabulib"


@pytest.fixture(autouse=True)
def _reference_data():
    """Skip without the shared data on a developer's machine; in CI (where it sits beside the clone) fail."""
    if not DATA.is_dir():
        message = f"Pabulib reference files not found in {DATA} (expected beside the repository)"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message)
        pytest.skip(message)

WITH_OFFICIAL_RESULT = [
    ("poland_lodz_2020_baluty-zachodnie.pb", "greedy"),
    ("poland_warszawa_2018_subunit-wawer.pb", "greedy"),
    ("poland_wroclaw_2017_rejon-nr-2-750.pb", "greedy"),
    ("Netherlands_Assen_2024.pb", "equalshares/add1"),
]


def official(pb):
    return {pid for pid, row in pb.projects.items() if row["selected"].strip() == "1"}


@pytest.mark.parametrize("name, rule", WITH_OFFICIAL_RESULT)
def test_recount_matches_official_result(name, rule):
    pb = pabulib.read(DATA / name)
    assert pb.meta["rule"] == rule
    assert pb.meta["vote_type"] == "approval"
    assert len(pb.votes) == int(pb.meta["num_votes"])
    assert len(pb.projects) == int(pb.meta["num_projects"])
    # The file's own vote counts agree with the ballots we read.
    approvals = Counter(p for ballot in pb.approvals() for p in ballot)
    assert {pid: approvals[pid] for pid in pb.projects} == {
        pid: int(row["votes"]) for pid, row in pb.projects.items()
    }
    selected = recount_pb(DATA / name)
    assert set(selected) == official(pb)
    assert len(selected) == len(set(selected))
    costs = pb.instance().costs()
    assert sum(costs[p] for p in selected) <= pb.instance().budget


def test_assen_needs_add_one_without_greedy_top_up():
    pb = pabulib.read(DATA / "Netherlands_Assen_2024.pb")
    inst, ballots = pb.instance(), pb.approvals()
    assert set(budget.equal_shares(inst, ballots, completion="add1")) == official(pb)
    # Plain Equal Shares funds too little, and a greedy top-up would add project 7 (RuBox).
    assert set(budget.equal_shares(inst, ballots, completion=None)) < official(pb)
    assert set(budget.equal_shares(inst, ballots, completion="add1_greedy")) == official(pb) | {"7"}


def test_greedy_files_have_no_tie_the_tie_break_could_decide():
    # Documented tie-break (cheaper first, then listed order) is not exercised by these files.
    for name, _ in WITH_OFFICIAL_RESULT[:3]:
        votes = [int(row["votes"]) for row in pabulib.read(DATA / name).projects.values()]
        assert len(set(votes)) == len(votes), name


def test_toulouse_cumulative():
    path = DATA / "France_Toulouse_2019.pb"
    pb = pabulib.read(path)
    assert pb.meta["vote_type"] == "cumulative"
    assert len(pb.votes) == int(pb.meta["num_votes"]) == 1494
    assert len(pb.projects) == int(pb.meta["num_projects"]) == 30
    ballots = pb.points()
    assert all(sum(b.values()) <= int(pb.meta["max_sum_points"]) for b in ballots)
    assert all(max(b.values()) <= int(pb.meta["max_points"]) for b in ballots if b)
    # The file's "score" (total points) and "votes" columns agree with the ballots.
    points, voters = Counter(), Counter()
    for ballot in ballots:
        points.update(ballot)
        voters.update(ballot.keys())
    for pid, row in pb.projects.items():
        assert (points[pid], voters[pid]) == (int(row["score"]), int(row["votes"])), pid
    inst = pb.instance()
    selected = budget.greedy_by_score(inst, ballots)
    assert selected == recount_pb(path)
    costs = inst.costs()
    assert sum(costs[p] for p in selected) <= inst.budget
    # Funded by decreasing points, each one fitting in what was left.
    scores = [points[p] for p in selected]
    assert scores == sorted(scores, reverse=True)
    assert selected[0] == "4"  # most points (1090), 390 000 € of the 1 000 000 €
    # Round trip: the writer gives back exactly what was read.
    text = pabulib.write(pb)
    assert pabulib.read(text) == pb
    assert pabulib.write(pabulib.read(text)) == text


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.pb")) if DATA.is_dir() else [])
def test_every_file_round_trips(name):
    pb = pabulib.read(DATA / name)
    assert pabulib.read(pabulib.write(pb)) == pb
    assert pabulib.read((DATA / name).read_text(encoding="utf-8")) == pb
