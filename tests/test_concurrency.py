"""Many people at once, against Civic served as in production: gunicorn with 4 worker processes on the
suite's database (an SQLite file on the SQLite run, PostgreSQL on the other). Every answer is either
the action done or the domain's refusal, never a 5xx, and the rows counted afterwards say that
nothing was lost and nothing was doubled.
"""
import os
import re
import signal
import threading
import time
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from civic.accounts.models import Role, User
from civic.accounts.services import request_password_reset
from civic.counters.models import AssistedSession
from civic.decisions.models import Ballot, Method, Participation
from civic.extensions import db
from civic.following.models import Follow
from civic.mail import OutgoingMail
from civic.moderation.models import ModerationAction, ModerationKind, Report
from civic.proposals.models import Support
from tests.factories import PASSWORD, make_comment, make_proposal, make_user
from tests.counters.helpers import make_counter
from tests.decisions.helpers import make_decision
from tests.servers import HttpClient, gunicorn_server, log_in

# Its work leaves the test's connection (other processes, threads or apps): see conftest.py.
pytestmark = pytest.mark.real_commits

WORKERS = 4
RESIDENT_TICKET_RE = re.compile(r'name="resident" value="([^"]+)"')


def _environment(app, instance_dir):
    return {
        "CIVIC_ENV": "development",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "concurrency-test-secret-key-" + "x" * 40,
        "CIVIC_INSTANCE_DIR": str(instance_dir),
        # Limits are tested on their own (test_rate_limits.py): here every attempt must reach the database.
        "CIVIC_RATELIMIT_ENABLED": "0",
        "CIVIC_CLOCK_JOBS_AFTER_REQUESTS": "0",
    }


@pytest.fixture(scope="module")
def served(app, tmp_path_factory):
    """Civic under gunicorn on the suite's own database, so that factories prepare what it serves."""
    with gunicorn_server(_environment(app, tmp_path_factory.mktemp("instance")), workers=WORKERS,
                         ready_path="/login") as server:
        yield server


