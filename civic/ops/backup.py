"""`flask backup FILE` and `flask restore FILE`: the whole database, while the site runs, and back.

- SQLite: SQLite's online backup API copies the database as one consistent snapshot while the site
  keeps reading and writing (WAL: a reader never stops the writer); the copy is one self-contained
  SQLite file, checked (PRAGMA quick_check) before it takes FILE's name.
- PostgreSQL: pg_dump's custom format (-Fc). Restored as SQL (pg_restore --file=-) run by psql in one
  transaction with the emptying of the schema it replaces: a restore that fails on the way, a truncated
  archive included, leaves the database as it was. The tools are found in PATH, else in
  /usr/lib/postgresql/<version>/bin. The connection's settings, password included, reach them through the
  environment (PGHOST, PGPASSWORD...), never on their command line, which anyone on the machine can read
  with `ps`.

A backup holds every resident's personal data: FILE is created readable by its owner only, and
written under another name first, so that FILE is either the previous backup or the new complete one.
A restore goes into an empty database (a new one, for a restore drill), or replaces everything with
--force, which the person confirms by typing the database's name; then the restored schema is compared with the
migrations' head. A restored database is the past: erasures and purges made since the backup are undone, and the
command says so (UNDONE).
"""
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .health import database_revisions, head_revisions

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# libpq reads these from the environment; a DATABASE_URL's query may give them (?sslmode=require).
LIBPQ_ENVIRONMENT = {"host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
                     "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "sslcrl": "PGSSLCRL", "passfile": "PGPASSFILE",
                     "connect_timeout": "PGCONNECT_TIMEOUT", "application_name": "PGAPPNAME", "options": "PGOPTIONS",
                     "target_session_attrs": "PGTARGETSESSIONATTRS", "service": "PGSERVICE"}
POSTGRESQL_BIN = Path("/usr/lib/postgresql")


class BackupError(Exception):
    """What stopped a backup or a restore, said for the person who typed the command."""


class RestoredBehind(BackupError):
    """The restore was made, but the schema is not the code's: the database holds the backup's data anyway."""


# --- Backup ------------------------------------------------------------------------------------------

def backup(url, file):
    """Copy the database at ``url`` (a SQLAlchemy URL) into ``file``; returns what was done, in a sentence."""
    file = Path(file)
    if file.is_dir():
        raise BackupError(f"{file} is a directory: give the name of the file to write.")
    partial = file.with_name(f".{file.name}.partial-{os.getpid()}")
    try:
        _create_private(partial)
        if url.get_backend_name() == "sqlite":
            revision = _backup_sqlite(_sqlite_path(url, must_exist=True), partial)
        elif url.get_backend_name() == "postgresql":
            revision = _backup_postgresql(url, partial)
        else:
            raise BackupError(f"Civic backs up SQLite and PostgreSQL, not {url.get_backend_name()}.")
        os.replace(partial, file)
    except OSError as error:
        raise BackupError(f"Cannot write {file}: {error.strerror or error}.") from None
    finally:
        partial.unlink(missing_ok=True)
    return (f"Backed up the {_describe(url)} (schema {revision}) to {file}: "
            f"{file.stat().st_size / 1e6:.1f} MB.")


