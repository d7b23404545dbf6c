"""New, empty databases for tests that need a database of their own (a backup restored into another one, an app on
a migrated schema): on the same kind of server as the suite's, dropped after the test.

    from tests.databases import new_database  # a fixture

    def test_x(new_database):
        url = new_database("restored")
"""
import os
import secrets

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


@pytest.fixture
def new_database(tmp_path):
    """new_database(name) -> the URL of a new, empty database: a file in tmp_path in the SQLite run, a database of
    the suite's server in the PostgreSQL run. It does not use the suite's app: a test using the app works in a
    transaction that every session of every app joins (tests/conftest.py), and would never reach these."""
    suite = os.environ.get("CIVIC_TEST_DATABASE_URL", "")
    url = make_url(suite) if suite else None
    created = []
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool) if url is not None else None

    def new(name):
        if admin is None:
            return f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
        database = f"civic_{name}_{secrets.token_hex(4)}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        created.append(database)
        return url.set(database=database).render_as_string(hide_password=False)

    yield new
    if admin is not None:
        with admin.connect() as connection:
            for database in created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
