"""Test fixtures: one app per session, a clean database per test, factories, log-in helper.

The suite runs on SQLite by default and on PostgreSQL when CIVIC_TEST_DATABASE_URL is set
(`make test` does both). SQLite is a file, as in production: each request has its own
connection and transaction (see civic.transaction), so a test's own session commits before
each request it makes, and then reads what the request saved. Every HTML page the test
client receives is checked by tests/pages.py (one h1, a title, lang, unique ids, labelled
fields).
"""
import logging
import os
import re
import secrets

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from civic import create_app
from civic.accounts.models import Role
from civic.accounts.services import create_user
from civic.extensions import db
from civic.proposals.models import Comment, Proposal, Support
from civic.themes.models import Theme
from civic.text import normalize_for_search
from tests.pages import check_page

PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class CheckingClient(FlaskClient):
    """A test client that checks each HTML page and knows how to send a CSRF token."""

    def open(self, *args, **kwargs):
        # The test's own session ends its transaction: on SQLite it may hold the write lock, and
        # it must read afterwards what the request committed, not an older snapshot.
        if has_app_context():
            db.session.commit()
        # Each request gets its own app context (as in production), even when the test
        # holds one for its factories: otherwise g, the locale and the session would leak.
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if response.mimetype == "text/html" and not response.is_streamed and response.status_code != 302:
            problems = check_page(response.get_data(as_text=True))
            assert not problems, f"{response.request.path}: {problems}"
        # Mail leaves in a thread while the response is sent; a test reads the result after.
        from civic.mail import join_deliveries

        join_deliveries()
        return response

    def csrf_token(self):
        page = self.get("/login").get_data(as_text=True)
        match = CSRF_RE.search(page)
        if match is None:  # logged-in users are redirected away from /login
            page = self.get("/proposals/").get_data(as_text=True)
            match = CSRF_RE.search(page) or CSRF_RE.search(self.get("/account").get_data(as_text=True))
        return match.group(1)

    def post_form(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


def database_url(tmp_path_factory):
    """The PostgreSQL of the PostgreSQL run, else a new SQLite file for this test session."""
    return os.environ.get("CIVIC_TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'civic.sqlite3'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url(tmp_path_factory), "ARGON2_CHEAP": True,
         "SERVER_NAME": "civic.test"},
        env="testing",
    )
    app.test_client_class = CheckingClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(app):
    """Each test starts from empty tables (TRUNCATE on PostgreSQL, DELETE on SQLite)."""
    yield
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


def make_user(role=Role.RESIDENT, email=None, name=None, confirmed=True, password=PASSWORD):
    user = create_user(name or f"User {secrets.token_hex(3)}", email or f"user-{secrets.token_hex(4)}@example.org",
                       password, role=role, confirmed=confirmed)
    db.session.commit()
    return user


def make_theme(name=None, name_en=None, active=True):
    theme = Theme(name=name or f"Thème {secrets.token_hex(3)}", name_en=name_en, active=active)
    db.session.add(theme)
    db.session.commit()
    return theme


def make_proposal(author=None, theme=None, title="Des bancs place du marché", body="Pour se reposer.", **fields):
    proposal = Proposal(author=author or make_user(), theme=theme or make_theme(), title=title, body=body,
                        search_text=normalize_for_search(f"{title}\n{body}"), **fields)
    db.session.add(proposal)
    db.session.commit()
    return proposal


def make_support(proposal, user=None):
    support = Support(proposal_id=proposal.id, user_id=(user or make_user()).id)
    db.session.add(support)
    db.session.commit()
    return support


def make_comment(proposal, author=None, body="Bonne idée.", parent=None):
    comment = Comment(proposal=proposal, author=author or make_user(), body=body,
                      parent_id=parent.id if parent else None)
    db.session.add(comment)
    db.session.commit()
    return comment


def login(client, user, password=PASSWORD):
    response = client.post_form("/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def login_as(client, ctx):
    """login_as(Role.X) makes a user of that role, logs the test client in and returns the user."""

    def _login_as(role=Role.RESIDENT, **kwargs):
        user = make_user(role=role, **kwargs)
        login(client, user)
        return user

    return _login_as
