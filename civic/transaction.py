"""One transaction per request: services flush, the request commits once, at its end.

- The request commits when it answers below 400 and nothing refused it. An error status,
  an exception or a domain refusal (``refuse``, which ``domain.attach_error`` calls) rolls
  everything back, including what a service changed before it refused.
- What must not happen for an action that was not saved (mail leaving, a thread starting)
  is registered with ``after_commit`` and runs only once the commit has succeeded.
- When the commit itself fails (the database went away, a conflict no service caught),
  nothing of the request stays: the cookie session is put back as it was (no "saved"
  message, no log-in) and the person is told to try again, never shown a false success.

SQLite, the embedded default, has one writer at a time. A transaction that reads and then
writes must take the write lock when it begins: if another writer commits in between, SQLite
refuses the write at once (SQLITE_BUSY_SNAPSHOT, which the busy timeout does not cover) and
the vote is lost. So on SQLite a request that may change data (POST...) begins with BEGIN
IMMEDIATE and waits its turn; reading requests begin a deferred transaction, and the rare
reading request that must write calls ``lock_for_write`` first, as does work outside requests
that reads and then writes (commands, the clock jobs).
PostgreSQL needs none of this: its row locks and constraints decide (see the services).
"""
import logging
from contextlib import contextmanager

from flask import current_app, g, has_app_context, has_request_context, request, session
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .extensions import db

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def refuse():
    """The request refused what was asked: roll back whatever was changed before the refusal."""
    g.civic_refused = True


def refused():
    return bool(g.get("civic_refused"))


def after_commit(callback):
    """Run ``callback()`` once this request's changes are committed; never if they are rolled back.
    Outside a request (commands, tests) the caller commits itself, so the callback runs at once."""
    if not has_request_context():
        callback()
        return
    callbacks = g.setdefault("civic_after_commit", [])
    if callback not in callbacks:
        callbacks.append(callback)


def wants_write_lock():
    """Whether a transaction beginning now takes SQLite's write lock at once (see the module)."""
    if not has_app_context():
        return False
    return g.get("civic_write_lock", has_request_context() and request.method not in SAFE_METHODS)


def lock_for_write():
    """Before a reading request (GET), a command or a job reads what it will change: on SQLite, start
    the transaction again holding the write lock, unless it already writes, and keep taking it for
    the rest of the request or app context. Objects loaded so far are reloaded on their next use."""
    if g.get("civic_write_lock", False):
        return
    g.civic_write_lock = True
    session_ = db.session()
    if db.engine.dialect.name == "sqlite" and session_.in_transaction() and not session_.info.get("wrote"):
        if session_.new or session_.dirty or session_.deleted:
            raise RuntimeError("lock_for_write() must be called before changing anything")
        session_.rollback()


def commit_bookkeeping():
    """Commit now what a before_request hook recorded about time passing (an assisted session that
    ended while idle, or its last activity): it is true whatever the view then answers, a refusal
    or a 403 included, so it must not share the view's rollback. Only for hooks that run before the
    view has changed anything; the view's own work starts a new transaction, deferred again on a GET."""
    db.session.commit()
    g.pop("civic_write_lock", None)


class Insert:
    """What became of a ``unique_insert`` block: ``duplicate`` when a UNIQUE constraint refused it."""

    duplicate = False


def _is_unique_violation(error, column):
    """A UNIQUE constraint refused the change (on ``column``, "table.column", when given). PostgreSQL
    says it by SQLSTATE 23505 and names the key in its detail; SQLite only in its message."""
    orig = error.orig
    if getattr(orig, "sqlstate", None) == "23505":
        diag = orig.diag
        return column is None or (diag.table_name == column.split(".")[0]
                                  and f"({column.split('.')[1]})" in (diag.message_detail or ""))
    return "UNIQUE constraint failed" in str(orig) and (column is None or column in str(orig))


@contextmanager
def unique_insert(refusal=None, column=None):
    """Run the block in a SAVEPOINT and flush it. When a UNIQUE constraint (on ``column``, if given)
    refuses it (the same support, vote, report or address saved by another request at the same
    moment), only the block is undone and ``refusal`` (a DomainError) is raised, or, without one,
    the yielded ``Insert`` says ``duplicate``. The constraint decides: checking first and inserting
    after is not enough while another transaction does the same (PostgreSQL; on SQLite writers take
    turns). Every change the constraint guards happens inside the block: what is pending before it
    is flushed first, outside the savepoint."""
    db.session.flush()
    outcome = Insert()
    try:
        with db.session.begin_nested():
            yield outcome
            db.session.flush()
    except IntegrityError as error:
        if not _is_unique_violation(error, column):
            raise
        if refusal is not None:
            raise refusal from None
        outcome.duplicate = True


