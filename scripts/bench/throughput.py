#!/usr/bin/env python3
"""Requests per second of Civic's key pages against bare-Flask baselines, under gunicorn, in one run.

Civic runs on the demo (migrated and seeded as `make run` does) in a fresh SQLite file and, with
--postgresql, also in that PostgreSQL database (which must be empty or hold the demo: it is
migrated and seeded). Beside it, scripts/bench/baseline.py, a bare Flask app rendering 20 rows,
runs on the same SQLite file and on the same PostgreSQL database; its two pages (template compiled on
each request, as issue 11 measured it, and compiled once) are both measured. Every server is gunicorn with
the same settings (sync workers, as many as cores), on 127.0.0.1, and is stopped by its process
id. wrk (Debian: apt-get install wrk) loads each page, sending what a browser sends (Accept-Encoding
included), anonymously and as the demo resident (logged in once, its cookie sent with every
request). All servers are up at once and each page is loaded in slices taken in turn with slices
of every baseline, so that a machine busy with other work slows both alike; the table gives the
median of the slices and each page's ratio to each baseline (target: 0.50 or more against the
baseline of its own database that compiles its template on each request).

    .venv/bin/python scripts/bench/throughput.py
    .venv/bin/python scripts/bench/throughput.py --postgresql "$(scripts/pg.sh url)" --rounds 5

Timings depend on the machine: they are reported, never asserted.
"""
import argparse
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from tests.browser.crawling import DEMO_PASSWORD, LiveServer  # noqa: E402
from tests.servers import HttpClient, gunicorn_server, log_in  # noqa: E402

RESIDENT = "resident@example.org"
# What a browser sends; the same agent for the log-in and for wrk (the log-in session notes it).
BROWSER_HEADERS = {"User-Agent": "Mozilla/5.0 (civic throughput)", "Accept-Language": "fr-FR,fr;q=0.9"}
# Pages are measured as people get them, compressed.
ACCEPT_ENCODING = {"Accept-Encoding": "gzip, deflate, br"}
# The same for every server (with --workers).
# Workers never replaced during a measurement (gunicorn.conf.py replaces them every ~2 000 requests in production).
GUNICORN_ARGS = ("--worker-class", "sync", "--timeout", "60", "--max-requests", "0")
# The baseline's pages (scripts/bench/baseline.py): the target is set against the first.
BASELINE_PAGES = {"compiling": "/compiling", "compiled": "/"}
TARGET = 0.5


def _wrk(url, duration, connections, cookie=None):
    """(requests per second, non-2xx/3xx responses, socket errors) of wrk on url."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    for name, value in {**BROWSER_HEADERS, **ACCEPT_ENCODING}.items():
        command += ["-H", f"{name}: {value}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True,
                            timeout=duration + 60).stdout
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    # gunicorn's sync workers close each connection after answering: wrk counts these as read errors.
    failed = sum(int(n) for i, n in enumerate(errors.groups()) if i != 1) if errors else 0
    return rate, int(bad.group(1)) if bad else 0, failed


def _rate(url, args, cookie=None):
    rate, bad, failed = _wrk(url, args.slice, args.connections, cookie)
    if bad or failed:
        raise SystemExit(f"{url}: {bad} responses were not 2xx/3xx and {failed} requests failed")
    return rate


def _server_env(database_url, workdir):
    return {"CIVIC_ENV": "development", "DATABASE_URL": database_url, "SECRET_KEY": "bench-" + "x" * 60,
            "CIVIC_INSTANCE_DIR": str(Path(workdir) / "instance"), "BASELINE_DATABASE_URL": database_url,
            "CIVIC_PUBLIC_URL": "http://127.0.0.1"}


def _link(client, path, pattern):
    match = re.search(pattern, client.get(path).text)
    if match is None:
        raise SystemExit(f"no link matching {pattern} on {path}")
    return match.group(0).strip('"')


def key_pages(client):
    """{name: path} of the pages measured, found by following the demo's own links."""
    proposal = _link(client, "/proposals/", r'"/proposals/\d+"')
    decisions = re.findall(r'"(/decisions/\d+)"', client.get("/decisions/").text)
    published = next((d for d in dict.fromkeys(decisions) if client.get(d + "/results").status == 200), None)
    if published is None:
        raise SystemExit("no decision of the demo has published results")
    return {"home": "/", "proposal list": "/proposals/", "list search": "/proposals/?q=velo",
            "proposal detail": proposal, "decision list": "/decisions/", "decision detail": published,
            "results": published + "/results", "login": "/login", "processes": "/processus", "open data": "/donnees"}


def _session_cookie(client):
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in client.cookies)


