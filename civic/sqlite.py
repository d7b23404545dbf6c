"""SQLite, the embedded default, set up for several processes writing at once.

- WAL: readers never wait for the writer, and the writer never waits for readers.
- Civic emits BEGIN itself (BEGIN IMMEDIATE when the transaction may write, see
  civic.transaction): Python's sqlite3 module would otherwise begin only at the first
  INSERT or UPDATE, leaving reads outside the transaction and SAVEPOINTs unreliable.
- A busy timeout: a writer waits for the one before it instead of failing at once;
  past it the request gets the "try again in a moment" page, and nothing was written.
- Foreign keys, which SQLite leaves off by default.
"""
import sqlite3

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from . import transaction


def init_engine(engine, busy_timeout_ms, synchronous):
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Straight to the driver: through SQLAlchemy's execution (its events, a cursor result) the BEGIN of
        # every request cost as much as a small query. Its errors are SQLAlchemy's, as they were (a database
        # locked past the busy timeout is the "try again" page).
        statement = "BEGIN IMMEDIATE" if transaction.wants_write_lock() else "BEGIN"
        try:
            connection.connection.driver_connection.execute(statement)
        except sqlite3.Error as error:
            raise DBAPIError.instance(statement, (), error, sqlite3.Error) from error
