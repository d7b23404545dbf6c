"""Fixtures of the suite: one app per session, each test in a transaction rolled back at its end,
a test client that checks every page, the client addressed by endpoint, a log-in helper.

The suite runs on SQLite by default and on PostgreSQL when CIVIC_TEST_DATABASE_URL is set
(`make test` does both). Each test runs inside one transaction on one connection, rolled
back at its end: what the factories and the requests commit are savepoints of it, so that
every request still sees what the test made and nothing outlives the test, without emptying
the tables after each test. Tests whose work leaves the process or its connection (a
gunicorn server, threads with their own sessions, a second app, a database stopped or held
busy) are marked `real_commits`: they commit for real, and the tables are emptied after them.
"""
import hashlib
import logging
import os

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import create_engine, make_url, text

from civic import create_app, identity, mail
from civic.csrf import mask
from civic.decisions import queue
from civic.demo import seed
from civic.extensions import db, limiter
from tests.client import ClientRequest
from tests.decisions.helpers import publish_the_demo
from tests.factories import login, make_user
from tests.opendata.helpers import refreshed_demo
from tests.pages import check_page, error_page_problems

CSRF_FIELD = "csrf_token"  # Flask-WTF's name for the secret in the session and for the forms' field
# A test that asks for any of these uses the database.
DATABASE_FIXTURES = {"app", "ctx", "client", "client_request", "login_as"}


def pytest_configure(config):
    config.addinivalue_line("markers", "real_commits: the test's work leaves its connection; commit for real and "
                                       "empty the tables after it")
    config.addinivalue_line("markers", "database: the test reaches the database without the suite's fixtures (an app "
                                       "or a server of its own): the PostgreSQL run keeps it")
    config.addinivalue_line("markers", "database_independent: the test asks for the app for its contexts (templates, "
                                       "translations, typesetting) but checks nothing a database can change: the "
                                       "PostgreSQL run leaves it out, as it does the tests without an app")


def uses_database(item):
    if item.get_closest_marker("database_independent"):
        return False
    return bool((DATABASE_FIXTURES | {"new_database"}) & set(item.fixturenames)) or bool(
        item.get_closest_marker("database"))


