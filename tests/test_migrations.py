"""The migrations build exactly the schema the models describe, and undo it."""
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import CheckConstraint, create_engine, inspect, text
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.engine import make_url

from civic import create_app, db_objects
from civic.db_types import UTCDateTime
from civic.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")
RESIDENT = ("INSERT INTO user_account (id, display_name, role, active, created_at, notify_answers, language) "
            "VALUES (1, 'R', 'resident', true, CURRENT_TIMESTAMP, true, 'fr')")
FOLLOW = ("INSERT INTO follow (user_id, target_type, target_id, created_at) "
          "VALUES (1, '{type}', 1, CURRENT_TIMESTAMP)")


@pytest.fixture
def empty_database_url(app, tmp_path):
    """A fresh, empty database on the same kind of server as the rest of the suite."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"civic_migrations_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migrations_match_the_models(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url}, env="testing")
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                   "include_name": db_objects.include_name})
            differences = compare_metadata(context, db.metadata)
        assert differences == []

        downgrade(directory=MIGRATIONS, revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_ballot_urn_migration_keeps_every_ballot(empty_database_url):
    """0003 rebuilds the ballot table: every ballot survives, with no channel and no day."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url}, env="testing")
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0002")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO user_account (id, email, email_normalized, display_name, password_hash, role, active,"
                " created_at, session_version) VALUES (1, 'e@x.fr', 'e@x.fr', 'E', 'x', 'elected', true,"
                " '2026-01-01 00:00:00+00', 1)"))
            connection.execute(text(
                "INSERT INTO decision (id, title, question, description, method, opens_at, closes_at,"
                " created_by_id, created_at) VALUES (1, 'T', 'Q', '', 'yes_no', '2026-01-01 00:00:00+00',"
                " '2026-02-01 00:00:00+00', 1, '2026-01-01 00:00:00+00')"))
            for n, vote in enumerate(["yes", "no", "yes"]):
                connection.execute(text(
                    "INSERT INTO ballot (id, decision_id, cast_on, channel, tracking_code, content) VALUES"
                    " (:id, 1, '2026-01-10', 'counter', :code, :content)"),
                    {"id": f"{n:032x}", "code": f"CODE{n}", "content": f'{{"vote":"{vote}"}}'})
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT tracking_code, content FROM ballot ORDER BY tracking_code")).all()
            assert [tuple(r) for r in rows] == [("CODE0", '{"vote":"yes"}'), ("CODE1", '{"vote":"no"}'),
                                                ("CODE2", '{"vote":"yes"}')]
            assert {c["name"] for c in inspect(connection).get_columns("ballot")} == {
                "id", "decision_id", "tracking_code", "content"}
            if db.engine.dialect.name == "sqlite":
                sql = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ballot'")).scalar_one()
                assert "WITHOUT ROWID" in sql
        downgrade(directory=MIGRATIONS, revision="0002")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM ballot")).scalar_one() == 3
        db.engine.dispose()


def test_moderation_states_are_allowed_after_upgrade(empty_database_url):
    """0005 widens the CHECK on proposal.state (autogenerate cannot see enum values)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url}, env="testing")
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO user_account (id, email, email_normalized, display_name, password_hash, role, active,"
                " created_at, notify_answers) VALUES (1, 'e@x.fr', 'e@x.fr', 'E', 'x', 'resident',"
                " true, '2026-01-01 00:00:00+00', true)"))
            connection.execute(text("INSERT INTO theme (id, name, name_key, active) VALUES (1, 'T', 't', true)"))
            connection.execute(text(
                "INSERT INTO proposal (id, title, body, theme_id, author_id, state, language, created_at, updated_at,"
                " search_text, channel, held_by_reports) VALUES (1, 'T', 'B', 1, 1, 'pending', 'fr',"
                " '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00', '', 'online', false)"))
        with pytest.raises(Exception), db.engine.begin() as connection:
            connection.execute(text("UPDATE proposal SET state = 'nonsense' WHERE id = 1"))
        db.engine.dispose()


@pytest.fixture
def migrated(empty_database_url):
    """An app on a database migrated to the last revision."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url}, env="testing")
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.begin() as connection:
            connection.execute(text(RESIDENT))
        yield app
        db.engine.dispose()


