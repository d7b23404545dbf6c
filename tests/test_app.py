"""Application set-up: configuration, security headers, cookies, errors, languages."""
import secrets

import pytest

from civic import create_app
from civic.access import Action
from civic.accounts.models import Role
from civic.extensions import db
from config import MIN_SECRET_KEY_BITS, DevelopmentConfig, ProductionConfig, estimated_entropy_bits, get_config
from tests.client import Page
from tests.factories import login, make_user

# Some of its tests build apps or reach servers of their own on the suite's database (see tests/conftest.py).
pytestmark = pytest.mark.database


def test_every_view_declares_its_access(app):
    undeclared = [
        endpoint for endpoint, view in app.view_functions.items()
        if endpoint != "static" and getattr(view, "civic_access", None) is None
    ]
    assert undeclared == []
    for endpoint, view in app.view_functions.items():
        if endpoint != "static":
            assert view.civic_access == "public" or isinstance(view.civic_access, Action)


# What a production set-up must state (tests pass them as overrides; a server reads them from CIVIC_*).
PRODUCTION = {"SECRET_KEY": secrets.token_hex(32), "SQLALCHEMY_DATABASE_URI": "sqlite://",
              "PUBLIC_URL": "https://participer.example.fr", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0",
              "MAIL_SERVER": "smtp.example.fr"}


@pytest.mark.parametrize("key", [None, "", "change-me", "a" * 32, "changeme" * 4, "k" * 64, "0123456789abcdef" * 2,
                                 "abcdefghijklmnopqrstuvwxyz012345", "correct horse battery staple",
                                 "mairie-de-villeneuve-sur-lys-participation",
                                 "civic-production-secret-key-2026-villeneuve", "12345678901234567890123456789012345",
                                 # One character changed, or made of a few characters: not drawn at random.
                                 "a" * 31 + "b", "0" * 40 + "1", "A" * 60 + "B", "deadbeefcafebabefeedface" * 2,
                                 "ab" * 15 + "ba" * 15])
def test_production_refuses_a_missing_or_weak_secret_key(monkeypatch, key):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**PRODUCTION, "SECRET_KEY": key}, env="production")


@pytest.mark.parametrize("make_key", [lambda: secrets.token_hex(16), lambda: secrets.token_hex(32),
                                      lambda: secrets.token_urlsafe(32), lambda: secrets.token_urlsafe(64)],
                         ids=["hex16", "hex32", "urlsafe32", "urlsafe64"])
def test_production_accepts_random_secret_keys(make_key):
    """128 random bits and more, every time (the estimate never counts a random key short)."""
    for _draw in range(200):
        assert estimated_entropy_bits(make_key()) >= MIN_SECRET_KEY_BITS
    key = make_key()
    assert create_app({**PRODUCTION, "SECRET_KEY": key}, env="production").config["SECRET_KEY"] == key


def test_production_refuses_debug(monkeypatch):
    with pytest.raises(RuntimeError, match="Debug"):
        create_app({**PRODUCTION, "DEBUG": True}, env="production")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="Debug"):
        create_app(PRODUCTION, env="production")


@pytest.mark.parametrize("url", [None, "", "http://participer.example.fr", "https://", "participer.example.fr"])
def test_production_requires_its_public_https_address(url):
    with pytest.raises(RuntimeError, match="CIVIC_PUBLIC_URL"):
        create_app({**PRODUCTION, "PUBLIC_URL": url}, env="production")


@pytest.mark.parametrize("limits", [{"RATELIMIT_STORAGE_URI": None}, {"RATELIMIT_STORAGE_URI": "memory://"},
                                    {"RATELIMIT_ENABLED": False}])
def test_production_requires_limits_shared_by_every_worker(limits):
    with pytest.raises(RuntimeError, match="CIVIC_RATELIMIT_STORAGE_URI"):
        create_app({**PRODUCTION, **limits}, env="production")


def test_production_starts_with_a_real_key_and_secure_cookies():
    app = create_app(PRODUCTION, env="production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_refuses_requests_for_another_host(monkeypatch):
    monkeypatch.setenv("CIVIC_TRUSTED_HOSTS", "civic.internal")
    app = create_app(PRODUCTION, env="production")
    assert app.config["TRUSTED_HOSTS"] == ["participer.example.fr", "civic.internal"]
    client = app.test_client()
    for host in ("evil.example", "participer.example.fr.evil.example"):
        response = client.get("/healthz-none", headers={"Host": host})
        assert response.status_code == 400
    assert client.get("/static/css/civic.css", headers={"Host": "participer.example.fr"}).status_code == 200
    assert client.get("/static/css/civic.css", headers={"Host": "civic.internal"}).status_code == 200


def test_development_generates_its_secret_key_once(tmp_path, monkeypatch):
    monkeypatch.setattr("config.INSTANCE_DIR", tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, env="development").config["SECRET_KEY"]
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, env="development").config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert DevelopmentConfig.SECRET_KEY is None or DevelopmentConfig.SECRET_KEY == first