def all_at_once(actions):
    """Run the callables in threads released together; their results, in order."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        barrier.wait()
        try:
            results[index] = action()
        except OSError as error:  # the server did not answer: as bad as a 500
            results[index] = error

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # The test's own session reads what was committed meanwhile, and holds no old snapshot: on SQLite,
    # a snapshot older than another's commit cannot be turned into a write.
    db.session.commit()
    return results


def logged_in(server, users):
    """One HTTP client per user, logged in (in parallel: each log-in hashes a password)."""
    clients = [HttpClient(server.url) for _ in users]
    emails = [u.email for u in users]  # read here: the threads have no app context
    all_at_once([lambda c=c, e=e: log_in(c, e, PASSWORD) for c, e in zip(clients, emails)])
    return clients


def posting(client, path, data, token_path):
    """The POST as a browser sends it, its form (and CSRF token) fetched beforehand."""
    token = client.csrf_token(token_path)
    return lambda: client.post(path, {"csrf_token": token, **data})


def statuses(responses):
    return sorted(getattr(r, "status", repr(r)) for r in responses)


def count(model, *where):
    db.session.commit()  # read what the server committed, not an older snapshot
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_ten_residents_confirm_their_ballots_at_the_same_moment(served, ctx):
    decision = make_decision(Method.YES_NO)
    residents = [make_user() for _ in range(10)]
    clients = logged_in(served, residents)
    path = f"/decisions/{decision.id}"
    responses = all_at_once([posting(c, f"{path}/vote/confirm", {"vote": "yes"}, path) for c in clients])
    assert statuses(responses) == [302] * 10
    assert {r.location for r in responses} == {f"{path}/voted"}
    assert count(Participation, Participation.decision_id == decision.id) == 10
    assert count(Ballot, Ballot.decision_id == decision.id) == 10


def test_one_resident_confirming_fifty_times_at_once_votes_once(served, ctx):
    """Fifty tabs of one browser (one cookie), all confirming at the same moment."""
    decision = make_decision(Method.YES_NO)
    (browser,) = logged_in(served, [make_user()])
    path = f"/decisions/{decision.id}"
    responses = all_at_once([posting(browser, f"{path}/vote/confirm", {"vote": "no"}, path)] * 50)
    assert statuses(responses) == [302] * 50
    # One lands on the tracking code; the others are told, on the decision page, that they already voted.
    assert sorted(r.location for r in responses) == [path] * 49 + [f"{path}/voted"]
    assert count(Participation, Participation.decision_id == decision.id) == 1
    assert count(Ballot, Ballot.decision_id == decision.id) == 1
    assert "Vous avez déjà participé à ce vote" in browser.get(path).text


def test_twenty_registrations_of_one_address_at_once_make_one_account(served, ctx):
    clients = [HttpClient(served.url) for _ in range(20)]
    responses = all_at_once([
        posting(c, "/register", {"display_name": f"Camille {n}", "email": "Camille@Example.org", "password": PASSWORD,
                                 "password_confirm": PASSWORD}, "/register")
        for n, c in enumerate(clients)])
    assert statuses(responses) == [302] * 20
    assert {r.location for r in responses} == {"/register/check-email"}
    assert count(User, User.email_normalized == "camille@example.org") == 1
    # The same answer for all of them, and one e-mail each: a confirmation link, or "you already have an account".
    assert count(OutgoingMail, OutgoingMail.to == "Camille@Example.org") == 20


def test_supports_at_the_same_moment_count_each_resident_once(served, ctx):
    proposal = make_proposal()
    residents = [make_user() for _ in range(10)]
    twice = make_user()
    clients = logged_in(served, residents + [twice] * 5)
    path = f"/proposals/{proposal.id}"
    responses = all_at_once([posting(c, f"{path}/support", {}, path) for c in clients])
    assert statuses(responses) == [302] * 15
    assert count(Support, Support.proposal_id == proposal.id) == 11
    assert count(Support, Support.proposal_id == proposal.id, Support.user_id == twice.id) == 1


def test_reports_at_the_same_moment_hide_the_content_once(served, ctx):
    comment = make_comment(make_proposal())
    reporters = [make_user() for _ in range(6)]
    clients = logged_in(served, reporters)
    path = f"/report/comment/{comment.id}"
    responses = all_at_once([posting(c, path, {"reason": "insult"}, path) for c in clients])
    assert statuses(responses) == [302] * 6
    # The threshold (3) is reached once: the later reports find the comment already hidden and are told so,
    # back on the proposal (the report page would show the hidden text).
    assert count(Report, Report.target_id == comment.id) == 3
    told = [c.get(c.get(r.location).headers["Location"]).text for c, r in zip(clients, responses)]
    assert sum("Ce contenu est déjà en cours" in page for page in told) == 3
    assert count(ModerationAction, ModerationAction.target_id == comment.id,
                 ModerationAction.kind == ModerationKind.HELD_BY_REPORTS) == 1


def test_an_agent_opening_five_sessions_at_once_gets_one(served, ctx):
    agent = make_user(role=Role.COUNTER_AGENT)
    make_counter(agent)
    residents = [make_user() for _ in range(5)]
    clients = logged_in(served, [agent] * 5)
    # Each tab found its resident at the desk, by the e-mail the resident gave.
    tickets = [RESIDENT_TICKET_RE.search(c.get("/desk?contact=" + quote(r.email)).text).group(1)
               for c, r in zip(clients, residents)]
    responses = all_at_once([
        posting(c, "/desk/sessions", {"resident": t, "identity_check": "document", "consent": "y"}, "/desk")
        for c, t in zip(clients, tickets)])
    assert all(r.status in (200, 302) for r in responses), statuses(responses)
    assert [r.status for r in responses].count(302) == 1
    assert all("Une session est déjà ouverte" in r.text for r in responses if r.status == 200)
    assert count(AssistedSession, AssistedSession.agent_id == agent.id, AssistedSession.ended_at.is_(None)) == 1


def test_a_double_click_on_follow_keeps_one_follow(served, ctx):
    proposal = make_proposal()
    resident = make_user()
    clients = logged_in(served, [resident] * 4)
    path = f"/proposals/{proposal.id}"
    responses = all_at_once([posting(c, f"/follow/proposal/{proposal.id}", {}, path) for c in clients])
    assert statuses(responses) == [302] * 4
    assert count(Follow, Follow.user_id == resident.id) == 1


def test_a_reset_link_used_six_times_at_once_works_once(app, served, ctx):
    """Single use, even when six browsers send it at the same moment with six passwords."""
    user = make_user(email="reset-race@example.org")
    with app.test_request_context():
        request_password_reset(user.email)
        db.session.commit()
    body = db.session.execute(select(OutgoingMail.body).where(OutgoingMail.to == user.email)).scalar_one()
    link = re.search(r"https://participer\.civic\.test(/password/reset/\S+)", body).group(1)
    clients = [HttpClient(served.url) for _ in range(6)]
    responses = all_at_once([posting(c, link, {"password": f"new password number {n}",
                                               "password_confirm": f"new password number {n}"}, link)
                             for n, c in enumerate(clients)])
    assert statuses(responses) == [302] + [400] * 5
    winner = next(n for n, r in enumerate(responses) if r.status == 302)
    working = [n for n in range(6) if HttpClient(served.url).post_form(
        "/login", {"email": user.email, "password": f"new password number {n}"}).status == 302]
    assert working == [winner]


def test_no_worker_logged_an_error(served):
    """What the residents did not see either: no stack trace in the server's log."""
    log = served.stderr_text()
    assert not re.search(r"Traceback|Unhandled error|ERROR", log), log[-3000:]


def test_a_worker_killed_outright_is_replaced_and_nothing_is_lost(app, ctx, tmp_path):
    proposal_id = make_proposal().id
    resident = make_user()
    with gunicorn_server(_environment(app, tmp_path), workers=2, ready_path="/login") as server:
        (browser,) = logged_in(server, [resident])
        path = f"/proposals/{proposal_id}"
        before = set(server.worker_pids())
        os.kill(min(before), signal.SIGKILL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (len(server.worker_pids()) < 2 or set(server.worker_pids()) == before):
            time.sleep(0.2)
        assert len(server.worker_pids()) == 2 and set(server.worker_pids()) != before
        assert all(browser.get(path).status == 200 for _ in range(6))
        assert posting(browser, f"{path}/support", {}, path)().status == 302
    assert count(Support, Support.proposal_id == proposal_id) == 1