def test_every_check_constraint_of_the_models_is_in_the_migrated_database(migrated):
    """Alembic's comparison does not see CHECK constraints: this does (the type of every (type, id) pair,
    every enum's values)."""
    inspector = inspect(db.engine)
    missing = []
    for table in db.metadata.sorted_tables:
        declared = {c.name for c in table.constraints if isinstance(c, CheckConstraint) and c.name}
        present = {c["name"] for c in inspector.get_check_constraints(table.name)}
        missing += [f"{table.name}: {name}" for name in declared - present]
    assert missing == []
    # And they hold: a follow of a proposal is fine, of a comment not; an audit row about a theme neither.
    with db.engine.begin() as connection:
        connection.execute(text(FOLLOW.format(type="proposal")))
    for statement in (FOLLOW.format(type="comment"),
                      "INSERT INTO assisted_action (created_at, kind, resident_id, object_type, object_id) "
                      "VALUES (CURRENT_TIMESTAMP, 'proposal_created', 1, 'theme', 1)"):
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text(statement))


def test_the_audit_log_stays_append_only_after_every_migration(migrated):
    """0011 rebuilds assisted_action on SQLite, which drops triggers: the append-only one is made again."""
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO assisted_action (created_at, kind, resident_id) "
                                "VALUES (CURRENT_TIMESTAMP, 'resident_registered', 1)"))
    with pytest.raises(DatabaseError), db.engine.begin() as connection:
        connection.execute(text("UPDATE assisted_action SET resident_id = 1"))


def _triggers():
    """The names of the database's triggers (those the application's objects create: counts, search, audit)."""
    if db.engine.dialect.name == "postgresql":
        statement = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        statement = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    with db.engine.connect() as connection:
        return set(connection.execute(text(statement)).scalars())


def test_the_migrated_database_has_every_trigger_of_the_models(migrated, app):
    """A batch migration on SQLite rebuilds its table and drops the triggers on it (the counts kept in proposal,
    the search index, the append-only audit log): whatever the migrations did, the database they leave has the
    triggers of a database built from the models (civic.db_objects)."""
    migrated_triggers = _triggers()
    with app.app_context():
        built = _triggers()
    assert built and migrated_triggers == built


def test_0019_dates_the_last_activity_of_existing_accounts(empty_database_url):
    """Counted from their creation, a record helped yesterday but registered four years ago would be erased at
    the first purge, an account used last week warned: 0019 reads their latest session, else the upgrade."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url}, env="testing")
    long_ago, last_week, yesterday = "2022-01-01 10:00:00", "2026-11-30 10:00:00", "2026-12-06 10:00:00"
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0018")
        with db.engine.begin() as connection:
            for user_id, role in ((1, "resident"), (2, "resident"), (3, "resident"), (4, "counter_agent")):
                connection.execute(text(
                    "INSERT INTO user_account (id, display_name, role, active, created_at, notify_answers, language)"
                    " VALUES (:id, 'R', :role, true, :created, true, 'fr')"),
                    {"id": user_id, "role": role, "created": long_ago})
            connection.execute(text("INSERT INTO counter (id, name, name_key, address, opening_hours, receipt_layout, active)"
                                    " VALUES (1, 'Mairie', 'mairie', '', '', 'a4', true)"))
            for started, resident in ((long_ago, 1), (yesterday, 1)):  # the record (1): its latest visit
                connection.execute(text(
                    "INSERT INTO assisted_session (agent_id, resident_id, counter_id, identity_check, consent_version,"
                    " started_at, last_activity_at, ended_at) VALUES (4, :resident, 1, 'document', '1', :at, :at, :at)"),
                    {"resident": resident, "at": started})
            for created, key in ((long_ago, "a"), (last_week, "b")):  # the online account (2): its latest log-in
                connection.execute(text("INSERT INTO login_session (user_id, key_hash, created_at)"
                                        " VALUES (2, :key, :at)"), {"key": key * 64, "at": created})
        before = datetime.now(UTC)
        upgrade(directory=MIGRATIONS, revision="0019")
        with db.engine.connect() as connection:
            dates = dict(connection.execute(text("SELECT id, last_active_at FROM user_account")).all())
        read = {user_id: UTCDateTime().process_result_value(
            value if isinstance(value, datetime) else datetime.fromisoformat(value), None)
            for user_id, value in dates.items()}
        assert read[1] == datetime(2026, 12, 6, 10, tzinfo=UTC)
        assert read[2] == datetime(2026, 11, 30, 10, tzinfo=UTC)
        assert read[3] >= before - timedelta(seconds=1) and read[4] >= before - timedelta(seconds=1)  # no session
        downgrade(directory=MIGRATIONS, revision="0018")
        db.engine.dispose()
