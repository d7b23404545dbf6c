"""Publication and the officials' count run as jobs: queued by a page, run after it, followed by refreshing a
page, taken again when their process died, never run twice; `flask publish` runs them from a shell."""
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from civic.accounts.models import Role
from civic.db_types import utcnow
from civic.decisions import publication, queue, services
from civic.decisions.files import BALLOTS_CSV
from civic.decisions.models import (Ballot, Decision, DecisionJob, DecisionState, JobFailure, JobKind, JobState,
                                    Method, PublishedFile, ResultPreview, ResultSnapshot)
from civic.extensions import db
from tests.factories import make_user
from tests.pages import check_page
from tests.queries import recording
from tests.decisions.helpers import close, make_decision, published_results, published_text


@pytest.fixture
def no_worker(monkeypatch):
    """Jobs wait: nothing runs them after the request (as when the thread has not started yet)."""
    monkeypatch.setattr(queue, "start_worker", lambda: None)


def _closed_vote(votes=("yes", "no", "yes")):
    decision = make_decision(Method.YES_NO)
    for vote in votes:
        services.cast_ballot(make_user(), decision, {"vote": vote})
    db.session.commit()
    close(decision)
    return decision


def _jobs(decision):
    return db.session.execute(select(DecisionJob).where(DecisionJob.decision_id == decision.id)
                              .order_by(DecisionJob.id)).scalars().all()


def test_publishing_queues_a_job_that_runs_after_the_request_and_the_status_page_says_so(client_request, login_as,
                                                                                        outbox):
    official = login_as(Role.ELECTED)
    decision = _closed_vote()
    client_request.post("decisions.publish", decision_id=decision.id,
                        _expected_redirect=f"/decisions/{decision.id}/publication")
    # The job ran once the request was answered: the status page sends the official to the results.
    page = client_request.get("decisions.publication", decision_id=decision.id, _expected_status=302, _follow=True)
    assert page.notices == ["Les résultats sont publiés."] and page.h1.startswith("Résultats")
    [job] = _jobs(decision)
    assert (job.kind, job.state, job.requested_by_id, job.attempts, job.ballots) == (
        JobKind.PUBLISH, JobState.DONE, official.id, 1, 3)
    assert published_results(decision)["count"]["yes"] == 2


def test_a_waiting_publication_is_shown_with_a_refresh_link_and_runs_once(client_request, login_as, no_worker):
    official = login_as(Role.ELECTED, name="Camille Élue")
    decision = _closed_vote()
    page = client_request.post("decisions.publish", decision_id=decision.id, _follow=True)
    assert page.h1 == f"Publication des résultats : {decision.title}"
    assert page.text(".notice strong") == "En attente."
    assert ("Actualiser cette page", f"/decisions/{decision.id}/publication") in page.links("main")
    assert re.search(r"^Demandé le .* par Camille Élue\.$", page.text("p.meta"))
    assert not page.has("main form button")  # nothing to do but wait
    assert check_page(page.html) == []
    # Asking again while it waits changes nothing.
    client_request.post("decisions.publish", decision_id=decision.id)
    assert len(_jobs(decision)) == 1 and decision.state is DecisionState.CLOSED
    assert queue.run_pending() == 1
    assert queue.run_pending() == 0
    page = client_request.get("decisions.publication", decision_id=decision.id, _expected_status=302, _follow=True)
    assert page.notices == ["Les résultats sont publiés."]
    assert [j.state for j in _jobs(decision)] == [JobState.DONE] and _jobs(decision)[0].requested_by_id == official.id


def test_a_running_job_shows_how_many_ballots(client_request, login_as, no_worker):
    login_as(Role.ELECTED)
    decision = _closed_vote()
    client_request.post("decisions.publish", decision_id=decision.id)
    job = _jobs(decision)[0]
    job.state, job.started_at, job.ballots = JobState.RUNNING, utcnow(), 1_000_000
    db.session.commit()
    page = client_request.get("decisions.publication", decision_id=decision.id)
    assert page.text(".notice strong") == "En cours."
    assert "1 000 000 bulletins à traiter" in page.text(".notice")


def test_a_job_whose_process_died_is_taken_again_by_the_next_look_at_its_page(client_request, login_as, no_worker,
                                                                             monkeypatch):
    login_as(Role.ELECTED)
    decision = _closed_vote()
    client_request.post("decisions.publish", decision_id=decision.id)
    claimed = queue.claim()
    db.session.commit()
    assert claimed is not None
    # Its process died before finishing: the job stays RUNNING, and nobody holds its row.
    assert queue.claim() is None  # too recent to be thought dead
    job = db.session.get(DecisionJob, claimed[0])
    job.started_at = utcnow() - queue.CLAIM_GRACE - timedelta(seconds=1)
    db.session.commit()
    woken = []
    monkeypatch.setattr(queue, "start_worker", lambda: woken.append(True))
    client_request.get("decisions.publication", decision_id=decision.id)
    assert woken == [True]
    assert queue.run_pending() == 1
    db.session.refresh(job)
    assert (job.state, job.attempts) == (JobState.DONE, 2) and decision.published_at is not None
    # The run of the dead process can no longer finish it.
    queue.run(*claimed)
    assert db.session.execute(select(func.count(ResultSnapshot.id))).scalar_one() == 1


