#!/usr/bin/env python3
"""make bench: how Civic's pages, publication and counting hold from a village to a metropolis.

1. Builds four databases, each migrated and seeded as `make run` does: the demo alone ("small") and
   the demo with `flask seed-scale`'s metropolis ("big": 50 000 residents, 100 000 proposals,
   1 000 000 supports, 300 000 comments, reports, journals, follows, a majority-judgment vote with
   1 000 000 ballots and a participatory budget with 100 000), on SQLite and on a throwaway
   PostgreSQL (scripts/pg.sh, on 127.0.0.1, stopped at the end).
2. scripts/bench/pages.py: median latency and SQL statements of every key page, small against big.
3. scripts/bench/throughput.py: requests per second of key pages under gunicorn against two bare
   Flask apps rendering 20 rows from the same databases, in one run.
4. scripts/bench/publication.py: publishing and recounting the 1M-ballot vote, time and peak memory.
5. scripts/bench/equal_shares.py: Civic's equal shares against pabutools on real elections.

    make bench                       # everything, full sizes (about half an hour on 2 cores)
    make bench BENCH_ARGS=--quick    # a tenth of the sizes, to try the bench itself

Timings depend on the machine and on what else runs on it: they are reported, never asserted.
"""
import argparse
import contextlib
import importlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
PARTS = ("pages", "throughput", "publication", "equal_shares")

FULL = {"users": 50_000, "proposals": 100_000, "supports": 1_000_000, "comments": 300_000, "busiest-comments": 5_000,
        "reports": 20_000, "journal": 30_000, "follows": 100_000, "vote-ballots": 1_000_000, "budget-ballots": 100_000}


def _flask(url, *arguments):
    environment = {**os.environ, "DATABASE_URL": url, "CIVIC_ENV": "development"}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *arguments], cwd=ROOT, env=environment,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")


def prepare(url, sizes=None):
    """Migrate and seed the database at url: the demo, and the metropolis when sizes are given (a SQLite file
    kept from an earlier run with --data is only migrated)."""
    start = time.perf_counter()
    if url.startswith("sqlite:///") and Path(url.removeprefix("sqlite:///")).exists():
        _flask(url, "db", "upgrade")
        return
    try:
        _flask(url, "db", "upgrade")
        _flask(url, "seed-demo")
        if sizes:
            _flask(url, "seed-scale", *[f"--{name}={count}" for name, count in sizes.items()])
    except BaseException:
        if url.startswith("sqlite:///"):  # never kept half-built
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        raise
    print(f"  {'big' if sizes else 'small'} database ready in {time.perf_counter() - start:.0f} s", flush=True)


@contextlib.contextmanager
def postgresql(directory):
    """A throwaway PostgreSQL server: (URL of its civic_test database), stopped at the end."""
    environment = {**os.environ, "CIVIC_PG_STATE": str(Path(directory) / "pg.env")}
    subprocess.run([ROOT / "scripts" / "pg.sh", "start"], env=environment, check=True, stdout=subprocess.DEVNULL)
    try:
        yield subprocess.run([ROOT / "scripts" / "pg.sh", "url"], env=environment, check=True, capture_output=True,
                             text=True).stdout.strip()
    finally:
        subprocess.run([ROOT / "scripts" / "pg.sh", "stop"], env=environment, check=False)


def _database(server_url, name):
    """A new database on the server of server_url, as a URL."""
    subprocess.run([sys.executable, "-c", "import sys; from sqlalchemy import create_engine, text; "
                    "e = create_engine(sys.argv[1], isolation_level='AUTOCOMMIT'); "
                    "e.connect().execute(text(f'CREATE DATABASE {sys.argv[2]}'))", server_url, name], check=True)
    return server_url.rsplit("/", 1)[0] + "/" + name


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--no-postgresql", action="store_true", help="SQLite only")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--data", type=Path, help="keep the SQLite databases in this folder and use them again on the "
                        "next run (built only when missing)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"some of {', '.join(PARTS)}, comma-separated")
    args = parser.parse_args(argv)
    # Each part is a script of its own (scripts/bench/NAME.py), run through its main(argv).
    parts = {name: importlib.import_module(name) for name in args.parts.split(",")}
    sizes = {name: count // 10 if args.quick else count for name, count in FULL.items()}
    with tempfile.TemporaryDirectory(prefix="civic-bench-") as directory, contextlib.ExitStack() as servers:
        kept = args.data or Path(directory)
        kept.mkdir(parents=True, exist_ok=True)
        databases = {"SQLite": (f"sqlite:///{kept}/small.sqlite3", f"sqlite:///{kept}/big.sqlite3")}
        if not args.no_postgresql:
            server = servers.enter_context(postgresql(directory))
            databases["PostgreSQL"] = (_database(server, "civic_small"), _database(server, "civic_big"))
        if "pages" in parts:
            # Every database built before any is measured: the building does not slow the measures down.
            for name, (small, big) in databases.items():
                print(f"\n== Building the {name} databases", flush=True)
                prepare(small)
                prepare(big, sizes)
            for name, (small, big) in databases.items():
                print(f"\n== Pages, {name}: small demo against big data (median of {args.repeat})", flush=True)
                parts["pages"].main(["--small", small, "--big", big, "--repeat", str(args.repeat)])
        if "throughput" in parts:
            print("\n== Requests per second under gunicorn, against bare Flask", flush=True)
            parts["throughput"].main([] if args.no_postgresql else ["--postgresql", _database(server, "civic_rate")])
        if "publication" in parts:
            print("\n== Publishing and recounting", flush=True)
            parts["publication"].main([f"--ballots={sizes['vote-ballots']}",
                                       f"--budget-ballots={sizes['budget-ballots']}"]
                                      + ([] if args.no_postgresql else ["--postgresql", server]))
        if "equal_shares" in parts:
            print("\n== Equal shares against pabutools", flush=True)
            parts["equal_shares"].main([])


if __name__ == "__main__":
    main()
