"""Count the SQL statements a request issues: a page's count must not grow with the data behind it."""
import re
from contextlib import contextmanager

from sqlalchemy import event

from civic.extensions import db
from tests.client import Page

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


def tables(statements):
    """The table of each statement's first column (of its EXISTS for a bare one): a lazy load shows up as a
    statement of its own table."""
    return [re.match(r"SELECT (?:EXISTS \(SELECT \* FROM )?(\w+)", s).group(1) for s in statements]


def recorded_page(app, client, path):
    """(the parsed page at ``path``, which must answer 200, the statements of its request). ``path`` is read by
    the caller, before: an object's id read after the test's commit would be a statement of the test's own."""
    with recording(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return Page(response), statements
