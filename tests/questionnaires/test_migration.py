"""Migration 0029: the questionnaires' tables, the CHECKs their values widen, and the triggers of the rebuilt
tables (SQLite) still there; and back."""
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError, IntegrityError

from civic import create_app
from civic.extensions import db
from tests.test_migrations import MIGRATIONS, RESIDENT, empty_database_url  # noqa: F401 - the fixture

NEW_VALUES = (
    "INSERT INTO process (id, title, summary, description, budget, starts_at, ends_at, created_by_id, created_at,"
    " updated_at) VALUES (1, 'C', 'S', '', NULL, '2026-01-01 00:00:00+00', '2099-01-01 00:00:00+00', 1,"
    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "INSERT INTO process_phase (process_id, position, kind, starts_on, ends_on)"
    " VALUES (1, 0, 'questionnaire', '2027-01-01', '2027-01-31')",
    "INSERT INTO assisted_action (created_at, kind, resident_id, object_type, object_id)"
    " VALUES (CURRENT_TIMESTAMP, 'questionnaire_answered', 1, 'questionnaire', 1)",
    "INSERT INTO staff_log (created_at, area, action, object_type, object_id, before, after)"
    " VALUES (CURRENT_TIMESTAMP, 'questionnaire', 'create', 'questionnaire', 1, '{}', '{}')",
    "INSERT INTO report (reporter_id, target_type, target_id, reason, text, created_at)"
    " VALUES (1, 'answer', 7, 'spam', '', CURRENT_TIMESTAMP)",
)


def _run(*statements):
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def test_0029_widens_the_checks_keeps_the_triggers_and_goes_back(empty_database_url):  # noqa: F811
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url}, env="testing")
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        assert {"questionnaire", "questionnaire_question", "questionnaire_choice", "questionnaire_response",
                "questionnaire_answer"} <= set(inspect(db.engine).get_table_names())
        _run(RESIDENT, *NEW_VALUES)
        # The report's trigger kept its reported item; the audit log is still append-only.
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT target_type, open_reports FROM reported_item")).one() == ("answer", 1)
        with pytest.raises(DatabaseError):
            _run("UPDATE assisted_action SET resident_id = 1")
        # Still held to their values.
        with pytest.raises(IntegrityError):
            _run("INSERT INTO staff_log (created_at, area, action, object_type, object_id, before, after)"
                 " VALUES (CURRENT_TIMESTAMP, 'x', 'y', 'theme', 1, '{}', '{}')")
        # Back to 0027 once the rows using the new values are gone.
        _run("DELETE FROM report", "DELETE FROM reported_item", "DELETE FROM staff_log", "DELETE FROM process_phase")
        with db.engine.begin() as connection:  # the audit log refuses deletions: a fresh database for it
            connection.execute(text("DROP TRIGGER IF EXISTS assisted_action_append_only"
                                    + (" ON assisted_action" if db.engine.dialect.name == "postgresql" else "")))
            connection.execute(text("DELETE FROM assisted_action"))
        downgrade(directory=MIGRATIONS, revision="0027")
        assert "questionnaire" not in inspect(db.engine).get_table_names()
        with pytest.raises(IntegrityError):
            _run(NEW_VALUES[1])
        db.engine.dispose()
