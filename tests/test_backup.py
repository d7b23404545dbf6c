"""flask backup and flask restore: the demo with a published vote comes back identical, on the suite's database
(SQLite in the SQLite run, PostgreSQL in the PostgreSQL run); wrong files, missing tools and non-empty
databases get a sentence and an exit status, never a traceback; passwords never reach a command line."""
import hashlib
import json
import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from civic import create_app
from civic.decisions import files
from civic.decisions.models import Decision, PublishedFile
from civic.extensions import db
from civic.ops import backup
from civic.ops.health import head_revisions
from tests.databases import new_database  # a fixture

# Some of its tests build apps or reach servers of their own on the suite's database (see tests/conftest.py).
pytestmark = pytest.mark.database

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")


def _app_on(url):
    return create_app({"SQLALCHEMY_DATABASE_URI": url}, env="testing")


def _published(app, tmp_path):
    """What a re-user checks of every published vote: its files' hashes (recomputed from the stored bytes), its
    results, and the recount of its ballots file by `flask recount`."""
    seen = {}
    with app.app_context():
        decisions = db.session.execute(select(Decision).join(PublishedFile).distinct()).scalars().all()
        for decision in decisions:
            stored = files.stored_files(decision.id)
            hashes = {name: (f.sha256, hashlib.sha256(b"".join(files.chunks(f.id))).hexdigest())
                      for name, f in stored.items()}
            # A budget is recounted from its .pb file (the CSV has no costs), the other methods from the CSV.
            name = files.BALLOTS_PB if files.BALLOTS_PB in stored else files.BALLOTS_CSV
            ballots = tmp_path / f"decision-{decision.id}-{name}"
            ballots.write_bytes(b"".join(files.chunks(stored[name].id)))
            recount = app.test_cli_runner().invoke(args=["recount", str(ballots)])
            assert recount.exit_code == 0, recount.output
            results = json.loads(files.read_text(decision.id, files.RESULTS_JSON))
            seen[decision.id] = {"hashes": hashes, "ballots_sha256": decision.snapshot.ballots_sha256,
                                 "results": results, "recount": recount.output}
        db.session.remove()
    return seen


def test_the_demo_with_a_published_vote_is_backed_up_and_restored_identical(new_database, tmp_path):
    source = _app_on(new_database("source"))
    with source.app_context():
        upgrade(directory=MIGRATIONS)
    runner = source.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    (tmp_path / "before").mkdir()
    before = _published(source, tmp_path / "before")
    assert before, "the demo publishes a vote"
    for published in before.values():
        assert all(column == computed for column, computed in published["hashes"].values())
        assert published["ballots_sha256"] == published["hashes"][files.BALLOTS_CSV][0]
        count = published["results"]["count"]
        if "winners" in count:  # a budget: the funded projects, one id a line
            assert sorted(published["recount"].split()) == sorted(str(winner) for winner in count["winners"])
        else:
            assert json.loads(published["recount"]) == count

    archive = tmp_path / "civic.backup"
    result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output and "schema 0" in result.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # every resident's personal data is in it
    with source.app_context():
        db.engine.dispose()

    target_url = new_database("restored")
    target = _app_on(target_url)
    restored = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert "schema is at the migrations' head" in restored.output
    # A backup is the past: an erasure made since is undone, and the operator is told what to do about it.
    assert restored.stderr.startswith("Warning: the database is now as it was when the backup was made")
    assert "erasures included" in restored.stderr and "flask --app wsgi purge" in restored.stderr
    engine = create_engine(target_url, poolclass=NullPool)  # the restored database itself, apart from the app
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM published_chunk")).scalar_one() > 0
    (tmp_path / "after").mkdir()
    assert _published(target, tmp_path / "after") == before

    # The restored site serves what was published, and has everyone's accounts.
    with target.app_context():
        page = target.test_client().get(f"/decisions/{next(iter(before))}/results")
        assert page.status_code == 200
        assert db.session.execute(text("SELECT count(*) FROM user_account")).scalar_one() > 5
        db.session.remove()

    again = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert again.exit_code == 1 and "is not empty" in again.output and "--force" in again.output
    forced = target.test_cli_runner().invoke(args=["restore", "--force", "--database-name",
                                                    make_url(target_url).database, str(archive)])
    assert forced.exit_code == 0, forced.output
    assert "replacing its" in forced.output
    assert _published(target, tmp_path / "after") == before
    with target.app_context():
        db.engine.dispose()