def pytest_addoption(parser):
    parser.addoption("--shard", default=None, metavar="K/N",
                     help="run the K-th of N shares of the tests (1 <= K <= N): make test runs each database's "
                          "tests as N processes at once, so that a run that ends early leaves its core to the others")


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL run is for what depends on the database: a test that uses none (the counting core, the
    layering, the catalogs...) ran in the SQLite run and would give the same answer again."""
    if os.environ.get("CIVIC_TEST_DATABASE_URL"):
        _keep(config, items, [item for item in items if uses_database(item)])
    if config.getoption("shard"):
        _keep(config, items, _shard(items, config.getoption("shard")))


def _keep(config, items, kept):
    if len(kept) < len(items):
        kept_ids = {id(item) for item in kept}
        config.hook.pytest_deselected(items=[item for item in items if id(item) not in kept_ids])
        items[:] = kept


def _shard(items, shard):
    """The K-th share, dealt in turn in the collection order (the roles of a parametrized test go to different
    shares); a module whose tests share a module-wide fixture (a server), or a session-wide fixture of its own (an app
    on data built once for it), stays in one share, which starts or builds it once."""
    number, _, count = shard.partition("/")
    if not (number.isdecimal() and count.isdecimal() and 1 <= int(number) <= int(count)):
        raise pytest.UsageError(f"--shard {shard}: K/N with 1 <= K <= N")
    units = {}
    dealt = []
    for item in items:
        module = item.nodeid.split("::")[0]
        shared = any(fixture.scope in {"module", "package", "class"}
                     or (fixture.scope == "session" and getattr(fixture, "baseid", "") == module)
                     for fixture in (definitions[-1] for definitions in item._fixtureinfo.name2fixturedefs.values()))
        unit = module if shared else item.nodeid
        dealt.append((units.setdefault(unit, len(units)), item))
    return [item for unit, item in dealt if unit % int(count) == int(number) - 1]


class CheckingClient(FlaskClient):
    """A test client that checks each HTML page and knows how to send a CSRF token."""

    def open(self, *args, **kwargs):
        # The test's own session ends its transaction: it must read afterwards what the request committed.
        if has_app_context():
            db.session.commit()
        # Each request gets its own app context (as in production), even when the test
        # holds one for its factories: otherwise g, the locale and the session would leak.
        with self.application.app_context():
            response = super().open(*args, **kwargs)
            response.was_streamed = response.is_streamed
            if response.mimetype != "text/html":
                # A download streamed from the database is read here, in the request's app context and session,
                # as a server sends it before the next request: read later, its session would outlive them.
                response.make_sequence()
        if response.mimetype == "text/html" and not response.is_streamed and response.status_code != 302:
            html = response.get_data(as_text=True)
            problems = check_page(html) + error_page_problems(response.request.path, response.status_code, html)
            assert not problems, f"{response.request.path}: {problems}"
        _run_background_work(self.application)
        return response

    def csrf_token(self):
        """A token for this browser's forms, made as Flask-WTF makes it (a secret kept in the session, signed with
        the app's key) and masked as civic.csrf masks it, without loading a page to read one: tests post thousands
        of forms. tests/test_csrf_masking.py checks the tokens the pages really carry."""
        secret = self._csrf_secret()
        if secret is None:
            with self.session_transaction() as cookie:
                secret = cookie.setdefault(CSRF_FIELD, hashlib.sha1(os.urandom(64)).hexdigest())
        signer = URLSafeTimedSerializer(self.application.config.get("WTF_CSRF_SECRET_KEY")
                                        or self.application.secret_key, salt="wtf-csrf-token")
        return mask(signer.dumps(secret))

    def _csrf_secret(self):
        """The secret the session cookie already holds, read as the app reads the cookie, else None: a session
        transaction (a request context, the cookie written back) costs as much as a small page, and the tests post
        thousands of forms."""
        app = self.application
        cookie = self.get_cookie(app.config["SESSION_COOKIE_NAME"], domain=app.config.get("SERVER_NAME") or "localhost")
        if cookie is None:
            return None
        try:
            session = app.session_interface.get_signing_serializer(app).loads(
                cookie.value, max_age=int(app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return None
        return session.get(CSRF_FIELD)

    def post_form(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault(CSRF_FIELD, self.csrf_token())
        return self.post(url, data=data, **kwargs)


def database_url(tmp_path_factory):
    """The PostgreSQL of the PostgreSQL run, else a new SQLite file for this test session."""
    return os.environ.get("CIVIC_TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'civic.sqlite3'}"


def _test_app(url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ARGON2_CHEAP": True, "SERVER_NAME": "civic.test"},
                     env="testing")
    app.test_client_class = CheckingClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def _drop_all(app):
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = _test_app(database_url(tmp_path_factory))
    _limiter_state.update(limiter.__dict__)
    yield app
    _drop_all(app)


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory):
    """An app whose database holds the demo, seeded once for the session (a database of its own beside the suite's
    on PostgreSQL). A module whose tests read the demo makes it its `app` with `app = demo_app_for_this_module()`:
    each test still runs in a transaction rolled back at its end, and no longer seeds the demo itself (1.3 CPU
    seconds on SQLite, more on PostgreSQL, for each of some twenty tests)."""
    yield from shared_app(tmp_path_factory, "demo", _seeded)


@pytest.fixture(scope="session")
def published_demo_app(tmp_path_factory):
    """The demo with its every vote that received ballots closed and published (tests/decisions/helpers.py,
    publish_the_demo), once for the session: the recount tools' tests read its files."""
    yield from shared_app(tmp_path_factory, "published", publish_the_demo)


@pytest.fixture(scope="session")
def refreshed_demo_app(tmp_path_factory):
    """The demo with a SIRET and its open data written (tests/opendata/helpers.py, refreshed_demo), once for the
    session: the portal's and the snapshots' tests read its files."""
    yield from shared_app(tmp_path_factory, "refreshed", refreshed_demo)


def _seeded(app):
    with app.test_request_context():
        seed()
        db.session.commit()


def shared_app(tmp_path_factory, name, prepare):
    """An app on a database of its own (a second database of the run's PostgreSQL server, else a SQLite file),
    prepared once by `prepare(app)` and shared by the tests of the modules that make it their `app`: each of them works
    in its transaction, rolled back at its end, as on the suite's app. A test that commits for real would change what
    the next one reads: _database refuses it."""
    url = make_url(database_url(tmp_path_factory))
    if url.get_backend_name() == "postgresql":
        url = url.set(database=f"{url.database}_{name}")
        _create_database(url)
        url = url.render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp(name) / f'{name}.sqlite3'}"
    app = _test_app(url)
    app.config["CIVIC_SHARED_DEMO"] = True
    prepare(app)
    with app.app_context():
        db.session.remove()
    yield app
    _drop_all(app)


