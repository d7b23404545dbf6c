#!/usr/bin/env python3
"""Civic's equal shares against pabutools on real participatory budgets: time and funded projects.

    .venv/bin/python scripts/bench/equal_shares.py [--pabutools-python .venv-bench/bin/python] [FILE.pb ...]

Each Pabulib file (by default the approval elections of ../shared/data/pabulib) is counted by Civic's
recount (equal shares, completed by raising the voters' budget one unit at a time) and by pabutools'
method_of_equal_shares with the same completion (voter_budget_increment=1, cost satisfaction), best
of 3, each in its own process so that one does not warm the other's caches. pabutools runs in the
Python given (make bench makes .venv-bench with requirements/bench.txt: pabutools brings numpy,
gurobipy and PuLP, which Civic does not need). The funded projects of both are compared.
Timings depend on the machine: they are reported, never asserted.
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from civic.voting import pabulib  # noqa: E402
from civic.voting.recount import recount_pb  # noqa: E402

PABULIB = ROOT.parent / "shared" / "data" / "pabulib"
RUNS = 3


def civic_count(path):
    """(best seconds, funded project ids) of Civic's count."""
    best, funded = None, None
    for _ in range(RUNS):
        start = time.perf_counter()
        funded = recount_pb(path, rule="equalshares/add1")
        seconds = time.perf_counter() - start
        best = seconds if best is None else min(best, seconds)
    return best, sorted(str(p) for p in funded)


def pabutools_count(path):
    """The same with pabutools, in the interpreter that has it (prints JSON)."""
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import method_of_equal_shares

    best, funded = None, None
    for _ in range(RUNS):
        instance, profile = parse_pabulib(str(path))
        start = time.perf_counter()
        result = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
        seconds = time.perf_counter() - start
        best = seconds if best is None else min(best, seconds)
        funded = sorted(str(p.name) for p in result)
    print(json.dumps([best, funded]))


def _approval_files(paths):
    return [p for p in paths if pabulib.read(p).meta.get("vote_type", "approval") == "approval"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--pabutools-python", default=str(ROOT / ".venv-bench" / "bin" / "python"),
                        help="a Python with pabutools installed (requirements/bench.txt)")
    parser.add_argument("--pabutools-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.pabutools_child:
        pabutools_count(args.pabutools_child)
        return []
    rows = []
    print(f"{'election':<45} {'voters':>7} {'Civic':>8} {'pabutools':>10} {'ratio':>6}  funded")
    for path in _approval_files(args.files or sorted(PABULIB.glob("*.pb"))):
        voters = len(pabulib.read(path).votes)
        civic_seconds, civic_funded = civic_count(path)
        if Path(args.pabutools_python).exists():
            output = subprocess.run([args.pabutools_python, __file__, "--pabutools-child", str(path)], check=True,
                                    capture_output=True, text=True).stdout
            pabu_seconds, pabu_funded = json.loads(output.splitlines()[-1])
            same = "same" if civic_funded == sorted(pabu_funded) else f"DIFFERENT: {civic_funded} / {pabu_funded}"
            line = f"{pabu_seconds:9.3f}s {civic_seconds / pabu_seconds:5.2f}x  {same}"
        else:
            pabu_seconds, line = None, f"(no pabutools at {args.pabutools_python}: make bench installs it)"
        print(f"{path.stem:<45} {voters:>7} {civic_seconds:7.3f}s {line}")
        rows.append((path.stem, voters, civic_seconds, pabu_seconds))
    return rows


if __name__ == "__main__":
    main()