def test_a_restore_behind_the_migrations_head_says_to_upgrade(new_database, tmp_path):
    source = _app_on(new_database("old"))
    with source.app_context():
        upgrade(directory=MIGRATIONS, revision="0017")
    archive = tmp_path / "old.backup"
    assert source.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    with source.app_context():
        db.engine.dispose()
    target = _app_on(new_database("new"))
    result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 1
    assert "revision 0017" in result.output and "flask --app wsgi db upgrade" in result.output
    assert "Traceback" not in result.output
    with target.app_context():
        db.engine.dispose()


def test_wrong_files_are_refused_with_a_sentence(new_database, tmp_path):
    target = _app_on(new_database("target"))
    runner = target.test_cli_runner()
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    result = runner.invoke(args=["restore", str(not_a_backup)])
    assert result.exit_code == 1 and "is not a backup made by flask backup" in result.output

    other_kind = tmp_path / "other"
    other_kind.write_bytes(backup.PG_DUMP_MAGIC if make_url(target.config["SQLALCHEMY_DATABASE_URI"])
                           .get_backend_name() == "sqlite" else backup.SQLITE_MAGIC)
    result = runner.invoke(args=["restore", str(other_kind)])
    assert result.exit_code == 1 and "restore it into the kind of database it was made from" in result.output

    result = runner.invoke(args=["backup", str(tmp_path / "no-such-directory" / "x.backup")])
    assert result.exit_code == 1 and "Cannot write" in result.output
    assert not list(tmp_path.glob("**/.x.backup.partial-*"))
    with target.app_context():
        db.engine.dispose()


def test_an_sqlite_file_that_is_not_civics_is_refused(tmp_path):
    foreign = tmp_path / "foreign.sqlite3"
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE t (x)")
    connection.close()
    target = _app_on(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    result = target.test_cli_runner().invoke(args=["restore", str(foreign)])
    assert result.exit_code == 1 and "not Civic's" in result.output


def test_pg_dump_gets_the_password_from_its_environment_never_its_command_line(monkeypatch):
    calls = []
    monkeypatch.setattr(backup.subprocess, "run", lambda command, env, **_options: calls.append((command, env)) or
                        subprocess.CompletedProcess(command, 0, stdout="", stderr=""))
    monkeypatch.setattr(backup, "find_tool", lambda name: f"/usr/lib/postgresql/15/bin/{name}")
    url = make_url("postgresql+psycopg://civic:s3cret-pass@db.example:5433/civic?sslmode=require")
    backup._run_tool("pg_dump", ["--format=custom", "--no-password", "--file=civic.backup"], url)
    (command, env), = calls
    assert not any("s3cret-pass" in argument or "db.example" in argument for argument in command)
    assert (env["PGPASSWORD"], env["PGUSER"], env["PGHOST"], env["PGPORT"], env["PGDATABASE"], env["PGSSLMODE"]) == (
        "s3cret-pass", "civic", "db.example", "5433", "civic", "require")
    assert backup._describe(url) == "PostgreSQL database civic on db.example"  # what the commands say


def test_a_missing_tool_is_named_with_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(backup.shutil, "which", lambda _name: None)
    monkeypatch.setattr(backup, "POSTGRESQL_BIN", tmp_path / "nothing-here")
    with pytest.raises(backup.BackupError, match="pg_dump was not found .* apt-get install postgresql-client-15"):
        backup.find_tool("pg_dump")
    (tmp_path / "pg" / "13" / "bin").mkdir(parents=True)
    (tmp_path / "pg" / "15" / "bin").mkdir(parents=True)
    for version in ("13", "15"):
        tool = tmp_path / "pg" / version / "bin" / "pg_dump"
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)
    monkeypatch.setattr(backup, "POSTGRESQL_BIN", tmp_path / "pg")
    assert backup.find_tool("pg_dump") == str(tmp_path / "pg" / "15" / "bin" / "pg_dump")


def test_an_option_of_the_database_url_that_pg_dump_cannot_take_is_refused():
    with pytest.raises(backup.BackupError, match="'prepare_threshold' has no equivalent"):
        backup.tool_environment(make_url("postgresql+psycopg://u:p@h/d?prepare_threshold=0"), environ={})