def _create_private(path):
    """An empty file only its owner can read: a backup holds every resident's personal data."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _backup_sqlite(source_path, target):
    try:
        with closing(sqlite3.connect(source_path)) as source, closing(sqlite3.connect(target)) as destination:
            # One step (pages=-1): one snapshot, however much the site writes meanwhile; a copy made in
            # several steps would start again after each write and might never end on a busy site.
            source.backup(destination)
            # The copy is a file of its own: no -wal file beside it to forget when it is moved off-site.
            destination.execute("PRAGMA journal_mode=DELETE")
            return _checked_sqlite(destination, target)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not copy {source_path}: {error}.") from None


def _checked_sqlite(connection, path):
    """The schema revision of a Civic SQLite database file, once SQLite finds it sound."""
    verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        raise BackupError(f"{path} is damaged: {verdict}.")
    try:
        revisions = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.DatabaseError:
        raise BackupError(f"{path} is an SQLite database, but not Civic's (no alembic_version table).") from None
    return ", ".join(revisions) or "none"


def _backup_postgresql(url, target):
    try:
        with db.engine.connect() as connection:
            revision = ", ".join(sorted(database_revisions(connection))) or "none"
    except SQLAlchemyError:
        raise BackupError(f"The {_describe(url)} does not answer, or is not Civic's (no alembic_version "
                          "table).") from None
    _run_tool("pg_dump", ["--format=custom", "--no-password", f"--file={target}"], url)
    _run_tool("pg_restore", ["--list", str(target)], url)  # the archive reads back
    return revision


# --- Restore -----------------------------------------------------------------------------------------

def restore(url, file, force=False):
    """Load ``file`` (made by ``backup``) into the database at ``url``; returns what was done, in a sentence.
    Refuses a database that holds tables, unless ``force``: then everything in it is replaced."""
    file = Path(file)
    kind = _kind_of(file)
    backend = url.get_backend_name()
    if kind != backend:
        raise BackupError(f"{file} is a {_NAMES[kind]} backup and DATABASE_URL names a {_NAMES.get(backend, backend)} "
                          "database: restore it into the kind of database it was made from.")
    if kind == "sqlite":
        replaced = _restore_sqlite(file, _sqlite_path(url, must_exist=False), force)
    else:
        replaced = _restore_postgresql(url, file, force)
    db.engine.dispose()  # connections opened before the restore may have seen the database as it was
    done = f"Restored {file} into the {_describe(url)}" + (f", replacing its {replaced} tables" if replaced
                                                                       else "")
    _check_schema(done)
    return done + "; its schema is at the migrations' head."


_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _kind_of(file):
    try:
        with open(file, "rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"Cannot read {file}: {error.strerror or error}.") from None
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{file} is not a backup made by flask backup (neither an SQLite database nor a pg_dump "
                      "archive).")


def _restore_sqlite(file, target_path, force):
    if not target_path.exists():
        try:
            _create_private(target_path)  # not with the umask: it will hold every resident's personal data
        except FileExistsError:
            pass  # created meanwhile: restored into (or refused) as any existing file
        except OSError as error:
            raise BackupError(f"Cannot create {target_path}: {error.strerror or error}.") from None
    try:
        with closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)) as source, \
                closing(sqlite3.connect(target_path)) as target:
            _checked_sqlite(source, file)
            tables = _sqlite_tables(target)
            if tables and not force:
                raise _not_empty(target_path, tables)
            # Every page of the target replaced, in one step; Civic's connections put it back in WAL mode
            # when they open it (civic.sqlite).
            source.backup(target)
    except sqlite3.Error as error:
        raise BackupError(f"SQLite could not restore {file} into {target_path}: {error}.") from None
    return tables


def _sqlite_tables(connection):
    return connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                              "AND name NOT LIKE 'sqlite_%'").fetchone()[0]


def _not_empty(where, tables):
    return BackupError(f"{where} is not empty ({tables} tables): restore into a new, empty database, or give "
                       "--force to replace everything in this one.")


def _restore_postgresql(url, file, force):
    _run_tool("pg_restore", ["--list", str(file)], url)  # a damaged table of contents is refused at once
    try:
        with db.engine.connect() as connection:
            tables = connection.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
                                        ).scalar_one()
            if tables and not force:
                raise _not_empty(f"The database {url.database}", tables)
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    except SQLAlchemyError as error:
        raise BackupError(f"Cannot prepare the database {url.database}: {getattr(error, 'orig', error)}") from None
    db.engine.dispose()
    quoted = '"' + schema.replace('"', '""') + '"'
    _restore_in_one_transaction(url, file, f"DROP SCHEMA {quoted} CASCADE;\nCREATE SCHEMA {quoted};\n"
                                if tables else "")
    return tables


def _restore_in_one_transaction(url, file, emptying):
    """The archive as SQL (pg_restore --file=-) into psql, after ``emptying``, all in one transaction: the schema
    is replaced only if the whole archive was read and every statement ran.

    pg_restore --single-transaction writes BEGIN first and COMMIT last, after the last row; it stops at a
    damaged or truncated archive before writing COMMIT. psql stops at the first failing statement
    (ON_ERROR_STOP). Our own BEGIN before ``emptying`` puts the emptying into the same transaction (pg_restore's
    BEGIN after it only draws a warning). And if pg_restore fails, psql is killed before the end of its input:
    the server rolls back whatever it had received. Nothing is written to disk on the way: the SQL holds every
    resident's personal data."""
    environment = tool_environment(url)
    restore_sql = [find_tool("pg_restore"), "--single-transaction", "--no-owner", "--no-privileges", "--file=-",
                   str(file)]
    run_sql = [find_tool("psql"), "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1"]
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        try:
            psql = subprocess.Popen(run_sql, env=environment, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                    stderr=psql_errors)
        except OSError as error:
            raise BackupError(f"psql could not be run: {error.strerror or error}.") from None
        try:
            pg_restore = subprocess.Popen(restore_sql, env=environment, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.PIPE, stderr=restore_errors)
        except OSError as error:
            psql.kill()
            psql.wait()
            raise BackupError(f"pg_restore could not be run: {error.strerror or error}.") from None
        with pg_restore.stdout:
            try:
                psql.stdin.write(f"BEGIN;\n{emptying}".encode())
                shutil.copyfileobj(pg_restore.stdout, psql.stdin, 1 << 20)
            except BrokenPipeError:
                pg_restore.kill()  # psql stopped on an error (said below): the rest of the archive is not needed
        restored = pg_restore.wait()
        if restored != 0 and psql.poll() is None:
            psql.kill()  # before it reads the end of its input: nothing it received is committed
        try:
            psql.stdin.close()
        except BrokenPipeError:
            pass  # it had stopped already
        ran = psql.wait()
        # The one that failed first is named; the other one was killed here because of it.
        if ran not in (0, KILLED):
            raise BackupError(f"psql failed, nothing was changed: {_said(psql_errors, ran)}")
        if restored not in (0, KILLED):
            raise BackupError(f"pg_restore failed, nothing was changed: {_said(restore_errors, restored)}")
        if ran != 0 or restored != 0:
            raise BackupError(f"The restore was stopped, nothing was changed: {_said(psql_errors, ran)}")


