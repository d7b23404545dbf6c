"""Simultaneous identical ballots from one voter: exactly one is stored, and nobody sees a 500."""
import threading

import pytest

from civic.decisions.models import Ballot, Method, Participation
from civic.extensions import db
from tests.factories import login, make_user
from tests.decisions.helpers import make_decision

# Its work leaves the test's connection (other processes, threads or apps): see conftest.py.
pytestmark = pytest.mark.real_commits

SUBMISSIONS = 8


def test_simultaneous_submissions_store_one_ballot(app, ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("real concurrency needs the PostgreSQL run of the suite (make test runs it)")
    user = make_user()
    url = f"/decisions/{make_decision(Method.YES_NO).id}/vote/confirm"
    clients = []
    for _ in range(SUBMISSIONS):
        client = app.test_client()
        login(client, user)
        clients.append((client, client.csrf_token()))
    barrier = threading.Barrier(SUBMISSIONS)
    statuses = []

    def submit(client, token):
        barrier.wait()
        response = client.post(url, data={"csrf_token": token, "vote": "yes"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=submit, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [302] * SUBMISSIONS
    assert db.session.execute(db.select(db.func.count(Ballot.id))).scalar_one() == 1
    assert db.session.execute(db.select(db.func.count(Participation.id))).scalar_one() == 1
