"""Counting and publishing a vote as jobs, outside the request that asks for them.

Publishing a million ballots takes longer than a web worker may keep a request (gunicorn ends
it after 30 s): the publish button queues a DecisionJob and answers at once, and the job runs

- in a thread of the process that answered, started once the request that queued it is
  committed (as mail leaves, civic.mail): no cron is needed;
- again when the official refreshes its status page, or from `flask publish N`, if it is still
  waiting or the process that ran it died;
- never in two places at once.

A job is claimed (RUNNING, one attempt more) in a short transaction, then run in one
transaction that also marks it DONE: a publication is all or nothing, and a process that dies
rolls it back, which leaves the job RUNNING and its row free. A live job holds its row
(PostgreSQL: FOR UPDATE, which claims skip) or the database's write lock (SQLite has one writer:
a claim that holds the lock is alone). So a RUNNING job that a claim can take, started more
than CLAIM_GRACE ago (the moment between its claim and its transaction), was abandoned: it is
claimed again, up to MAX_ATTEMPTS times in all.

The official's preview of a closed vote is a job too when the vote is large; a vote of fewer
than INLINE_COUNT_LIMIT ballots is counted by the page that shows it (well under a second).
"""
import threading
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import OperationalError

from ..access import Action, check
from ..db_types import utcnow
from ..domain import DomainError
from ..errors import log_background_failure
from ..extensions import db
from ..mail import deliver_pending
from ..transaction import after_commit, lock_for_write, unique_insert
from . import services
from .models import Ballot, Decision, DecisionJob, JobFailure, JobKind, JobState

CLAIM_GRACE = timedelta(minutes=1)
MAX_ATTEMPTS = 3
INLINE_COUNT_LIMIT = 20_000
UNFINISHED = (JobState.QUEUED, JobState.RUNNING)


def latest_job(decision, kind):
    return db.session.execute(select(DecisionJob).where(DecisionJob.decision_id == decision.id,
                                                        DecisionJob.kind == kind)
                              .order_by(DecisionJob.id.desc()).limit(1)).scalar_one_or_none()


def unfinished_job(decision, kind):
    job = latest_job(decision, kind)
    return job if job is not None and job.state in UNFINISHED else None


def queue_job(decision, kind, user):
    """The decision's unfinished job of this kind: queued now by ``user``, unless one already is."""
    check(user, Action.RESULTS_PUBLISH, decision)
    # The database keeps one unfinished job per decision and kind: a second official asking at the same
    # moment gets the first one's.
    with unique_insert():
        db.session.add(DecisionJob(decision_id=decision.id, kind=kind, requested_by_id=user.id))
    return unfinished_job(decision, kind)


def _runnable(now):
    return or_(DecisionJob.state == JobState.QUEUED,
               and_(DecisionJob.state == JobState.RUNNING, DecisionJob.started_at < now - CLAIM_GRACE))


def wake(job):
    """Once this request is committed, start a worker if ``job`` waits for one (or may have lost its own)."""
    now = utcnow()
    if job.state is JobState.QUEUED or (job.state is JobState.RUNNING and job.started_at < now - CLAIM_GRACE):
        after_commit(start_worker)


def preview(decision, user):
    """What an official reviewing a closed vote is shown: the counted results (a ResultPreview), or the
    job that counts them (a DecisionJob: waiting, running, or failed, to be asked again)."""
    found = services.preview_of(decision)
    if found is not None:
        return found
    job = latest_job(decision, JobKind.COUNT)
    if job is not None and job.state is not JobState.DONE:
        wake(job)
        return job
    lock_for_write()
    if services.ballot_count(decision) < INLINE_COUNT_LIMIT:
        return services.count_preview(decision, user)
    job = queue_job(decision, JobKind.COUNT, user)
    wake(job)
    return job


_worker = threading.Lock()


def start_worker():
    """Run the runnable jobs in a thread of this process, unless one of its threads already does."""
    if not _worker.acquire(blocking=False):
        return
    try:
        threading.Thread(target=_work, args=(current_app._get_current_object(),), name="civic-decisions",
                         daemon=True).start()
    except BaseException:
        _worker.release()
        raise