KILLED = -signal.SIGKILL  # a Popen's returncode after kill()


def _said(errors, status):
    errors.seek(0)
    lines = [line for line in errors.read().decode(errors="replace").splitlines()
             if line.strip() and "there is already a transaction in progress" not in line]
    return "\n".join(lines) or f"exit status {status}"


def _check_schema(done):
    try:
        with db.engine.connect() as connection:
            found = database_revisions(connection)
    except SQLAlchemyError:
        raise BackupError(f"{done}, but it has no alembic_version table: it is not a Civic database.") from None
    head = head_revisions()
    if found != head:
        raise RestoredBehind(f"{done}, but its schema is at revision {', '.join(sorted(found)) or 'none'} and the "
                          f"code's migrations at {', '.join(sorted(head))}: run flask --app wsgi db upgrade before "
                          "serving it.")


# --- Tools and addresses -----------------------------------------------------------------------------

def _sqlite_path(url, must_exist):
    if url.database in (None, "", ":memory:"):
        raise BackupError("DATABASE_URL names an in-memory SQLite database: there is nothing on disk to back up.")
    path = Path(url.database)
    if must_exist and not path.is_file():
        raise BackupError(f"There is no SQLite database at {path}.")
    return path


def _describe(url):
    if url.get_backend_name() == "sqlite":
        return f"SQLite database {url.database}"
    # Never the password, nor the whole URL: the database's name and where it is.
    return f"PostgreSQL database {url.database} on {url.host or url.query.get('host') or 'the local socket'}"


