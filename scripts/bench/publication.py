"""Publishing and recounting a large vote, timed: a report, never a test (no limit is asserted).

    .venv/bin/python scripts/bench/publication.py [--ballots 1000000] [--budget-ballots 100000]
        [--postgresql postgresql+psycopg://user@host:port/any_database] [--no-sqlite]

For each database (a new SQLite file; with --postgresql, a new database created on that server for
the run and dropped after it), the schema is built by the migrations, then bulk-inserted through
the real tables: one resident account per ballot (a participation is one per account and vote, so
a million ballots take a million accounts; the budget's voters are the first of them), a closed
majority-judgment vote of five options with one participation and one valid ballot per resident,
and a closed participatory budget of twenty projects counted by equal shares. Each step below runs
in a child process, timed from outside, its peak memory taken from the kernel's accounting of that
child alone (os.wait4: the ru_maxrss that resource.getrusage(RUSAGE_CHILDREN) reports):

- the count officials review before publishing (what the first view, or its job, runs once);
- `flask publish N`;
- `flask recount` of the published ballots file (the CSV; the .pb of the budget), whose output
  must equal the published count.

Prints a table: wall seconds, the child's CPU seconds, its peak memory, on PostgreSQL the CPU
seconds the server spent meanwhile (when it runs on this machine: read from /proc), and the
machine's load average after the step (other work on the machine stretches the wall time, not
the CPU times).
Importable: main(argv) returns the rows.
"""
import argparse
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from civic import create_app  # noqa: E402
from civic.access import Role  # noqa: E402
from civic.accounts.models import User  # noqa: E402
from civic.db_types import utcnow  # noqa: E402
from civic.decisions import services  # noqa: E402
from civic.decisions.files import BALLOTS_CSV, BALLOTS_PB, chunks, stored  # noqa: E402
from civic.decisions.models import Decision  # noqa: E402
from civic.extensions import db  # noqa: E402
from civic.scale_data import add_votes  # noqa: E402
from civic.transaction import lock_for_write  # noqa: E402

OFFICIAL = "official@bench.invalid"


def _environment(url, instance):
    return {**os.environ, "CIVIC_ENV": "development", "DATABASE_URL": url, "CIVIC_INSTANCE_DIR": instance,
            "CIVIC_CLOCK_JOBS_AFTER_REQUESTS": "false", "PYTHONPATH": str(ROOT)}


