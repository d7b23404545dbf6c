"""Time the counting code on large and real inputs (a report, never a test: no limit is asserted).

    .venv/bin/python scripts/benchmark_counting.py [PABULIB_DIR]

Prints one line per measurement: what was counted, how many voters, seconds (best of 3).
"""
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civic.voting import approval, ballot_file, budget, majority_judgment, pabulib  # noqa: E402
from civic.voting.recount import recount_pb  # noqa: E402


def best_of(runs, function):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def report(what, voters, seconds):
    print(f"{what:<60} {voters:>12,} voters {seconds:>9.3f} s")


def main():
    rng = random.Random(2026)
    voters = 20_000_000
    tallies = {}
    for option in range(12):
        cuts = sorted(rng.randint(0, voters) for _ in range(len(majority_judgment.GRADES) - 1))
        tallies[option] = [b - a for a, b in zip([0, *cuts], [*cuts, voters])]
    report("majority judgment rank, 12 options, from counts", sum(tallies[0]),
           best_of(3, lambda: majority_judgment.rank(tallies)))

    options = list(range(10))
    ballots = [rng.sample(options, rng.randint(0, 4)) for _ in range(200_000)]
    report("approval count, 10 options", len(ballots), best_of(3, lambda: approval.count(options, ballots)))

    contents = [{"options": b} for b in ballots[:50_000]]
    text = ballot_file.write("approval", options, ((f"C{i:09d}", c) for i, c in enumerate(contents)))
    report("ballots CSV read + recount, approval, 10 options", len(contents),
           best_of(3, lambda: ballot_file.recount(text)))

    folder = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data/pabulib")
    for path in sorted(folder.glob("*.pb")):
        pb = pabulib.read(path)
        rules = ("greedy", "equalshares/add1") if pb.meta.get("vote_type", "approval") == "approval" else ("greedy",)
        for rule in rules:
            seconds = best_of(1 if "equal" in rule else 3, lambda: recount_pb(path, rule=rule))
            report(f"{path.stem} {rule}", len(pb.votes), seconds)

    instance = budget.Instance(budget=150_000, projects=[budget.Project(i, c) for i, c in
                                                          enumerate([90_000, 45_000, 8_000, 12_000, 70_000])])
    approvals = [frozenset(rng.sample(range(5), rng.randint(0, 2))) for _ in range(5_000)]
    report("equal shares add-one, 5 projects, 150 000 €", len(approvals),
           best_of(1, lambda: budget.equal_shares(instance, approvals, completion="add1")))


if __name__ == "__main__":
    main()
