#!/usr/bin/env python3
"""Where a request of Civic's key pages spends its time, in-process (no server, no network).

For each key page (the ones scripts/bench/throughput.py loads), anonymously and as the demo
resident: the time of a request through the whole WSGI app, and its ratio to the bare-Flask
baseline (scripts/bench/baseline.py, its template compiled on each request, on the same database)
timed in the same process, in turn with the page, slice after slice (the ratio is the baseline's
CPU time over the page's: 0.50 means half the requests per second; median of the slices); then,
with --profile, the functions that cost most over all of them (cProfile).

    .venv/bin/python scripts/bench/profile_pages.py                       # the demo on a fresh SQLite file
    .venv/bin/python scripts/bench/profile_pages.py --database-url sqlite:////tmp/demo.sqlite3 --profile
    .venv/bin/python scripts/bench/profile_pages.py --profile --sort cumulative --top 60 --only "proposal detail"
"""
import argparse
import cProfile
import io
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from civic import create_app  # noqa: E402
from scripts.bench import baseline  # noqa: E402
from scripts.bench.throughput import ACCEPT_ENCODING, BROWSER_HEADERS, RESIDENT, key_pages, prepare_demo  # noqa: E402
from tests.browser.crawling import DEMO_PASSWORD  # noqa: E402
from tests.factories import CSRF_RE  # noqa: E402

SLICES = 10
TARGET = 0.5


class _Client:
    """The app's test client as scripts/bench/throughput.py's HttpClient: get(path) -> .status, .text (timed
    requests ask for compressed pages, as browsers and wrk do)."""

    class _Answer:
        def __init__(self, response):
            self.status, self.response = response.status_code, response

        @property
        def text(self):
            return self.response.get_data(as_text=True)

    def __init__(self, app):
        self.flask_client = app.test_client()

    def get(self, path, compressed=False):
        return self._Answer(self.flask_client.get(path, headers={**BROWSER_HEADERS,
                                                                 **(ACCEPT_ENCODING if compressed else {})}))


def _log_in(client):
    token = CSRF_RE.search(client.get("/login").text).group(1)
    response = client.flask_client.post("/login", data={"csrf_token": token, "email": RESIDENT,
                                                        "password": DEMO_PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"could not log in as {RESIDENT} ({response.status_code})")


def _time(client, path, requests):
    """(wall, CPU) milliseconds per request. On a machine busy with other work the wall time grows with
    the load; the CPU time of this process (SQLite included, a PostgreSQL server's work not) much less."""
    started, started_cpu = time.perf_counter(), time.process_time()
    for _ in range(requests):
        client.get(path, compressed=True)
    return ((time.perf_counter() - started) / requests * 1000, (time.process_time() - started_cpu) / requests * 1000)


def _against_baseline(client, path, yardstick, requests, slices=SLICES):
    """(wall ms, CPU ms, baseline CPU ms) per request, medians of ``slices`` slices taken in turn with the
    baseline's, so that both see the same machine."""
    page, base = [], []
    for _ in range(slices):
        base.append(_time(yardstick, "/compiling", max(1, requests // slices)))
        page.append(_time(client, path, max(1, requests // slices)))
    return (statistics.median(w for w, _c in page), statistics.median(c for _w, c in page),
            statistics.median(c for _w, c in base))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a database holding the demo (default: a fresh SQLite demo)")
    parser.add_argument("--requests", type=int, default=200, help="requests per page (default 200)")
    parser.add_argument("--profile", action="store_true", help="print the costliest functions (cProfile)")
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"), help="cProfile order")
    parser.add_argument("--top", type=int, default=40, help="how many functions to print")
    parser.add_argument("--only", help="profile only this page (a name of the table)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="civic-profile-") as workdir:
        url = args.database_url or prepare_demo(Path(workdir))
        # The clock jobs' thread (once a minute) would be timed with whichever page it overlaps.
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "profile-" + "x" * 60,
                          "CLOCK_JOBS_AFTER_REQUESTS": False}, env="development")
        anonymous, resident = _Client(app), _Client(app)
        yardstick = _Client(baseline.create_app(url))
        _log_in(resident)
        pages = key_pages(anonymous)
        profiler = cProfile.Profile()
        print(f"{'page':<16} {'who':<10} {'ms/request':>10} {'CPU ms':>8} {'baseline CPU ms':>16} {'ratio':>6}")
        ratios = []
        for who, client in (("anonymous", anonymous), ("resident", resident)):
            for name, path in pages.items():
                if client.get(path).status != 200 or (args.only and name != args.only):
                    continue
                _time(client, path, 5)  # warm-up: templates compiled, caches filled
                _time(yardstick, "/compiling", 5)
                wall, cpu, base = _against_baseline(client, path, yardstick, args.requests)
                ratios.append(base / cpu)
                print(f"{name:<16} {who:<10} {wall:10.2f} {cpu:8.2f} {base:16.2f} {base / cpu:6.2f}", flush=True)
                if args.profile:
                    profiler.runcall(_time, client, path, args.requests)
        print(f"Lowest ratio to the baseline compiling its template, in-process: {min(ratios):.2f} (target {TARGET:.2f})")
        if args.profile:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(args.sort).print_stats(args.top)
            print(re.sub(r"\n{3,}", "\n\n", out.getvalue()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