def test_unknown_environment_is_refused():
    with pytest.raises(RuntimeError, match="CIVIC_ENV"):
        get_config("staging")
    assert get_config("production") is ProductionConfig


def test_security_headers(client, ctx):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(client, ctx):
    user = make_user()
    response = login(client, user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_third_party_reference_in_pages(client, ctx):
    html = client.get("/").get_data(as_text=True)
    for needle in ("http://", "https://", "//cdn", "<script"):
        assert needle not in html.replace('http://civic.test', '')


@pytest.mark.parametrize("lang, title", [("fr", "Page introuvable"), ("en", "Page not found")])
def test_404_page_in_both_languages(client, ctx, lang, title):
    client.set_cookie("civic_lang", lang, domain="civic.test")
    response = client.get("/no-such-page")
    page = Page(response)
    assert response.status_code == 404
    assert page.select_one("html")["lang"] == lang and page.h1 == title and not page.select_one("h1").attrs
    assert page.select_one("a.skip-link")["href"] == "#main"


@pytest.mark.parametrize("lang, word", [("fr", "Accès refusé"), ("en", "Access denied")])
def test_403_page(client, login_as, lang, word):
    login_as()
    client.set_cookie("civic_lang", lang, domain="civic.test")
    response = client.get("/admin/")
    assert response.status_code == 403 and Page(response).h1 == word


@pytest.mark.parametrize("lang, word", [("fr", "Formulaire expiré"), ("en", "Form expired")])
def test_csrf_failure_page(client, ctx, lang, word):
    client.set_cookie("civic_lang", lang, domain="civic.test")
    response = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400 and Page(response).h1 == word


@pytest.mark.parametrize("lang, word", [("fr", "Une erreur"), ("en", "Something went wrong")])
def test_500_page_shows_no_trace(client, ctx, monkeypatch, lang, word):
    def boom(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("civic.main.views.proposal_services.newest_and_most_supported", boom)
    client.set_cookie("civic_lang", lang, domain="civic.test")
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert Page(response).h1.startswith(word) and "secret internals" not in html and "Traceback" not in html


def test_language_defaults_to_french_and_follows_accept_language(client, ctx):
    assert Page(client.get("/")).select_one("html")["lang"] == "fr"
    page = Page(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert page.select_one("html")["lang"] == "en"
    page = Page(client.get("/", headers={"Accept-Language": "de-DE"}))
    assert page.select_one("html")["lang"] == "fr"


def test_language_switch_is_a_remembered_link(client, ctx):
    response = client.get("/lang/en?next=/proposals/?q=x")
    assert response.status_code == 302 and response.location.endswith("/proposals/?q=x")
    assert "civic_lang=en" in response.headers["Set-Cookie"]
    # The cookie beats the browser's language.
    page = Page(client.get("/", headers={"Accept-Language": "fr"}))
    assert page.select_one("html")["lang"] == "en"
    assert page.select_one('.lang-switch a[hreflang="fr"]')["lang"] == "fr"
    assert client.get("/lang/de").status_code == 404
    assert "evil" not in client.get("/lang/fr?next=https://evil.example/").location


def test_dates_are_formatted_for_the_locale(client, ctx):
    from datetime import UTC, datetime

    from tests.factories import make_proposal

    proposal = make_proposal(created_at=datetime(2026, 3, 5, 14, 30, tzinfo=UTC))
    assert "5 mars 2026" in Page(client.get(f"/proposals/{proposal.id}")).text(".proposal .meta time")
    client.set_cookie("civic_lang", "en", domain="civic.test")
    assert "5 March 2026" in Page(client.get(f"/proposals/{proposal.id}")).text(".proposal .meta time")


@pytest.mark.parametrize("url, status", [
    ("/proposals/99999999999999999999", 404), ("/decisions/99999999999999999999", 404),
    ("/decisions/99999999999999999999/results", 404), ("/admin/users/99999999999999999999", 404),
    # Out-of-range numbers in a query string are ignored: the first page, all themes.
    ("/proposals/?page=99999999999999999999&theme=99999999999999999999", 200)])
def test_huge_ids_are_not_found_not_errors(client, ctx, url, status):
    login(client, make_user(role=Role.ADMIN))
    response = client.get(url)
    assert response.status_code == status
    if status == 404:
        assert Page(response).h1 == "Page introuvable"


def test_huge_ids_in_forms_are_form_errors(client, ctx):
    from tests.factories import make_proposal

    resident = make_user()
    login(client, resident)
    proposal = make_proposal()
    huge = "99999999999999999999"
    page = Page(client.post_form("/proposals/new", {"title": "t", "body": "b", "theme": huge}))
    assert page.has('.error-summary a[href="#theme"]') and page.field_error("theme")
    response = client.post_form(f"/proposals/{proposal.id}/comments", {"body": "x", "parent_id": huge})
    assert response.status_code == 302  # an unusable parent is ignored: a top-level comment
    # Out of range reads as "not stated", like any value that is not a district's id.
    assert client.post_form("/account", {"display_name": "R", "district": huge}).status_code == 302
    db.session.refresh(resident)
    assert resident.district_id is None