def _create_database(url):
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}"'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()


def demo_app_for_this_module(shared="demo_app"):
    """`app = demo_app_for_this_module()` in a test module: its tests get the session's seeded demo as their app
    (`demo_app_for_this_module("published_demo_app")`: the published demo; "refreshed_demo_app": its open data
    written)."""

    @pytest.fixture(scope="session")
    def app(request):
        return request.getfixturevalue(shared)

    return app


# Flask-Limiter keeps its storage on the one Limiter, and every create_app() gives it that app's: a test that
# makes an app of its own (production settings, another database) leaves the limiter to the session's app.
_limiter_state = {}


@pytest.fixture(autouse=True)
def _limiter_of_the_session_app():
    yield
    if _limiter_state and limiter.__dict__.get("_storage") is not _limiter_state["_storage"]:
        limiter.__dict__.clear()
        limiter.__dict__.update(_limiter_state)


# In a test's transaction, mail is sent and counting or publishing jobs run once the request is over, in the
# test's thread: a thread would share the test's connection with the request still closing its session.
_mail_due = []
_jobs_due = []


def _run_background_work(app):
    if _jobs_due:
        _jobs_due.clear()
        with app.app_context():
            queue.run_pending()
    if _mail_due:
        _mail_due.clear()
        with app.app_context():
            mail.deliver_pending()
    mail.join_deliveries()  # real commits: mail leaves in a thread while the response is sent


@pytest.fixture(autouse=True)
def _identity_read_before_the_test(request):
    """Each app keeps the collectivité's identity it read (civic.identity): read it before the test, as a
    running server has it, so that the test's first page costs what the next ones do, and a test's own
    identity (rolled back) is not the next test's."""
    identity.forget()
    if DATABASE_FIXTURES & set(request.fixturenames):
        app = request.getfixturevalue("app")
        with app.app_context():
            identity.current()
            db.session.remove()
    yield
    identity.forget()


@pytest.fixture(autouse=True)
def _database(request, monkeypatch):
    if not DATABASE_FIXTURES & set(request.fixturenames):
        yield
        return
    app = request.getfixturevalue("app")
    if request.node.get_closest_marker("real_commits"):
        assert not app.config.get("CIVIC_SHARED_DEMO"), "a test that commits for real would empty the shared demo"
        yield
        _empty_every_table(app)
        return
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    # Every session of the test, the requests' included, works in this transaction: commits are savepoints.
    monkeypatch.setattr(FlaskSQLAlchemySession, "get_bind", lambda _session, *_args, **_kwargs: connection)
    monkeypatch.setitem(db.session.session_factory.kw, "join_transaction_mode", "create_savepoint")
    monkeypatch.setattr(mail, "_start_delivery", lambda: _mail_due.append(True))
    monkeypatch.setattr(queue, "start_worker", lambda: _jobs_due.append(True))
    try:
        yield
    finally:
        _mail_due.clear()
        _jobs_due.clear()
        with app.app_context():
            db.session.remove()
        outer.rollback()
        connection.close()


def _empty_every_table(app):
    """After a test that committed for real: TRUNCATE on PostgreSQL, DELETE on SQLite."""
    with app.app_context():
        db.session.rollback()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                db.session.execute(text(f"DELETE FROM {table}"))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def client_request(client, ctx):
    """Requests addressed by endpoint, their status asserted, their pages parsed (tests/client.py)."""
    return ClientRequest(client)


@pytest.fixture
def outbox():
    """Mails written to the log (MAIL_SERVER unset): a list of {to, subject, body}."""
    sent = []

    class Catch(logging.Handler):
        def emit(self, record):
            to, subject, body = record.args
            sent.append({"to": to, "subject": subject, "body": body})

    handler = Catch(level=logging.INFO)
    logger = logging.getLogger("civic.mail")
    previous = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield sent
    logger.removeHandler(handler)
    logger.setLevel(previous)


@pytest.fixture
def login_as(client, ctx):
    """login_as(Role.X) makes a user of that role, logs the test client in and returns the user."""

    def _login_as(role=None, **kwargs):
        user = make_user(role=role, **kwargs) if role is not None else make_user(**kwargs)
        login(client, user)
        return user

    return _login_as
