"""The database goes away, or is too busy: residents get Civic's own "try again in a moment" page
(503, Retry-After, their language), nothing is half-saved, the outage is logged once, and the site
recovers by itself when the database is back. (Mail server faults: tests/test_mail_faults.py.)"""
import logging
import sqlite3
import threading
import time

import pytest
from flask import has_request_context
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from civic import create_app
from civic.errors import log_background_failure, outage
from civic.extensions import db
from civic.proposals.models import Support
from tests.client import Page
from tests.conftest import CheckingClient
from tests.factories import PASSWORD, login, make_proposal, make_user
from tests.servers import HttpClient, gunicorn_server, log_in, pg_control

# Its work leaves the test's connection (other processes, threads or apps): see conftest.py.
pytestmark = [pytest.mark.real_commits, pytest.mark.database]

UNAVAILABLE_FR = "Service momentanément indisponible"


def _is_civic_503(response):
    return (response.status == 503 and UNAVAILABLE_FR in response.text and response.headers.get("Retry-After") == "30"
            and '<html lang="fr">' in response.text)


def test_postgresql_stopped_during_a_burst_of_requests(app, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if make_url(url).get_backend_name() != "postgresql":
        pytest.skip("the SQLite run has no server to stop: see test_sqlite_busy_past_its_timeout")
    pg = pg_control()
    if make_url(pg.database_url).port != make_url(url).port:
        pytest.fail("CIVIC_PG_STATE names another PostgreSQL than CIVIC_TEST_DATABASE_URL")
    with app.app_context():
        resident = make_user()
        email = resident.email
        proposal_ids = [make_proposal().id for _ in range(400)]
    env = {"CIVIC_ENV": "development", "DATABASE_URL": url, "SECRET_KEY": "fault-test-" + "k" * 40,
           "CIVIC_INSTANCE_DIR": str(tmp_path), "CIVIC_RATELIMIT_ENABLED": "0", "CIVIC_CLOCK_JOBS_AFTER_REQUESTS": "0"}
    with gunicorn_server(env, workers=2, ready_path="/login") as server:
        workers = set(server.worker_pids())
        client = HttpClient(server.url)
        log_in(client, email, PASSWORD)
        token = client.csrf_token("/proposals/")
        outcomes, stop = [], threading.Event()

        def burst():
            # Supports on distinct proposals, one after the other: which answers said "saved" is known exactly.
            for proposal_id in proposal_ids:
                if stop.is_set():
                    break
                response = client.post(f"/proposals/{proposal_id}/support", {"csrf_token": token})
                outcomes.append((proposal_id, response))
                time.sleep(0.02)

        thread = threading.Thread(target=burst)
        thread.start()
        time.sleep(1.0)
        pg.halt("fast")
        time.sleep(1.5)
        reader = HttpClient(server.url)
        # Pages that need the database, and files that do not: those say nothing about the outage.
        while_down = [reader.get(path) for path in ("/proposals/", "/static/css/civic.css") * 4]
        down = while_down[0]
        time.sleep(1.0)
        pg.resume()
        time.sleep(2.0)
        stop.set()
        thread.join(timeout=60)
        after = HttpClient(server.url).get("/proposals/")
        log = server.stderr_text()
        assert set(server.worker_pids()) == workers  # recovered without a restart

    assert _is_civic_503(down), (down.status, down.text[:300])
    assert [r.status for r in while_down] == [503, 200] * 4
    assert after.status == 200
    statuses = [r.status for _pid, r in outcomes]
    assert set(statuses) <= {302, 503}, statuses
    assert 503 in statuses and statuses[-1] == 302  # it failed while down, then worked again
    assert all(_is_civic_503(r) for _pid, r in outcomes if r.status == 503)
    with app.app_context():
        db.engine.dispose()  # the suite's own connections died with the server
        saved = set(db.session.execute(select(Support.proposal_id)).scalars())
    assert saved == {pid for pid, r in outcomes if r.status == 302}  # nothing lost, nothing half-saved
    assert "Traceback" not in log
    assert 1 <= log.count("Database unavailable") <= len(workers)  # once per worker, not per request
    assert log.count("Database available again") >= 1


def test_sqlite_busy_past_its_timeout(app, ctx):
    """A writer held up longer than the busy timeout: the resident is told to try again, readers go on."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if make_url(url).get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL waits on row locks, not on a database-wide write lock")
    proposal = make_proposal()
    resident = make_user()
    busy = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLITE_BUSY_TIMEOUT_MS": 300, "SERVER_NAME": "civic.test",
                       "ARGON2_CHEAP": True}, env="testing")
    busy.test_client_class = CheckingClient
    client = busy.test_client()
    login(client, resident)
    token = client.csrf_token()
    holder = sqlite3.connect(make_url(url).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, and slow about it
    try:
        started = time.monotonic()
        response = client.post(f"/proposals/{proposal.id}/support", data={"csrf_token": token})
        waited = time.monotonic() - started
        page = client.get(f"/proposals/{proposal.id}")  # reading is not held up (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert Page(response).h1 == UNAVAILABLE_FR
    assert waited >= 0.3
    assert page.status_code == 200
    assert db.session.execute(select(func.count(Support.id))).scalar_one() == 0
    assert client.post(f"/proposals/{proposal.id}/support", data={"csrf_token": token}).status_code == 302
    db.session.commit()
    assert db.session.execute(select(func.count(Support.id))).scalar_one() == 1
    with busy.app_context():
        db.engine.dispose()


def test_a_failed_commit_keeps_no_false_success(client, ctx):
    """The database refuses the commit itself: no "saved" message survives in the cookie, nothing is saved."""
    login(client, make_user())
    proposal = make_proposal()

    def refuse_commit(_session):
        if has_request_context():
            raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    token = client.csrf_token()
    event.listen(db.session, "before_commit", refuse_commit)
    try:
        response = client.post(f"/proposals/{proposal.id}/support", data={"csrf_token": token})
    finally:
        event.remove(db.session, "before_commit", refuse_commit)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Votre soutien est enregistré" not in page
    assert db.session.execute(select(func.count(Support.id))).scalar_one() == 0


def test_background_work_reports_an_outage_once(caplog):
    """The clock jobs and the mail thread run every minute in every worker: while the database is down they
    say so once, as requests do, instead of a stack trace each time; any other failure keeps its trace."""
    unavailable = OperationalError("SELECT 1", {}, Exception("could not connect to server: Connection refused"))
    caplog.set_level(logging.INFO, logger="civic.errors")
    try:
        for _ in range(3):
            log_background_failure(unavailable, "Delivering queued mail")
            log_background_failure(unavailable, "Clock jobs")
        assert [r.getMessage() for r in caplog.records] == [
            "Database unavailable: could not connect to server: Connection refused"]
        assert all(r.exc_info is None for r in caplog.records)
    finally:
        outage.ended()
    caplog.clear()
    log_background_failure(OperationalError("SELEC 1", {}, Exception('syntax error at or near "SELEC"')), "Clock jobs")
    assert [(r.getMessage(), bool(r.exc_info)) for r in caplog.records] == [("Clock jobs failed", True)]