def test_an_sqlite_site_is_backed_up_while_a_request_writes(tmp_path):
    path = tmp_path / "live.sqlite3"
    live = _app_on(f"sqlite:///{path}")
    with live.app_context():
        upgrade(directory=MIGRATIONS)  # through Civic's connections, which put the file in WAL mode
        db.engine.dispose()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a request holding the write lock, its vote not yet committed
    writer.execute("UPDATE alembic_version SET version_num = 'written meanwhile'")
    archive = tmp_path / "live.backup"
    result = live.test_cli_runner().invoke(args=["backup", str(archive)])
    writer.execute("COMMIT")
    writer.close()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(archive)
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, nothing beside it
    assert copy.execute("SELECT version_num FROM alembic_version").fetchone()[0] in head_revisions()  # before the commit
    copy.close()


def _migrated_with_a_marker(url):
    """A Civic database at the migrations' head holding one thing a restore over it would replace."""
    app = _app_on(url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.session.execute(text("CREATE TABLE restore_marker (said VARCHAR(20))"))
        db.session.execute(text("INSERT INTO restore_marker VALUES ('still here')"))
        db.session.commit()
        db.engine.dispose()
    return app


def _marker(url):
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT said FROM restore_marker")).scalar_one()
    finally:
        engine.dispose()


def test_force_asks_for_the_name_of_the_database_it_replaces(new_database, tmp_path, monkeypatch):
    source = _app_on(new_database("source"))
    with source.app_context():
        upgrade(directory=MIGRATIONS)
    archive = tmp_path / "civic.backup"
    assert source.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    with source.app_context():
        db.engine.dispose()
    url = new_database("production")
    target = _migrated_with_a_marker(url)
    name = make_url(url).database
    runner = target.test_cli_runner()

    # Not on a terminal (a script, a unit): the name must be given, and it is said which database it would be.
    result = runner.invoke(args=["restore", "--force", str(archive)])
    assert result.exit_code == 1 and f"--database-name {name}" in result.output and "Traceback" not in result.output
    # The restore drill's database named while DATABASE_URL names production: nothing is replaced.
    result = runner.invoke(args=["restore", "--force", "--database-name", "civic_drill", str(archive)])
    assert result.exit_code == 1 and "'civic_drill' is not the name of the database" in result.output
    assert name in result.output and "Nothing was changed" in result.output
    assert _marker(url) == "still here"

    # On a terminal it asks, and the name typed back decides.
    monkeypatch.setattr(backup, "_on_a_terminal", lambda: True)
    result = runner.invoke(args=["restore", "--force", str(archive)], input="civic_drill\n")
    assert result.exit_code == 1 and f"Type its name ({name})" in result.output
    assert _marker(url) == "still here"
    result = runner.invoke(args=["restore", "--force", str(archive)], input=f"{name}\n")
    assert result.exit_code == 0, result.output
    assert "replacing its" in result.output
    with target.app_context():
        assert "restore_marker" not in db.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_a_forced_restore_of_a_truncated_backup_leaves_the_database_as_it_was(new_database, tmp_path):
    source = _app_on(new_database("source"))
    with source.app_context():
        upgrade(directory=MIGRATIONS)
    runner = source.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    archive = tmp_path / "civic.backup"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    with source.app_context():
        db.engine.dispose()
    data = archive.read_bytes()
    # Cut within its last rows: a copy that stopped on the way off-site. A pg_dump archive's table of contents,
    # at its start, still reads (pg_restore --list): only reading the data finds the end missing.
    archive.write_bytes(data[:len(data) - len(data) // 10])
    url = new_database("live")
    target = _migrated_with_a_marker(url)
    if make_url(url).get_backend_name() == "postgresql":
        backup._run_tool("pg_restore", ["--list", str(archive)], make_url(url))

    result = target.test_cli_runner().invoke(args=["restore", "--force", "--database-name",
                                                   make_url(url).database, str(archive)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert _marker(url) == "still here"
    assert "nothing was changed" in result.output or "damaged" in result.output or "malformed" in result.output, \
        result.output
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() in head_revisions()
    engine.dispose()
    with target.app_context():
        db.engine.dispose()


def test_a_restored_sqlite_database_is_readable_by_its_owner_only(tmp_path):
    source = _app_on(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    with source.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
    archive = tmp_path / "civic.backup"
    assert source.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    restored = tmp_path / "restored.sqlite3"
    target = _app_on(f"sqlite:///{restored}")
    previous = os.umask(0o022)  # sudo's and systemd's usual umask: a new file readable by everyone
    try:
        result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(restored.stat().st_mode) == 0o600  # every resident's personal data is in it
    with target.app_context():
        db.engine.dispose()