def _targets(server):
    """[(page, who, path, cookie)] to load on a Civic server: every key page, anonymously and as the resident."""
    anonymous = HttpClient(server.url, headers=BROWSER_HEADERS)
    pages = key_pages(anonymous)
    resident = HttpClient(server.url, headers=BROWSER_HEADERS)
    log_in(resident, RESIDENT, DEMO_PASSWORD)
    resident.get("/")  # the cookie as a browser holds it once settled (a form's secret made, the log-in notice shown)
    targets = []
    for who, client in (("anonymous", anonymous), ("resident", resident)):
        for name, path in pages.items():
            if client.get(path).status == 200:  # a logged-in resident is sent away from /login
                targets.append((name, who, path, _session_cookie(client) if client is resident else None))
    return targets


def measure(databases, workdir, args):
    """[(page, who, database, req/s, {baseline: req/s})]: every server up at once, and each page loaded in
    turn with every baseline, slice after slice, so that both see the same machine (medians of the slices)."""
    rows = []
    with contextlib.ExitStack() as stack:
        servers, baselines = {}, {}
        for name, url in databases.items():
            env = _server_env(url, workdir)
            servers[name] = stack.enter_context(gunicorn_server(env, workers=args.workers, args=GUNICORN_ARGS,
                                                                start_timeout=60))
            baseline = stack.enter_context(gunicorn_server(env, workers=args.workers, app="scripts.bench.baseline:create_app()",
                                                           args=GUNICORN_ARGS, start_timeout=60))
            for variant, path in BASELINE_PAGES.items():
                baselines[f"{name} {variant}"] = baseline.url + path
                _wrk(baseline.url + path, 1, args.connections)  # warm-up
        for database, server in servers.items():
            for page, who, path, cookie in _targets(server):
                _wrk(server.url + path, 1, args.connections, cookie)  # warm-up: every worker has its templates
                samples = {"page": [], **{name: [] for name in baselines}}
                for _round in range(args.rounds):
                    for name, url in baselines.items():
                        samples[name].append(_rate(url, args))
                    samples["page"].append(_rate(server.url + path, args, cookie))
                rate = statistics.median(samples["page"])
                against = {name: statistics.median(samples[name]) for name in baselines}
                rows.append((page, who, database, rate, against))
                print(f"  {page:<16} {who:<10} {database:<10} {rate:8.1f} req/s  ("
                      + ", ".join(f"baseline {name} {value:.1f}" for name, value in against.items()) + ")",
                      flush=True)
    return rows


def prepare_demo(workdir, database_url=None):
    """Migrate and seed the demo into database_url (default: a new SQLite file in workdir); its URL."""
    demo = LiveServer(workdir)
    if database_url:
        demo.env["DATABASE_URL"] = database_url
    demo.prepare()
    return demo.env["DATABASE_URL"]


def print_table(rows):
    names = list(rows[0][4])
    print()
    header = (f"{'page':<16} {'who':<10} {'database':<10} {'req/s':>8}"
              + "".join(f" {n:>20} {'ratio':>6}" for n in names))
    print(header)
    print("-" * len(header))
    for page, who, database, rate, against in rows:
        print(f"{page:<16} {who:<10} {database:<10} {rate:8.1f}"
              + "".join(f" {against[n]:20.1f} {rate / against[n]:6.2f}" for n in names))
    print()
    for variant in BASELINE_PAGES:
        own = min(rate / against[f"{database} {variant}"] for _page, _who, database, rate, against in rows)
        print(f"Lowest ratio to the '{variant}' baseline of the same database: {own:.2f}"
              + (f" (target {TARGET:.2f})" if variant == next(iter(BASELINE_PAGES)) else ""))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgresql", metavar="URL",
                        help="also measure on this PostgreSQL database (migrated and seeded with the demo)")
    parser.add_argument("--slice", type=int, default=2, help="seconds of one load slice (default 2)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="slices per page and per baseline, taken in turn (default 3; the median counts)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn workers, the same for every server (default: the number of cores)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("throughput.py needs wrk (Debian: apt-get install wrk)")

    with tempfile.TemporaryDirectory(prefix="civic-throughput-") as workdir:
        databases = {"SQLite": prepare_demo(Path(workdir) / "sqlite")}
        if args.postgresql:
            databases["PostgreSQL"] = prepare_demo(Path(workdir) / "postgresql", args.postgresql)
        print(f"{', '.join(databases)}: {args.workers} gunicorn sync workers per server, wrk -c{args.connections}, "
              f"{args.rounds} slices of {args.slice} s per page and per baseline")
        rows = measure(databases, workdir, args)
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