def find_tool(name):
    """pg_dump or pg_restore: from PATH, else from the newest /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(POSTGRESQL_BIN.glob("*/bin"), key=lambda path: int(path.parent.name)
                      if path.parent.name.isdigit() else 0, reverse=True)
    for directory in versions:
        if os.access(directory / name, os.X_OK):
            return str(directory / name)
    raise BackupError(f"{name} was not found in PATH nor in {POSTGRESQL_BIN}/<version>/bin: install PostgreSQL's "
                      "client tools (Debian: apt-get install postgresql-client-15).")


def tool_environment(url, environ=None):
    """The environment pg_dump and pg_restore connect with: DATABASE_URL's settings as libpq's variables."""
    env = dict(os.environ if environ is None else environ)
    for name, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                        ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[name] = str(value)
    for key, value in url.query.items():
        if key not in LIBPQ_ENVIRONMENT:
            raise BackupError(f"DATABASE_URL's option {key!r} has no equivalent for pg_dump and pg_restore.")
        env[LIBPQ_ENVIRONMENT[key]] = value if isinstance(value, str) else value[-1]
    return env


def _run_tool(name, arguments, url):
    command = [find_tool(name), *arguments]
    try:
        result = subprocess.run(command, env=tool_environment(url), capture_output=True, text=True, check=False,
                                stdin=subprocess.DEVNULL)
    except OSError as error:
        raise BackupError(f"{name} could not be run: {error.strerror or error}.") from None
    if result.returncode != 0:
        said = result.stderr.strip() or f"exit status {result.returncode}"
        raise BackupError(f"{name} failed: {said}")
    return result.stdout


# --- Commands ----------------------------------------------------------------------------------------

@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(file):
    """Back up the whole database into FILE (replaced if it exists), while the site runs.

    SQLite: a copy made with SQLite's online backup API. PostgreSQL: a pg_dump archive (custom format).
    FILE holds personal data: it is created readable by its owner only."""
    try:
        click.echo(backup(db.engine.url, file))
    except BackupError as error:
        raise click.ClickException(str(error)) from None


# A backup is the database as it was: what was erased since comes back with it. Civic keeps nothing that names an
# erased person (that is the point of erasing), so it cannot apply the erasures again by itself.
UNDONE = ("Warning: the database is now as it was when the backup was made ({made}). Everything done since is "
          "undone, erasures included: an account deleted since (by its owner, at a counter, or for inactivity) is "
          "back and can log in again, and data purged since is back. Now run flask --app wsgi purge (it applies "
          "the retention rules and the inactivity deletions again), then delete again the accounts whose deletion "
          "was asked since that date: Civic keeps nothing that names them, take them from your own records (the "
          "requests the DPO received, the residents who asked at a counter).")


def made_on(file, url):
    """When ``file``, restored, was made, as far as it says: a pg_dump archive's own date, else the file's."""
    if url.get_backend_name() == "postgresql":
        listing = _run_tool("pg_restore", ["--list", str(file)], url)  # read once already: it reads again
        found = re.search(r"^;\s+Archive created at (.+)$", listing, re.M)
        if found:
            return found.group(1).strip()
    modified = datetime.fromtimestamp(Path(file).stat().st_mtime, timezone.utc)
    return f"{modified:%Y-%m-%d %H:%M} UTC, the file's date"


def confirm_replacing(url, given, interactive):
    """--force replaces everything: the person names the database it replaces, typed or given as --database-name,
    so that a DATABASE_URL pointing elsewhere than they think is noticed before anything is lost."""
    name = url.database or ""
    if given is None:
        if not interactive:
            raise BackupError(f"--force replaces everything in the {_describe(url)}: confirm with "
                              f"--database-name {name} (or run it on a terminal, which asks).")
        given = click.prompt(f"--force replaces everything in the {_describe(url)}. Type its name ({name}) to "
                             "go on", default="", show_default=False)
    if given != name:
        raise BackupError(f"{given!r} is not the name of the database DATABASE_URL names: the {_describe(url)}. "
                          "Nothing was changed.")


def _on_a_terminal():
    return sys.stdin.isatty()


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace everything the database holds (refused otherwise, unless it "
                                            "is empty).")
@click.option("--database-name", metavar="NAME", help="With --force: the name of the database to replace, as a "
                                                      "confirmation (asked on a terminal when not given).")
@with_appcontext
def restore_command(file, force, database_name):
    """Restore FILE, made by flask backup, into the database (empty, unless --force); stop the site first.

    Exit status 0 when the restored schema is at the migrations' head, 1 otherwise or on any failure."""
    url = db.engine.url
    try:
        if force:
            confirm_replacing(url, database_name, _on_a_terminal())
        click.echo(restore(url, file, force=force))
    except RestoredBehind as error:
        click.echo(UNDONE.format(made=made_on(file, url)), err=True)  # restored all the same
        raise click.ClickException(str(error)) from None
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(UNDONE.format(made=made_on(file, url)), err=True)
