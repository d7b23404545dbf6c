#!/usr/bin/env python3
"""Latency and SQL queries of Civic's key pages on a small and a big database, side by side.

Each database must be migrated and hold the demo (`flask seed-demo`); the big one also what
`flask seed-scale` adds. Every page is asked in-process (Flask's test client: no network, no
server, so that only Civic's own work is timed), once to warm up, then --repeat times; the table
gives the median, the ratio big/small (target: 2 or less, 1.3 aimed at), the SQL statements of the
request on each database and the compressed weight of the big one's HTML. A page compares like with
like (the vote with the most ballots of its kind: open, closed waiting for publication, published);
a page can still issue one statement more in one database when what it shows differs in kind (the
demo resident's "my data" has no section the metropolis's active resident lacks): equal counts for
10x the data are asserted by tests/test_query_counts.py and tests/decisions/test_page_queries.py.

The first view of a closed vote's results counts it once (stored) or queues that count as a job when it
is large: the warm-up request triggers it, and the results page is measured once it is stored.

    .venv/bin/python scripts/bench/pages.py --small sqlite:///small.sqlite3 --big sqlite:///big.sqlite3

Timings depend on the machine: they are reported, never asserted.
"""
import argparse
import gzip
import os
import re
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("CIVIC_ENV", "development")

from sqlalchemy import event, func, select  # noqa: E402

from civic import create_app  # noqa: E402
from civic.accounts.models import User  # noqa: E402
from civic.decisions import services  # noqa: E402
from civic.decisions.models import Decision, Participation  # noqa: E402
from civic.db_types import utcnow  # noqa: E402
from civic.demo import DEMO_PASSWORD  # noqa: E402
from civic.extensions import db  # noqa: E402
from civic.proposals.models import Comment  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
ACCOUNTS = {"resident": "resident@example.org", "moderator": "moderateur@example.org",
            "elected": "elue@example.org", "admin": "admin@example.org"}


def _decision_with_most_ballots(*where):
    return db.session.execute(select(Decision.id).outerjoin(Participation).where(*where).group_by(Decision.id)
                              .order_by(func.count(Participation.id).desc(), Decision.id).limit(1)).scalar()


def _targets():
    """Ids the pages need, found in the data: the proposal with the most comments, its busiest thread,
    and of each kind of vote the one with the most ballots."""
    busiest = db.session.execute(select(Comment.proposal_id).group_by(Comment.proposal_id)
                                 .order_by(func.count().desc()).limit(1)).scalar()
    thread = db.session.execute(select(Comment.parent_id).where(Comment.parent_id.is_not(None))
                                .group_by(Comment.parent_id).order_by(func.count().desc()).limit(1)).scalar()
    now = utcnow()
    return {"busiest": busiest, "thread": thread,
            "thread_proposal": db.session.get(Comment, thread).proposal_id if thread else busiest,
            "open": _decision_with_most_ballots(Decision.opens_at <= now, Decision.closes_at > now),
            "closed": _decision_with_most_ballots(Decision.closes_at <= now, Decision.published_at.is_(None)),
            "published": _decision_with_most_ballots(Decision.published_at.is_not(None))}


def key_pages(ids):
    """(label, account or None, path) of every page measured."""
    return [
        ("home", None, "/"),
        ("home, resident", "resident", "/"),
        ("proposal list", None, "/proposals/"),
        ("proposal list, page 500", None, "/proposals/?page=500"),
        ("list, search \"velo\"", None, "/proposals/?q=velo"),
        ("list, most supported", None, "/proposals/?sort=supported"),
        ("proposal with most comments", "resident", f"/proposals/{ids['busiest']}"),
        ("its thread with most replies", "resident", f"/proposals/{ids['thread_proposal']}/comments/{ids['thread']}"),
        ("decisions", None, "/decisions/"),
        ("open vote", "resident", f"/decisions/{ids['open']}"),
        ("its ballot", "resident", f"/decisions/{ids['open']}/vote"),
        ("closed vote, results to review", "elected", f"/decisions/{ids['closed']}/results"),
        ("published results", None, f"/decisions/{ids['published']}/results"),
        ("moderation queue", "moderator", "/moderation/"),
        ("moderation journal", "moderator", "/moderation/journal"),
        ("my data, active resident", "resident", "/account/data"),
        ("admin users", "admin", "/admin/users"),
        ("staff log", "admin", "/admin/staff-log"),
    ]


def _log_in(client, email):
    page = client.get("/login").get_data(as_text=True)
    match = CSRF_RE.search(page)
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                                           "csrf_token": match.group(1) or match.group(2)})
    if response.status_code != 302:
        raise SystemExit(f"could not log in as {email} ({response.status_code})")


def measure(url, repeat):
    """{label: (median seconds, queries, gzip bytes, status)} of every key page on the database at url."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "CLOCK_JOBS_AFTER_REQUESTS": False,
                      "ARGON2_CHEAP": True})
    statements = [0]
    with app.app_context():
        ids = _targets()
        elected = db.session.execute(select(User).where(User.email == ACCOUNTS["elected"])).scalar()
        if elected is None:
            raise SystemExit(f"{url} has no demo accounts: run flask seed-demo on it first")
        closed = db.session.get(Decision, ids["closed"])
        if services.preview_of(closed) is None:
            # What the first view starts (a job for a large vote); timed apart, then the page reads it stored.
            start = time.perf_counter()
            services.count_preview(closed, elected)
            db.session.commit()
            print(f"  the officials' count of vote {closed.id} (stored once per closing): "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.__setitem__(0, statements[0] + 1))
    clients = {None: app.test_client()}
    for role, email in ACCOUNTS.items():
        clients[role] = app.test_client()
        _log_in(clients[role], email)
    results = {}
    for label, role, path in key_pages(ids):
        client = clients[role]
        client.get(path)
        times = []
        for _ in range(repeat):
            statements[0] = 0
            start = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - start)
        results[label] = (statistics.median(times), statements[0], len(gzip.compress(response.data)),
                          response.status_code)
    return results


def table(small, big):
    lines = [f"{'page':<30} {'small':>9} {'big':>9} {'ratio':>6} {'queries':>9} {'gzip big':>9}"]
    for label, (big_time, big_queries, weight, status) in big.items():
        small_time, small_queries, _, _ = small[label]
        flag = "" if status == 200 else f"  HTTP {status}"
        lines.append(f"{label:<30} {small_time * 1000:7.1f}ms {big_time * 1000:7.1f}ms "
                     f"{big_time / small_time:5.1f}x {small_queries:>4}/{big_queries:<4} {weight / 1024:7.1f}KB{flag}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", required=True, help="URL of the database with the demo only")
    parser.add_argument("--big", required=True, help="URL of the database with the demo and seed-scale's data")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page (the median is kept)")
    args = parser.parse_args(argv)
    small, big = measure(args.small, args.repeat), measure(args.big, args.repeat)
    print(table(small, big))
    return small, big


if __name__ == "__main__":
    main()