def _timed(command, environment, server_cpu):
    """(seconds, CPU seconds, peak MB, server CPU seconds or None, stdout) of a child process. The CPU
    times say what the wall time would be on an idle machine: the child's own, and the database
    server's (``server_cpu()``, None for SQLite, whose work is the child's)."""
    server_before = server_cpu()
    start = time.perf_counter()
    child = subprocess.Popen(command, env=environment, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = child.stdout.read(), child.stderr.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{out.decode()}\n{err.decode()}")
    server_after = server_cpu()
    server = None if server_before is None or server_after is None else server_after - server_before
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, server, out.decode()


def _process_cpu(pid):
    """CPU seconds of a process and of its children it has waited for (/proc/PID/stat), or 0 if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0, None
    # After the name: state ppid ... utime (14th field of the whole line) stime cutime cstime.
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK"), int(fields[1])


def _server_cpu_reader(url):
    """A function returning the CPU seconds used so far by the PostgreSQL server at ``url`` (the
    postmaster, its live processes, and the backends it has reaped), or None when it does not run
    on this machine (or for SQLite)."""
    if not url.startswith("postgresql"):
        return lambda: None
    engine = create_engine(url)
    with engine.connect() as connection:
        directory = connection.execute(text("SHOW data_directory")).scalar_one()
    engine.dispose()
    try:
        postmaster = int(Path(directory, "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return lambda: None

    def server_cpu():
        total = _process_cpu(postmaster)[0]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                cpu, parent = _process_cpu(entry.name)
                if parent == postmaster:
                    total += cpu
        return total

    return server_cpu


def _flask(*arguments):
    return [sys.executable, "-m", "flask", "--app", "wsgi", *arguments]


def seed(url, ballots, budget_ballots):
    """The bench's data in a new database at ``url``; returns (majority judgment id, budget id)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, env="testing")
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        lock_for_write()
        official = User(display_name="Élue du banc d'essai", email=OFFICIAL, email_normalized=OFFICIAL,
                        role=Role.ELECTED, email_confirmed_at=utcnow())
        db.session.add(official)
        db.session.flush()
        judged, budget = add_votes(official.id, ballots, budget_ballots, random.Random(2026), voters_prefix="Résident")
        db.session.commit()
        ids = judged.id, budget.id
        db.session.remove()
        db.engine.dispose()
    return ids


def _published(url, decision_id, name, path):
    """Write a published file to ``path``; returns the published count."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, env="testing")
    with app.app_context():
        decision = db.session.get(Decision, decision_id)
        with open(path, "wb") as out:
            for data in chunks(stored(decision_id, name).id):
                out.write(data)
        count = services.published_results(decision)["count"]
        db.session.remove()
        db.engine.dispose()
    return count


def count_preview(decision_id):
    """The child that counts a closed vote for the officials' review (as its first view does)."""
    app = create_app(env="development")
    with app.app_context():
        lock_for_write()
        decision = db.session.get(Decision, decision_id)
        official = db.session.execute(select(User).where(User.email_normalized == OFFICIAL)).scalar_one()
        services.count_preview(decision, official)
        db.session.commit()


def run(label, url, ballots, budget_ballots, instance):
    rows = []
    start = time.perf_counter()
    judged, budget = seed(url, ballots, budget_ballots)
    rows.append((label, f"bulk insert: {max(ballots, budget_ballots):,} residents, {ballots:,} + {budget_ballots:,} "
                        "participations and ballots", time.perf_counter() - start, None, None, None, _load()))
    environment = _environment(url, instance)
    server_cpu = _server_cpu_reader(url)
    for decision_id, what, count, name in ((judged, "majority judgment", ballots, BALLOTS_CSV),
                                           (budget, "budget, equal shares", budget_ballots, BALLOTS_PB)):
        timing = _timed([sys.executable, __file__, "--count-preview", str(decision_id)], environment, server_cpu)
        rows.append((label, f"{what}, {count:,} ballots: count for the officials' review", *timing[:4], _load()))
        timing = _timed(_flask("publish", str(decision_id), "--by", OFFICIAL), environment, server_cpu)
        rows.append((label, f"{what}, {count:,} ballots: flask publish", *timing[:4], _load()))
        path = Path(instance) / f"decision-{decision_id}-{name}"
        published = _published(url, decision_id, name, path)
        *timing, out = _timed(_flask("recount", str(path)), environment, server_cpu)
        recounted = json.loads(out) if name == BALLOTS_CSV else [int(line) for line in out.split()]
        agrees = recounted == (published if name == BALLOTS_CSV else published["winners"])
        rows.append((label, f"{what}, {count:,} ballots: flask recount {name} "
                            f"({path.stat().st_size / 1e6:.0f} MB, {'agrees' if agrees else 'DISAGREES'})",
                     *timing, _load()))
    return rows


def _cell(value, spec):
    return "" if value is None else format(value, spec)


def _load():
    """The machine's load average over the last minute: other work slows the wall times down."""
    return os.getloadavg()[0]


def _postgresql_database(server_url):
    """A new database on the server of ``server_url``: (its URL, a function that drops it)."""
    url = make_url(server_url)
    name = f"civic_bench_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=1_000_000, help="ballots of the majority-judgment vote")
    parser.add_argument("--budget-ballots", type=int, default=100_000, help="ballots of the participatory budget")
    parser.add_argument("--postgresql", metavar="URL", help="a PostgreSQL server (a database is created on it)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--count-preview", type=int, metavar="DECISION_ID", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.count_preview:
        count_preview(options.count_preview)
        return []
    rows = []
    with tempfile.TemporaryDirectory(prefix="civic-bench-") as instance:
        if not options.no_sqlite:
            rows += run("SQLite", f"sqlite:///{instance}/bench.sqlite3", options.ballots, options.budget_ballots,
                        instance)
        if options.postgresql:
            url, drop = _postgresql_database(options.postgresql)
            try:
                rows += run("PostgreSQL", url, options.ballots, options.budget_ballots, instance)
            finally:
                drop()
    width = max(len(row[1]) for row in rows)
    print(f"{'database':<11} {'step':<{width}} {'seconds':>8} {'CPU s':>6} {'peak MB':>8} {'server CPU s':>12} "
          f"{'load':>5}")
    for label, what, seconds, cpu, peak, server, load in rows:
        print(f"{label:<11} {what:<{width}} {seconds:>8.1f} {_cell(cpu, '.1f'):>6} {_cell(peak, '.0f'):>8} "
              f"{_cell(server, '.1f'):>12} {load:>5.1f}")
    return rows


if __name__ == "__main__":
    main()