def lock_rows(*objects, shared=False):
    """Hold these objects' rows until the request ends (PostgreSQL: SELECT ... FOR NO KEY UPDATE, or FOR
    SHARE when ``shared``: several requests may hold it, none may change the rows meanwhile), so that two
    requests deciding on the same things take turns; SQLite's write lock already makes them. Taken in
    one order (table, then id), so that two requests locking the same two rows cannot wait for each
    other forever. The objects are read again: what the other request changed is seen, and the caller
    checks what it checked before again.

    NO KEY UPDATE, the lock an UPDATE takes, rather than FOR UPDATE: a row that refers to a locked one
    (a reply to a comment a moderator is hiding) can still be inserted, which needs KEY SHARE on it.
    With FOR UPDATE, the moderator holding the comment and waiting for its proposal (the comment count's
    trigger) and the resident holding the proposal and inserting the reply waited for each other."""
    # __class__, not type(): a view may pass current_user, a proxy whose __class__ is the account's.
    for obj in sorted(objects, key=lambda o: (o.__class__.__tablename__, o.id)):
        key = obj.__class__.__mapper__.primary_key[0]
        db.session.execute(db.select(key).where(key == getattr(obj, key.key))
                           .with_for_update(read=shared, key_share=not shared))
        db.session.refresh(obj)


def release_write_lock():
    """Before slow work that needs no database (hashing a password takes ~0.1-0.3 s): on SQLite, end
    the request's transaction if it has changed nothing yet, so that other writers need not wait.
    Objects loaded so far are reloaded on their next use. A no-op anywhere else."""
    if not has_request_context() or db.engine.dialect.name != "sqlite":
        return
    session_ = db.session()
    if session_.in_transaction() and not (session_.new or session_.dirty or session_.deleted
                                          or session_.info.get("wrote")):
        session_.rollback()


def _mark_served():
    if request.endpoint != "static":  # files need no cookie (and must not vary with one)
        g.civic_served = True


def _restore_cookie_session():
    """The cookie session as the browser sent it, read again from the request's cookie: nothing is copied
    on the way in of every request for the rare one whose commit fails."""
    before = current_app.session_interface.open_session(current_app, request)
    session.clear()
    if before:
        session.update(before)


def _finish(response, on_commit_failure):
    if request.endpoint == "static":
        return response
    if response.status_code >= 400 or refused():
        db.session.rollback()
        return response
    # The request's session ends with it (Flask-SQLAlchemy removes it with the app context): marking each object
    # it loaded as stale, to be read again, would be work thrown away (a twentieth of a page of thirty objects).
    db.session().expire_on_commit = False
    try:
        db.session.commit()
    except Exception as error:  # noqa: BLE001 - whatever stopped the commit, nothing of the request stays
        db.session.rollback()
        _restore_cookie_session()
        if isinstance(error, IntegrityError):
            log.error("Commit refused by a constraint no service checked: %s", error.orig)
        elif not isinstance(error, (DBAPIError, StaleDataError)):
            log.exception("Commit failed")
        return on_commit_failure(error)
    for callback in g.pop("civic_after_commit", []):
        callback()
    return response


def init_app(app, on_commit_failure):
    """``on_commit_failure(error)`` gives the page shown when the commit fails.

    Call it after the app's other after_request hooks are registered: Flask runs them in reverse, so
    this one runs first among them and the page it may put in place of the response still gets their
    headers (blueprints' own hooks run before any of the app's)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _mark_served)
    app.after_request(lambda response: _finish(response, on_commit_failure))

    def note_write(session_):
        # A reading request that writes without lock_for_write() would lose its write to the first
        # concurrent writer on SQLite: the tests (every page, every role) must find it first.
        if (app.testing and has_request_context() and "civic_served" in g
                and db.engine.dialect.name == "sqlite" and not wants_write_lock()):
            raise RuntimeError(f"{request.method} {request.path} changes data without lock_for_write()")
        session_.info["wrote"] = True

    @event.listens_for(db.session, "before_flush")
    def _flushing(session_, _flush_context, _instances):
        if session_.new or session_.dirty or session_.deleted:
            note_write(session_)

    @event.listens_for(db.session, "do_orm_execute")
    def _executing(state):
        # UPDATE and DELETE statements (a token spent, supports moved) write without any flush.
        if state.is_insert or state.is_update or state.is_delete:
            note_write(state.session)

    @event.listens_for(db.session, "after_transaction_end")
    def _clear_written(session_, transaction):
        if transaction.parent is None:
            session_.info.pop("wrote", None)