def test_a_job_whose_process_keeps_dying_fails_and_can_be_asked_again(client_request, login_as, no_worker):
    login_as(Role.ELECTED)
    decision = _closed_vote()
    client_request.post("decisions.publish", decision_id=decision.id)
    job = _jobs(decision)[0]
    job.state, job.attempts = JobState.RUNNING, queue.MAX_ATTEMPTS
    job.started_at = utcnow() - queue.CLAIM_GRACE - timedelta(seconds=1)
    db.session.commit()
    assert queue.run_pending() == 0
    db.session.refresh(job)
    assert (job.state, job.failure) == (JobState.FAILED, JobFailure.STOPPED)
    page = client_request.get("decisions.publication", decision_id=decision.id)
    assert page.text(".notice-error").startswith("Échec. Le processus du serveur qui s’en chargeait s’est arrêté")
    assert page.texts("main form button") == ["Réessayer"] and check_page(page.html) == []
    client_request.post("decisions.publish", decision_id=decision.id)
    assert [j.state for j in _jobs(decision)] == [JobState.FAILED, JobState.QUEUED]


def test_a_job_refused_on_the_way_saves_nothing_and_says_why(client_request, login_as, no_worker):
    official = login_as(Role.ELECTED)
    decision = _closed_vote()
    client_request.post("decisions.publish", decision_id=decision.id)
    official.role = Role.RESIDENT  # no longer an official when the job runs
    db.session.commit()
    queue.run_pending()
    job = _jobs(decision)[0]
    assert (job.state, job.failure) == (JobState.FAILED, JobFailure.REFUSED)
    assert db.session.get(Decision, decision.id).published_at is None


