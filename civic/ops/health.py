"""What /healthz reports: the database answers, its schema is at the migrations' head, and mail leaves.

Monitoring asks every minute or so: the checks cost one connection from the pool and two small
statements, and touch neither the request's ORM session nor the cookie session. What they answer
names the check that failed and never the error itself, which may hold the database's address.
"""
import functools
from dataclasses import dataclass, field
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from ..db_types import utcnow
from ..errors import outage
from ..extensions import db
from ..mail import OutgoingMail

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
OK = "ok"


@functools.cache
def head_revisions(directory=MIGRATIONS):
    """The revisions the code's migrations end at (read once: they change only with the code)."""
    return frozenset(ScriptDirectory(str(directory)).get_heads())


def database_revisions(connection):
    """The revisions the database says it is at; DBAPIError when it has no alembic_version table."""
    return frozenset(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


@dataclass
class Report:
    checks: dict = field(default_factory=dict)

    @property
    def failed(self):
        return [name for name, outcome in self.checks.items() if outcome != OK]

    @property
    def ok(self):
        return not self.failed

    def as_dict(self):
        return {"status": "ok" if self.ok else "failing", "failed": self.failed, "checks": self.checks}


def check(mail_max_age):
    """A Report of the three checks; ``mail_max_age`` (a timedelta): how long a mail may wait unsent."""
    report = Report({"database": "not checked", "migrations": "not checked", "mail_queue": "not checked"})
    if not _sqlite_file_present(db.engine.url):
        report.checks["database"] = "unreachable"
        return report
    try:
        with db.engine.connect() as connection:  # pool_pre_ping: a connection that no longer answers is replaced
            report.checks["database"] = OK
            report.checks["migrations"] = _migrations(connection)
            if report.checks["migrations"] == OK:  # the queue's table is as the code expects it
                report.checks["mail_queue"] = _mail_queue(connection, mail_max_age)
    except SQLAlchemyError as error:
        # Refused, gone or timed out: logged once per outage, as the pages log it (civic.errors).
        outage.started(error)
        report.checks["database"] = "unreachable"
    return report


def _sqlite_file_present(url):
    """False when the SQLite file was removed or its disk unmounted: the workers' open connections would go on
    reading the removed file, and a new one would create an empty database in its place."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return True
    return Path(url.database).exists()


def _migrations(connection):
    try:
        found = database_revisions(connection)
    except DBAPIError:
        connection.rollback()  # PostgreSQL refuses every statement after a failed one in the transaction
        return "no alembic_version table: run flask --app wsgi db upgrade"
    head = head_revisions()
    if found == head:
        return OK
    return (f"database at {', '.join(sorted(found)) or 'no revision'}, the code's migrations at {', '.join(sorted(head))}"
            ": run flask --app wsgi db upgrade")


def _mail_queue(connection, max_age):
    # Unsent mail is found through the index of sent_at (NULL until sent), not by reading every mail ever sent.
    oldest = connection.execute(select(func.min(OutgoingMail.created_at))
                                .where(OutgoingMail.sent_at.is_(None), OutgoingMail.failed_at.is_(None))).scalar()
    if oldest is None:
        return OK
    waiting = utcnow() - oldest
    if waiting <= max_age:
        return OK
    return (f"the oldest unsent mail has waited {int(waiting.total_seconds() // 60)} minutes (more than "
            f"{int(max_age.total_seconds() // 60)}): is flask send-mail running, does the mail server answer?")

