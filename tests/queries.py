"""Count the SQL statements a request issues: a page's count must not grow with the data behind it."""
import re
from contextlib import contextmanager

from sqlalchemy import event

from civic.extensions import db

# The test's transaction and the request's commit as a savepoint are the harness, not the page.
_HARNESS = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN|COMMIT|ROLLBACK)\b", re.I)


class Statements(list):
    def __str__(self):
        return "\n".join(f"{i + 1}. {s}" for i, s in enumerate(self))


@contextmanager
def recording(app):
    """Yields the list of SQL statements run meanwhile (by any connection of the app's engine)."""
    statements = Statements()
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        if not _HARNESS.match(statement):
            statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