def test_an_error_while_publishing_saves_nothing(client_request, login_as, no_worker, monkeypatch, caplog):
    login_as(Role.ELECTED)
    decision = _closed_vote()
    before = set(db.session.execute(select(Ballot.id).where(Ballot.decision_id == decision.id)).scalars())
    client_request.post("decisions.publish", decision_id=decision.id)

    def broken(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(publication, "write_descriptions", broken)
    queue.run_pending()
    job = _jobs(decision)[0]
    assert (job.state, job.failure) == (JobState.FAILED, JobFailure.ERROR)
    assert "disk full" in caplog.text
    assert db.session.get(Decision, decision.id).published_at is None
    assert db.session.execute(select(func.count(PublishedFile.id))).scalar_one() == 0
    assert set(db.session.execute(select(Ballot.id).where(Ballot.decision_id == decision.id)).scalars()) == before
    page = client_request.get("decisions.publication", decision_id=decision.id)
    assert "Une erreur inattendue" in page.text(".notice-error")


def test_the_officials_count_is_counted_once_per_closing(client_request, login_as, app):
    login_as(Role.ELECTED)
    decision = _closed_vote()
    with recording(app) as first:
        page = client_request.get("decisions.results", decision_id=decision.id)
    assert page.has("a[href$='/publish']")
    assert any("FROM ballot" in s for s in first)
    with recording(app) as again:
        client_request.get("decisions.results", decision_id=decision.id)
    assert not any("FROM ballot" in s for s in again)
    preview = db.session.get(ResultPreview, decision.id)
    assert json.loads(preview.results_json)["count"]["yes"] == 2 and preview.closes_at == decision.closes_at
    # Published, the count is the publication's and the preview is gone.
    client_request.post("decisions.publish", decision_id=decision.id)
    assert db.session.get(ResultPreview, decision.id) is None


def test_a_large_vote_is_counted_by_a_job(client_request, login_as, monkeypatch):
    login_as(Role.ELECTED)
    decision = _closed_vote()
    monkeypatch.setattr(queue, "INLINE_COUNT_LIMIT", 3)
    page = client_request.get("decisions.results", decision_id=decision.id)
    assert page.h1 == f"Dépouillement : {decision.title}"
    assert ("Actualiser cette page", f"/decisions/{decision.id}/results") in page.links("main")
    # The job ran after that request: the page now shows the count.
    page = client_request.get("decisions.results", decision_id=decision.id)
    assert page.h1.startswith("Résultats") and page.has("a[href$='/publish']")
    assert [(j.kind, j.state) for j in _jobs(decision)] == [(JobKind.COUNT, JobState.DONE)]


def test_a_failed_count_is_shown_and_asked_again(client_request, login_as, monkeypatch):
    login_as(Role.ELECTED)
    decision = _closed_vote()
    monkeypatch.setattr(queue, "INLINE_COUNT_LIMIT", 0)

    def broken(*_args):
        raise RuntimeError("oops")

    count_results = publication.count_results
    monkeypatch.setattr(publication, "count_results", broken)
    client_request.get("decisions.results", decision_id=decision.id)
    page = client_request.get("decisions.results", decision_id=decision.id)
    assert page.has(".notice-error") and page.texts("main form button") == ["Réessayer"]
    monkeypatch.setattr(publication, "count_results", count_results)
    page = client_request.post("decisions.count", decision_id=decision.id, _follow=True)
    assert page.h1.startswith("Résultats")
    assert [j.state for j in _jobs(decision)] == [JobState.FAILED, JobState.DONE]


def test_only_officials_queue_jobs_and_only_for_closed_votes(client_request, login_as):
    decision = make_decision(Method.YES_NO)  # open
    login_as(Role.ELECTED)
    client_request.post("decisions.publish", decision_id=decision.id, _expected_status=403)
    client_request.post("decisions.count", decision_id=decision.id, _expected_status=403)
    client_request.get("decisions.publication", decision_id=decision.id, _expected_status=404)
    close(decision)
    client_request.post("accounts.logout")
    login_as(Role.RESIDENT)
    client_request.post("decisions.publish", decision_id=decision.id, _expected_status=403)
    client_request.get("decisions.publication", decision_id=decision.id, _expected_status=404)
    assert _jobs(decision) == []


def test_flask_publish_runs_the_waiting_publication_or_one_asked_by_an_official(app, client_request, login_as,
                                                                              no_worker):
    runner = app.test_cli_runner()
    decision = _closed_vote()
    result = runner.invoke(args=["publish", str(decision.id)])
    assert result.exit_code != 0 and "--by" in result.output
    resident = make_user()
    result = runner.invoke(args=["publish", str(decision.id), "--by", resident.email])
    assert result.exit_code != 0 and _jobs(decision) == []
    official = login_as(Role.ELECTED)
    client_request.post("decisions.publish", decision_id=decision.id)  # waits: no worker
    result = runner.invoke(args=["publish", str(decision.id)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    snapshot = db.session.get(Decision, decision.id).snapshot
    assert snapshot.published_by_id == official.id and snapshot.ballots_sha256 in result.output
    assert "3 ballots" in result.output
    result = runner.invoke(args=["publish", str(decision.id), "--by", official.email])
    assert result.exit_code != 0 and db.session.execute(select(func.count(ResultSnapshot.id))).scalar_one() == 1


def test_flask_publish_of_an_unknown_decision(app, ctx):
    result = app.test_cli_runner().invoke(args=["publish", "987654", "--by", "x@example.org"])
    assert result.exit_code != 0 and "no decision 987654" in result.output


def test_publication_replaces_every_ballot_row_and_the_file_lists_them_once(ctx):
    decision = _closed_vote(["yes", "no"] * 15)
    before = dict(db.session.execute(select(Ballot.tracking_code, Ballot.id)
                                     .where(Ballot.decision_id == decision.id)).all())
    services.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.commit()
    after = dict(db.session.execute(select(Ballot.tracking_code, Ballot.id)
                                    .where(Ballot.decision_id == decision.id)).all())
    assert set(after) == set(before) and not set(after.values()) & set(before.values())
    # The file lists the ballots in their new storage order (random keys).
    codes = [line.split(",")[0] for line in published_text(decision, BALLOTS_CSV).splitlines()[1:]]
    assert codes == [code for code, _id in sorted(after.items(), key=lambda item: item[1])]


@pytest.mark.real_commits
def test_a_claim_skips_a_job_whose_worker_is_alive(app, ctx):
    """PostgreSQL: a worker holds its job's row for the whole run, however long: another worker leaves it."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("on SQLite a running job holds the write lock: a claim cannot even start (PostgreSQL run)")
    decision = _closed_vote()
    job = queue.queue_job(decision, JobKind.PUBLISH, make_user(role=Role.ELECTED))
    job.state, job.started_at = JobState.RUNNING, utcnow() - timedelta(hours=1)
    db.session.commit()
    job_id = job.id
    with db.engine.connect() as worker:
        worker.execute(text("SELECT id FROM decision_job WHERE id = :id FOR UPDATE"), {"id": job_id})
        assert queue.claim() is None
        worker.rollback()  # the worker's process dies: its transaction ends
    assert queue.claim() == (job_id, 1)
