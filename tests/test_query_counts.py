"""Every page costs the same SQL statements with ten times the data, and stays within the page budget.

The demo commune is built twice, each time in a new SQLite file: once with seed-scale's data at a
small size, once with ten times as much (residents, proposals, supports, comments, replies,
reports, journal, follows, staff log). Each role then crawls the site from the home page, following
every link of the pages it sees, and the statements of each request are counted. A page found in
both crawls must cost the same number of statements; a kind of page (endpoint) whose addresses
differ between the two (a thread, an account) must cost at most the same in both; every kind of
page of the big crawl must have been reached in the small one. Every page of the big crawl, its HTML and the stylesheet
compressed, fits the page budget of tests/browser/test_page_weight.py. The decisions' pages against their number of ballots,
options and districts are in tests/decisions/test_page_queries.py.
"""
import os
from collections import deque
from dataclasses import fields
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from civic import create_app
from civic.demo import DEMO_PASSWORD, seed
from civic.accounts.models import User
from civic.extensions import db
from civic.proposals.models import Proposal, ProposalState
from civic.scale_data import Sizes, seed_scale
from tests.browser.crawling import PAGE_BUDGET, REPO_ROOT, gzip_size
from tests.conftest import CheckingClient
from tests.factories import login, make_comment
from tests.queries import recording
from tests.questionnaires.helpers import seed_consultations

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("CIVIC_TEST_DATABASE_URL")),
    reason="built in SQLite files of its own: the SQLite run of make test runs it")

SMALL = Sizes(users=30, proposals=40, supports=200, comments=120, busiest_comments=30, active_proposals=4,
              active_supports=20, active_comments=12, reports=15, journal=20, follows=40, vote_ballots=40,
              budget_ballots=20)
ROLES = {"anonymous": None, "resident": "resident@example.org", "counter agent": "agent@example.org",
         "moderator": "moderateur@example.org", "elected": "elue@example.org", "admin": "admin@example.org"}
# Files and actions, not pages: downloads stream what they hold, the language switch and log-out redirect.
SKIPPED = ("/lang/", "/logout", "/static/", ".csv", ".pb", ".json", "/unsubscribe/")
PER_ENDPOINT = 3
STYLESHEET = REPO_ROOT / "static" / "css" / "civic.css"


class Account:
    def __init__(self, email):
        self.email = email


def _times(sizes, factor):
    return Sizes(**{f.name: getattr(sizes, f.name) * factor for f in fields(Sizes)})


def _site(tmp_path, factor):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / f'x{factor}.sqlite3'}",
                      "ARGON2_CHEAP": True, "CLOCK_JOBS_AFTER_REQUESTS": False,
                      "SERVER_NAME": "civic.test"}, env="testing")
    app.test_client_class = CheckingClient
    with app.app_context():
        db.create_all()
        seed()
        seed_scale(_times(SMALL, factor))
        db.session.commit()
        # A thread longer than its preview on the newest proposal, so that every crawl opens a thread's page.
        newest = db.session.execute(select(Proposal).where(Proposal.state == ProposalState.PUBLISHED)
                                    .order_by(Proposal.created_at.desc()).limit(1)).scalar_one()
        thread = make_comment(newest, body="Un fil de discussion")
        for n in range(5):
            make_comment(newest, body=f"Réponse {n}", parent=thread)
        # Consultations in their questionnaire phase: one the demo resident answered, one to answer.
        seed_consultations(10 * factor, db.session.execute(select(User).where(
            User.email == ROLES["resident"])).scalar_one())
    return app


def _crawl(app, email):
    """{path: (endpoint, statements, compressed bytes)} of the pages reached from the home page by following
    links."""
    client = app.test_client()
    if email:
        login(client, Account(email), password=DEMO_PASSWORD)
    seen, per_endpoint, costs = {"/"}, {}, {}
    queue = deque(["/"])
    while queue:
        path = queue.popleft()
        with recording(app) as statements:
            response = client.get(path)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        endpoint = app.url_map.bind("civic.test").match(urlsplit(path).path)[0]
        costs[path] = (endpoint, len(statements), gzip_size(response.data))
        for link in BeautifulSoup(response.data, "html.parser").select("a[href]"):
            target = urljoin(path, link["href"].split("#")[0])
            parts = urlsplit(target)
            if parts.netloc not in ("", "civic.test") or any(s in target for s in SKIPPED):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            try:
                target_endpoint = app.url_map.bind("civic.test").match(parts.path, method="GET")[0]
            except Exception:  # a link to a page that is not Civic's, or to a POST-only URL
                continue
            if target in seen or per_endpoint.get(target_endpoint, 0) >= PER_ENDPOINT:
                continue
            seen.add(target)
            per_endpoint[target_endpoint] = per_endpoint.get(target_endpoint, 0) + 1
            queue.append(target)
    return costs


@pytest.mark.real_commits
def test_every_page_of_the_crawl_costs_the_same_statements_with_ten_times_the_data(tmp_path):
    small, big = _site(tmp_path, 1), _site(tmp_path, 10)
    differences, uncompared, heavy = [], [], []
    stylesheet = gzip_size(STYLESHEET.read_bytes())
    for role, email in ROLES.items():
        before, after = _crawl(small, email), _crawl(big, email)
        assert len(after) > 5, f"the crawl as {role} reached {len(after)} pages"
        compared = set()
        for path in before.keys() & after.keys():
            endpoint, count, _ = after[path]
            compared.add(endpoint)
            if before[path][1] != count:
                differences.append(f"statements {role} {path}: {before[path][1]} -> {count}")
        # Pages whose ids differ with the data (a thread, an account of the list): the most any of them costs.
        for endpoint in {e for e, _, _ in after.values()} - compared:
            most = {label: max((c for e, c, _ in crawl.values() if e == endpoint), default=None)
                    for label, crawl in (("small", before), ("big", after))}
            if most["small"] is None:
                uncompared.append(f"not compared {role} {endpoint}")
            elif most["small"] != most["big"]:
                differences.append(f"statements {role} {endpoint}: {most['small']} -> {most['big']}")
        heavy += [f"over the budget {role} {path}: {weight + stylesheet} bytes" for path, (_, _, weight) in after.items()
                  if weight + stylesheet > PAGE_BUDGET]
    problems = differences + uncompared + heavy
    assert problems == [], "\n".join(problems)
