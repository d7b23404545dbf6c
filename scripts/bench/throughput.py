#!/usr/bin/env python3
"""Requests per second of Civic's key pages against bare-Flask baselines, under gunicorn, in one run.

Civic runs on the demo (migrated and seeded as `make run` does) in a fresh SQLite file and, with
--postgresql, also in that PostgreSQL database (which must be empty or hold the demo: it is
migrated and seeded). Beside it, scripts/bench/baseline.py, a bare Flask app rendering 20 rows,
runs on the same SQLite file and on the same PostgreSQL database. Every server is gunicorn with
the same settings (sync workers, as many as cores), on 127.0.0.1, and is stopped by its process
id. wrk (Debian: apt-get install wrk) loads each page in turn, sending the Accept-Encoding of a
browser, anonymously and as the demo resident (logged in once, its cookie sent with every
request). Each baseline is measured before and after the pages of its database; the table gives
the mean of the two and, for each page, its ratio to each baseline (target: 0.50 or more).

    .venv/bin/python scripts/bench/throughput.py
    .venv/bin/python scripts/bench/throughput.py --postgresql "$(scripts/pg.sh url)" --duration 10

Timings depend on the machine: they are reported, never asserted.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from tests.browser.crawling import DEMO_PASSWORD, LiveServer  # noqa: E402
from tests.servers import HttpClient, gunicorn_server, log_in  # noqa: E402

RESIDENT = "resident@example.org"
ACCEPT_ENCODING = "gzip, deflate, br"
# What a browser sends: the pages are measured as people get them, compressed.
BROWSER_HEADERS = {"Accept-Encoding": ACCEPT_ENCODING, "Accept-Language": "fr-FR,fr;q=0.9"}
# The same for every server (with --workers).
GUNICORN_ARGS = ("--worker-class", "sync", "--timeout", "60")


def _wrk(url, duration, connections, cookie=None):
    """(requests per second, non-2xx/3xx responses, socket errors) of wrk on url."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    for name, value in BROWSER_HEADERS.items():
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


def _measure(url, args, cookie=None):
    _wrk(url, 1, args.connections, cookie)  # warm-up: every worker has loaded its templates
    rate, bad, failed = _wrk(url, args.duration, args.connections, cookie)
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
    return {"home": "/", "proposal list": "/proposals/", "proposal detail": proposal, "decision list": "/decisions/",
            "decision detail": published, "results": published + "/results", "login": "/login"}


def _session_cookie(client):
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in client.cookies)


def measure_app(database_url, workdir, args):
    """[(page, who, req/s)] of Civic on database_url."""
    rows = []
    with gunicorn_server(_server_env(database_url, workdir), workers=args.workers,
                         args=GUNICORN_ARGS, start_timeout=60) as server:
        anonymous = HttpClient(server.url, headers=BROWSER_HEADERS)
        pages = key_pages(anonymous)
        resident = HttpClient(server.url, headers=BROWSER_HEADERS)
        log_in(resident, RESIDENT, DEMO_PASSWORD)
        for who, client in (("anonymous", anonymous), ("resident", resident)):
            for name, path in pages.items():
                status = client.get(path).status
                if status != 200:  # a logged-in resident is sent away from /login
                    continue
                cookie = _session_cookie(client) if client is resident else None
                rate = _measure(server.url + path, args, cookie)
                rows.append((name, who, rate))
                print(f"  {name:<16} {who:<10} {rate:8.1f} req/s", flush=True)
    return rows


def measure_baseline(database_url, workdir, args):
    with gunicorn_server(_server_env(database_url, workdir), workers=args.workers, app="scripts.bench.baseline:app",
                         args=GUNICORN_ARGS, start_timeout=60) as server:
        rate = _measure(server.url + "/", args)
    print(f"  baseline, 20 rows          {rate:8.1f} req/s", flush=True)
    return rate


def prepare_demo(workdir, database_url=None):
    """Migrate and seed the demo into database_url (default: a new SQLite file in workdir); its URL."""
    demo = LiveServer(workdir)
    if database_url:
        demo.env["DATABASE_URL"] = database_url
    demo.prepare()
    return demo.env["DATABASE_URL"]


def print_table(results, baselines):
    names = list(baselines)
    print()
    print("Baselines (bare Flask, 20 rows, mean of the runs before and after the pages): "
          + ", ".join(f"{name} {rate:.1f} req/s" for name, rate in baselines.items()))
    header = f"{'page':<16} {'who':<10} {'database':<10} {'req/s':>8}" + "".join(f" {'/ ' + n:>13}" for n in names)
    print(header)
    print("-" * len(header))
    for database, rows in results.items():
        for page, who, rate in rows:
            print(f"{page:<16} {who:<10} {database:<10} {rate:8.1f}"
                  + "".join(f" {rate / baselines[n]:13.2f}" for n in names))
    own = [rate / baselines[database] for database, rows in results.items() for _p, _w, rate in rows]
    print(f"\nLowest ratio to the baseline of the same database: {min(own):.2f} (target 0.50)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgresql", metavar="URL",
                        help="also measure on this PostgreSQL database (migrated and seeded with the demo)")
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per page (default 5)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn workers, the same for every server (default: the number of cores)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("throughput.py needs wrk (Debian: apt-get install wrk)")

    results, baselines = {}, {}
    with tempfile.TemporaryDirectory(prefix="civic-throughput-") as workdir:
        databases = {"SQLite": prepare_demo(Path(workdir) / "sqlite")}
        if args.postgresql:
            databases["PostgreSQL"] = prepare_demo(Path(workdir) / "postgresql", args.postgresql)
        for name, url in databases.items():
            print(f"{name}: {args.workers} gunicorn sync workers, wrk -c{args.connections} {args.duration} s per page")
            before = measure_baseline(url, workdir, args)
            results[name] = measure_app(url, workdir, args)
            baselines[name] = (before + measure_baseline(url, workdir, args)) / 2
    print_table(results, baselines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