def _work(app):
    try:
        with app.app_context():
            try:
                run_pending()
            except Exception as error:  # noqa: BLE001 - nobody waits for this thread: the next page view tries again
                log_background_failure(error, "Counting or publishing a vote")
            finally:
                db.session.remove()
    finally:
        _worker.release()


def run_pending():
    """Run every runnable job, one after the other, then send the mail they queued; returns how many ran.
    Commits: call it with nothing of the caller's pending."""
    ran = 0
    while (claimed := claim()) is not None:
        run(*claimed)
        ran += 1
    deliver_pending()
    return ran


def claim(job_id=None):
    """Take a runnable job (that one, when given): (its id, the attempt) once committed, or None."""
    lock_for_write()
    while True:
        now = utcnow()
        statement = (select(DecisionJob).where(_runnable(now)).order_by(DecisionJob.id).limit(1)
                     .with_for_update(skip_locked=True))
        if job_id is not None:
            statement = statement.where(DecisionJob.id == job_id)
        try:
            job = db.session.execute(statement).scalar_one_or_none()
        except OperationalError as error:
            if "database is locked" not in str(error.orig):
                raise
            db.session.rollback()  # SQLite: a job is being run (or a long write): nothing can be claimed now
            return None
        if job is None:
            db.session.commit()
            return None
        job.attempts += 1
        if job.attempts > MAX_ATTEMPTS:
            job.state, job.failure, job.finished_at = JobState.FAILED, JobFailure.STOPPED, now
            db.session.commit()
            continue
        job.state, job.started_at = JobState.RUNNING, now
        job.ballots = db.session.execute(
            select(func.count(Ballot.id)).where(Ballot.decision_id == job.decision_id)).scalar_one()
        db.session.commit()
        return job.id, job.attempts


def run(job_id, attempt):
    """Run a claimed job in one transaction that marks it DONE, or mark it FAILED (see the module)."""
    lock_for_write()
    job = db.session.execute(select(DecisionJob).where(DecisionJob.id == job_id, DecisionJob.state == JobState.RUNNING,
                                                       DecisionJob.attempts == attempt).with_for_update()
                             ).scalar_one_or_none()
    if job is None:  # claimed again meanwhile, by a worker that believed this one dead
        db.session.rollback()
        return
    try:
        decision = db.session.get(Decision, job.decision_id)
        if job.kind is JobKind.PUBLISH:
            services.publish_results(decision, job.requested_by)
        else:
            services.count_preview(decision, job.requested_by)
        job.state, job.finished_at = JobState.DONE, utcnow()
        db.session.commit()
    except DomainError:
        db.session.rollback()
        _fail(job_id, attempt, JobFailure.REFUSED)
    except Exception as error:  # noqa: BLE001 - the official is told; what happened is logged
        db.session.rollback()
        log_background_failure(error, f"Job {job_id} ({job.kind.value} of decision {job.decision_id})")
        _fail(job_id, attempt, JobFailure.ERROR)


def _fail(job_id, attempt, failure):
    db.session.execute(update(DecisionJob).where(DecisionJob.id == job_id, DecisionJob.state == JobState.RUNNING,
                                                 DecisionJob.attempts == attempt)
                       .values(state=JobState.FAILED, failure=failure, finished_at=utcnow()))
    db.session.commit()


def publish_now(decision, user):
    """Publish in this process (`flask publish`): the publication waiting for it, else one asked now by
    ``user``. Returns the job once run, or None when another process is running it."""
    lock_for_write()
    job = unfinished_job(decision, JobKind.PUBLISH) or queue_job(decision, JobKind.PUBLISH, user)
    job_id = job.id
    db.session.commit()
    claimed = claim(job_id)
    if claimed is None:
        return None
    run(*claimed)
    deliver_pending()
    return db.session.get(DecisionJob, job_id)
