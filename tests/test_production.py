"""Civic served as the README's "Production" section says: gunicorn.conf.py, `make serve`, /healthz, the files
of docs/deploy/."""
import json
import os
import re
import runpy
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import FlaskGroup, ScriptInfo
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from werkzeug.routing import UnicodeConverter

from civic import create_app
from civic.db_types import utcnow
from civic.extensions import db
from civic.mail import OutgoingMail
from civic.ops import preflight
from civic.ops.health import head_revisions
from config import Config
from tests.databases import new_database  # a fixture
from tests.queries import recording
from tests.servers import (REPO, HttpClient, PgControl, free_port, gunicorn_server, in_ci, pg_control,
                           redis_url, server_environment)

# Some of its tests build apps or reach servers of their own on the suite's database (see tests/conftest.py).
pytestmark = pytest.mark.database

MIGRATIONS = str(REPO / "migrations")
README = (REPO / "README.md").read_text(encoding="utf-8")


# --- gunicorn.conf.py --------------------------------------------------------------------------------

def _gunicorn_conf(**environ):
    """gunicorn.conf.py's settings, read as gunicorn reads it, in this environment."""
    saved = dict(os.environ)
    os.environ.update(environ)
    try:
        return runpy.run_path(str(REPO / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_gunicorn_conf_fits_the_workers_to_the_cores_and_the_timeout_to_the_slowest_request():
    conf = _gunicorn_conf()
    cores = len(os.sched_getaffinity(0))
    assert conf["workers"] == min(2 * cores + 1, 8)
    assert _gunicorn_conf(CIVIC_MAX_WORKERS="2")["workers"] == 2
    assert conf["bind"] == ["127.0.0.1:8000"] and _gunicorn_conf(CIVIC_BIND="unix:/run/civic.sock")["bind"] == [
        "unix:/run/civic.sock"]
    # A request may wait for SQLite's write lock the whole busy timeout before it works: never killed for that.
    assert conf["timeout"] > Config.SQLITE_BUSY_TIMEOUT_MS / 1000 + 5
    assert conf["graceful_timeout"] >= conf["timeout"]
    assert conf["max_requests"] > 0 and 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["accesslog"] == "-" and conf["forwarded_allow_ips"] == "127.0.0.1,::1"


def test_the_access_log_carries_no_client_address_query_referrer_nor_agent():
    log_format = _gunicorn_conf()["access_log_format"]
    atoms = set(re.findall(r"%\((\w+|\{[^}]+\}\w)\)s", log_format))
    assert atoms <= {"t", "p", "m", "U", "s", "b", "B", "M", "D", "L", "T"}, atoms


def test_every_secret_a_link_carries_in_its_path_is_left_out_of_the_access_log(app):
    loggable_path = _gunicorn_conf()["loggable_path"]
    # A route with a string part names something by a value people are given, not a number: a token, a code.
    # The logo's version (a hash of the public image), the name of a legal page an administrator edits, the names of
    # the open datasets and of the sitemap's parts, the API's collections and their objects' keys (public data).
    # A questionnaire's free-text answer is named by its public code, shown on the public pages (its page, its report
    # page), so that its number is never public.
    not_secret = {"static", "main.set_language", "legal.logo", "legal.edit_page", "opendata.dataset_file",
                  "opendata.schema", "opendata.sitemap_part", "api.collection", "api.item", "moderation.report",
                  "questionnaire_results.answer_page"}
    checked = []
    for rule in app.url_map.iter_rules():
        strings = [name for name, converter in rule._converters.items() if type(converter) is UnicodeConverter]
        if not strings or rule.endpoint in not_secret:
            continue
        with app.test_request_context():
            path = app.url_for(rule.endpoint, **{name: "Zq81secretValue" for name in rule.arguments})
        path = path.split("//", 1)[-1].partition("/")[1:]  # without the scheme and host SERVER_NAME adds
        logged = loggable_path("".join(path))
        assert "Zq81secretValue" not in logged, rule.rule
        checked.append(rule.endpoint)
    assert len(checked) >= 4  # confirmation, reset, unsubscribe, follow-up code
    assert loggable_path("/proposals/12") == "/proposals/12"
    # nginx's log leaves out the same ones (docs/deploy/nginx.conf).
    alternatives = re.compile(r"\((?:\?:)?([\w/]+(?:\|[\w/]+)+)\)")  # the (a|b|c) of the routes
    gunicorn_routes = alternatives.search(_gunicorn_conf()["SECRET_PATH"].pattern).group(1)
    nginx_routes = alternatives.search((REPO / "docs" / "deploy" / "nginx.conf").read_text()).group(1)
    assert set(gunicorn_routes.split("|")) == set(nginx_routes.split("|")) == {"confirm", "password/reset",
                                                                                "unsubscribe", "c"}


# --- make serve --------------------------------------------------------------------------------------

def test_make_serve_checks_the_settings_then_migrates_then_runs_gunicorn_with_its_conf():
    recipe = re.search(r"^serve:.*\n((?:\t.*\n)+)", (REPO / "Makefile").read_text(), re.M).group(1).split("\n")
    commands = [line.strip() for line in recipe if line.strip()]
    assert commands == ["$(PYTHON) -m civic.ops.preflight", "$(FLASK) db upgrade",
                        "exec $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app"]
    assert "serve: export CIVIC_ENV = production" in (REPO / "Makefile").read_text()


def test_preflight_names_every_missing_setting():
    found = preflight.problems({"CIVIC_ENV": "production", "SECRET_KEY": "x"})
    assert found == ['set DATABASE_URL, CIVIC_PUBLIC_URL, CIVIC_RATELIMIT_STORAGE_URI, MAIL_SERVER (README, '
                     '"Production").']


def _preflight(env):
    return subprocess.run([sys.executable, "-m", "civic.ops.preflight"], cwd=REPO, env=server_environment(env),
                          capture_output=True, text=True, timeout=60)


def test_preflight_says_why_production_would_not_start_and_exits_1(tmp_path):
    settings = {"CIVIC_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'civic.sqlite3'}",
                "SECRET_KEY": "changeme", "CIVIC_PUBLIC_URL": "https://participer.example.fr",
                "CIVIC_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0", "MAIL_SERVER": "smtp.example.fr"}
    weak = _preflight(settings)
    assert weak.returncode == 1 and "Traceback" not in weak.stderr
    assert weak.stderr.startswith("Civic cannot start in production: SECRET_KEY must be a random value")
    good = _preflight({**settings, "SECRET_KEY": secrets.token_hex(32)})
    assert (good.returncode, good.stderr) == (0, "")
    missing = _preflight({**settings, "CIVIC_PUBLIC_URL": ""})
    assert missing.returncode == 1 and "set CIVIC_PUBLIC_URL" in missing.stderr
    # Without a mail server every mail, reset links included, would go to the log and count as sent.
    no_mail = _preflight({**settings, "MAIL_SERVER": " "})
    assert no_mail.returncode == 1 and "set MAIL_SERVER" in no_mail.stderr


def test_production_refuses_to_start_without_a_mail_server(tmp_path):
    """Whatever starts it (gunicorn, civic-flask send-mail), not only the preflight."""
    settings = {"SECRET_KEY": secrets.token_hex(32), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.sqlite3'}",
                "PUBLIC_URL": "https://participer.example.fr", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0"}
    for unset in ("", "  ", None):
        with pytest.raises(RuntimeError, match="MAIL_SERVER must name the collectivité's SMTP server"):
            create_app({**settings, "MAIL_SERVER": unset}, env="production")
    assert create_app({**settings, "MAIL_SERVER": "smtp.example.fr"}, env="production").config["MAIL_SERVER"]


# --- /healthz in the process -------------------------------------------------------------------------

@pytest.fixture
def migrated(new_database):
    """An app on a database built by the migrations (the suite's own is built from the models: it has no
    alembic_version)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": new_database("health")}, env="testing")
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _health(app):
    response = app.test_client().get("/healthz")
    return response, json.loads(response.get_data(as_text=True))


def test_healthz_answers_200_cheaply_without_cookie_nor_cache(migrated):
    with recording(migrated) as statements:
        response, report = _health(migrated)
    assert response.status_code == 200, report
    assert report == {"status": "ok", "failed": [],
                      "checks": {"database": "ok", "migrations": "ok", "mail_queue": "ok"}}
    assert len([s for s in statements if s != "SELECT 1"]) == 2, statements  # the revision, the oldest mail
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert response.mimetype == "application/json"


def test_healthz_is_never_rate_limited(new_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": new_database("limits"), "FORM_LIMIT_PER_IP": "1 per minute",
                      "SECRET_LIMIT_PER_IP": "1 per minute", "LOGIN_LIMIT_PER_IP": "1 per minute"}, env="testing")
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    client = app.test_client()
    assert {client.get("/healthz").status_code for _ in range(30)} == {200}
    assert client.head("/healthz").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_healthz_fails_on_mail_waiting_too_long(migrated):
    limit = migrated.config["HEALTH_MAIL_MAX_AGE_MINUTES"]
    old = utcnow() - timedelta(minutes=limit + 5)
    with migrated.app_context():
        db.session.add_all([
            OutgoingMail(to="sent@example.org", subject="s", body="b", created_at=old, sent_at=old),
            OutgoingMail(to="failed@example.org", subject="s", body="b", created_at=old, failed_at=old),
            OutgoingMail(to="recent@example.org", subject="s", body="b", created_at=utcnow())])
        db.session.commit()
    response, report = _health(migrated)
    assert response.status_code == 200, report  # sent or given up: not waiting; the recent one is on time

    with migrated.app_context():
        db.session.add(OutgoingMail(to="stuck@example.org", subject="s", body="b", created_at=old, attempts=3))
        db.session.commit()
    response, report = _health(migrated)
    assert response.status_code == 503
    assert report["failed"] == ["mail_queue"] and report["checks"]["database"] == "ok"
    assert f"waited {limit + 5} minutes" in report["checks"]["mail_queue"]


def test_healthz_fails_when_the_schema_is_not_at_the_migrations_head(migrated):
    with migrated.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = '0017'"))
        db.session.commit()
    response, report = _health(migrated)
    assert response.status_code == 503
    assert report["failed"] == ["migrations", "mail_queue"]
    head = ", ".join(sorted(head_revisions()))
    assert report["checks"]["migrations"].startswith(f"database at 0017, the code's migrations at {head}")
    with migrated.app_context():
        db.session.execute(text("DROP TABLE alembic_version"))
        db.session.commit()
    response, report = _health(migrated)
    assert response.status_code == 503 and "no alembic_version table" in report["checks"]["migrations"]


def test_healthz_names_an_unreachable_database_and_never_its_address():
    url = f"postgresql+psycopg://civic:pa55word@127.0.0.1:{free_port()}/civic_nowhere"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, env="testing")
    response, report = _health(app)
    assert response.status_code == 503
    assert report["failed"][0] == "database" and report["checks"]["database"] == "unreachable"
    body = response.get_data(as_text=True)
    assert not any(leak in body for leak in ("pa55word", "civic_nowhere", "127.0.0.1", "Traceback", "psycopg"))


# --- Served the documented way -----------------------------------------------------------------------

PUBLIC_HOST = "participer.example.fr"


def _postgresql():
    """The throwaway PostgreSQL when there is one (CI always: pg_control fails there without it), else None."""
    state = Path(os.environ.get("CIVIC_PG_STATE") or f"/tmp/civic-test-pg-{os.getuid()}.env")
    if in_ci():
        return pg_control()
    control = PgControl(state) if state.is_file() else None
    return control if control is not None and control.running() else None


@pytest.fixture
def served_database(tmp_path):
    """(URL, stop): a migrated database for the server, and how to take it away while it serves."""
    pg = _postgresql()
    if pg is None:
        path = tmp_path / "civic.sqlite3"
        yield f"sqlite:///{path}", lambda: path.rename(tmp_path / "elsewhere.sqlite3")
        return
    admin = create_engine(pg.database_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)  # outlives the halt
    name = f"civic_served_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg.database_url).set(database=name).render_as_string(hide_password=False), pg.halt
    finally:
        if not pg.running():
            pg.resume()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_documented_command_serves_civic_and_healthz_reports_a_stopped_database(served_database, tmp_path):
    url, stop_database = served_database
    env = {"CIVIC_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32),
           "CIVIC_PUBLIC_URL": f"https://{PUBLIC_HOST}", "CIVIC_RATELIMIT_STORAGE_URI": redis_url(),
           "MAIL_SERVER": "smtp.example.fr",
           "CIVIC_PROXY_COUNT": "1", "CIVIC_INSTANCE_DIR": str(tmp_path), "CIVIC_CLOCK_JOBS_AFTER_REQUESTS": "false"}
    migrate = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=REPO,
                             env=server_environment(env), capture_output=True, text=True, timeout=120)
    assert migrate.returncode == 0, migrate.stderr
    # As make serve runs it; gunicorn_server adds the socket it made and the worker count.
    with gunicorn_server(env, workers=2, args=("-c", "gunicorn.conf.py"), ready_path="/healthz") as server:
        # Through the TLS proxy: the public host name, and the scheme it forwards.
        client = HttpClient(server.url, headers={"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https",
                                                 "X-Forwarded-For": "203.0.113.7"})
        assert len(server.worker_pids()) == 2
        assert client.get("/").status == 200
        health = client.get("/healthz")
        assert health.status == 200, health.text
        assert json.loads(health.text)["status"] == "ok" and health.headers.get_all("Set-Cookie") is None
        client.get("/password/reset/Zq81secretToken?q=private+words")

        stop_database()
        down = client.get("/healthz")
        assert down.status == 503, down.text
        report = json.loads(down.text)
        assert report["failed"][0] == "database" and report["checks"]["database"] == "unreachable"
        assert make_url(url).database not in down.text
    access_log = server.stdout_text()  # all of it, once gunicorn has stopped
    assert '"GET /healthz" 200' in access_log and '"GET /healthz" 503' in access_log
    assert '"GET /password/reset/…"' in access_log
    assert not any(leak in access_log for leak in ("Zq81secretToken", "private", "203.0.113.7", "127.0.0.1"))


# --- The README's Production section and docs/deploy/ ------------------------------------------------

DEPLOY = REPO / "docs" / "deploy"
PRODUCTION_SECTION = README.split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
# The shape of the units' commands: /srv/civic is where the README installs Civic.
FLASK = "/srv/civic/.venv/bin/flask --app wsgi "


def test_every_file_the_production_section_names_exists_and_every_deploy_file_is_named():
    named = set(re.findall(r"\((docs/deploy/[\w./-]+|gunicorn\.conf\.py)\)", PRODUCTION_SECTION))
    named |= {f"docs/deploy/{name}" for name in re.findall(r"docs/deploy/([\w.*-]+)", PRODUCTION_SECTION)
              if "*" not in name}
    missing = sorted(path for path in named if not (REPO / path).exists())
    assert missing == []
    unnamed = sorted(path.name for path in DEPLOY.iterdir() if f"docs/deploy/{path.name}" not in named)
    assert unnamed == []


def _unit(name):
    """{key: [values]} of a systemd unit file (comments and sections left out)."""
    values = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def _commands(unit):
    return [command for key in ("ExecStartPre", "ExecStart", "ExecStartPost") for command in unit.get(key, [])]


def test_the_service_runs_what_make_serve_runs():
    recipe = re.search(r"^serve:.*\n((?:\t.*\n)+)", (REPO / "Makefile").read_text(), re.M).group(1)
    steps = [line.strip().replace("$(PYTHON)", "/srv/civic/.venv/bin/python").replace("$(FLASK) ", FLASK)
             .replace("exec $(VENV)", "/srv/civic/.venv") for line in recipe.splitlines()]
    unit = _unit("civic.service")
    assert _commands(unit) == steps
    assert unit["EnvironmentFile"] == ["/etc/civic/civic.env"] and unit["Type"] == ["notify"]


def test_every_timer_starts_a_service_whose_flask_command_exists(app):
    group = FlaskGroup(create_app=lambda: app)
    timers = sorted(path.name for path in DEPLOY.glob("*.timer"))
    assert [t.removesuffix(".timer") for t in timers] == ["civic-backup", "civic-notify", "civic-purge",
                                                          "civic-send-mail"]
    commands = {}
    for name in ["civic.service"] + [timer.replace(".timer", ".service") for timer in timers]:
        for command in _commands(_unit(name)):
            if FLASK in command:
                commands[command.split(FLASK, 1)[1].split()[0]] = name
    assert set(commands) == {"db", "send-mail", "notify", "purge", "backup"}
    for command, unit in sorted(commands.items()):
        result = CliRunner().invoke(group, [command, "--help"], obj=ScriptInfo(create_app=lambda: app))
        assert result.exit_code == 0, f"{unit}: flask {command}: {result.output}"


def test_the_example_settings_name_every_setting_civic_and_gunicorn_read():
    read = set(re.findall(r'(?:environ\.get|_env_\w+)\("([A-Z_]+)"', (REPO / "config.py").read_text()))
    read |= set(re.findall(r'environ\.get\("([A-Z_]+)"', (REPO / "gunicorn.conf.py").read_text()))
    read -= {"CIVIC_TEST_DATABASE_URL"}  # the test suite's
    example = set(re.findall(r"^#?([A-Z_]+)=", (DEPLOY / "civic.env.example").read_text(), re.M))
    assert sorted(read - example) == []
    assert sorted(example - read) == []
    for required in ("CIVIC_ENV", *preflight.REQUIRED):
        assert f"`{required}`" in PRODUCTION_SECTION


def _civic_flask(tmp_path, env):
    """docs/deploy/civic-flask run with /etc/civic/civic.env and /srv/civic moved into tmp_path, and a flask that
    prints what it was given: {name: value} of its environment, its umask and its arguments."""
    script = (DEPLOY / "civic-flask").read_text()
    assert script.count("/etc/civic/civic.env") == 2 and script.count("cd /srv/civic\n") == 1
    (tmp_path / "civic.env").write_text("CIVIC_ENV=production\nDATABASE_URL=postgresql+psycopg://civic:p@127.0.0.1/"
                                        "civic\nMAIL_DEFAULT_SENDER=\"Participer <participer@example.fr>\"\n")
    flask = tmp_path / "srv" / ".venv" / "bin" / "flask"
    flask.parent.mkdir(parents=True, exist_ok=True)
    flask.write_text("#!/bin/sh\numask\nprintf '%s\\n' \"$*\"\nenv\n")
    flask.chmod(0o755)
    copy = tmp_path / "civic-flask"
    copy.write_text(script.replace("/etc/civic/civic.env", str(tmp_path / "civic.env"))
                    .replace("cd /srv/civic\n", f"cd {tmp_path / 'srv'}\n"))
    result = subprocess.run(["/bin/sh", str(copy), "restore", "--force", "x.backup"], env={"PATH": "/usr/bin:/bin",
                            **env}, capture_output=True, text=True, timeout=10, check=True)
    mask, arguments, *variables = result.stdout.splitlines()
    return dict(line.split("=", 1) for line in variables if "=" in line), mask, arguments


def test_civic_flask_reads_the_settings_but_keeps_what_the_caller_set(tmp_path):
    # The README's restore drill: DATABASE_URL given on the command line must reach flask, never production's.
    drill = "postgresql+psycopg://civic:p@127.0.0.1/civic_drill"
    seen, mask, arguments = _civic_flask(tmp_path, {"DATABASE_URL": drill})
    assert seen["DATABASE_URL"] == drill and seen["CIVIC_ENV"] == "production"
    assert seen["MAIL_DEFAULT_SENDER"] == "Participer <participer@example.fr>"
    assert arguments == "--app wsgi restore --force x.backup"
    assert mask == "0077"  # a backup or an SQLite file it writes is its owner's only
    seen, _mask, _arguments = _civic_flask(tmp_path, {})
    assert seen["DATABASE_URL"] == "postgresql+psycopg://civic:p@127.0.0.1/civic"
    assert "DATABASE_URL=…/civic_drill civic-flask" not in PRODUCTION_SECTION  # sudo would drop it: `sudo env`
    assert "sudo -u civic env DATABASE_URL=" in PRODUCTION_SECTION


def test_every_service_writes_its_files_for_its_owner_only():
    # A backup, an SQLite database and its journal hold residents' personal data.
    for service in sorted(DEPLOY.glob("*.service")):
        assert _unit(service.name).get("UMask") == ["0077"], service.name
