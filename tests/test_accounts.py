"""Registration, confirmation, log-in, log-out, passwords, profile."""
import re
from datetime import timedelta

from civic.accounts.models import AccountToken, TokenPurpose, User
from civic.db_types import utcnow
from civic.extensions import db
from tests.client import Page, text_of
from tests.factories import PASSWORD, login, make_user

# Links come from PUBLIC_URL, never from the host the request named (civic.test).
LINK_RE = re.compile(r"https://participer\.civic\.test(/\S+)")


def _link(mail):
    return LINK_RE.search(mail["body"]).group(1)


def _register(client, email="camille@example.org", name="Camille", password=PASSWORD, confirm=None):
    return client.post_form("/register", {
        "display_name": name, "email": email, "password": password, "password_confirm": confirm or password,
    })


def test_register_confirm_and_log_in(client, ctx, outbox):
    response = _register(client, email="Camille.Martin@Example.org")
    assert response.status_code == 302 and response.location.endswith("/register/check-email")
    user = db.session.execute(db.select(User)).scalar_one()
    assert user.email_normalized == "camille.martin@example.org"
    assert user.email_confirmed_at is None
    assert user.password_hash.startswith("$argon2id$")
    assert [m["to"] for m in outbox] == ["Camille.Martin@Example.org"]

    # Not confirmed yet: logging in sends a new link instead.
    response = client.post_form("/login", {"email": "camille.martin@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert Page(response).field_error("email").startswith("Confirmez d’abord votre adresse e-mail")
    assert len(outbox) == 2

    link = _link(outbox[0])
    response = client.get(link)
    assert response.status_code == 200 and Page(response).text("main form button").startswith("Confirmer mon adresse")
    response = client.post_form(link)
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email_confirmed_at is not None
    assert ("Mon compte", "/account") in Page(client.get("/")).links(".main-nav")

    # Single use.
    assert client.get(link).status_code == 400


def test_registration_answers_the_same_for_a_known_address(client, ctx, outbox):
    existing = make_user(email="known@example.org")
    response = _register(client, email="KNOWN@example.org", name="Intruder", password="another password 123")
    assert response.status_code == 302 and response.location.endswith("/register/check-email")
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 1
    assert outbox[0]["to"] == existing.email
    assert "vous en avez déjà un" in outbox[0]["body"]
    db.session.refresh(existing)
    assert existing.display_name != "Intruder"


def test_registration_errors_keep_what_was_typed(client_request, ctx):
    page = client_request.post("accounts.register", _data={"display_name": "x" * 81, "email": "not-an-address",
                                                           "password": "short", "password_confirm": "other"},
                               _expected_status=200)
    assert page.title.startswith("Erreur : ")
    assert page.has(".error-summary")
    for field in ("email", "password", "display_name"):
        assert page.has(f'.error-summary a[href="#{field}"]') and page.field_error(field)
    assert page.value("email") == "not-an-address"
    assert page.select_one("#email")["aria-describedby"] in ("email-error", "email-hint email-error")
    assert page.select_one("#email")["aria-invalid"] == "true"
    assert "au moins 12" in page.field_error("password")
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 0


def test_empty_registration_lists_every_missing_field(client_request, ctx):
    page = client_request.post("accounts.register", _data={}, _expected_status=200)
    for field in ("display_name", "email", "password", "password_confirm"):
        assert page.has(f'.error-summary a[href="#{field}"]') and page.field_error(field)


def test_register_in_english(client, ctx):
    client.set_cookie("civic_lang", "en", domain="civic.test")
    page = Page(client.post_form("/register", {"email": "x"}))
    assert page.title.startswith("Error: ")
    assert page.select_one("html")["lang"] == "en"
    assert _register(client).status_code == 302
    # Mail sent later, while the resident is away, will be in English too.
    assert db.session.execute(db.select(User.language)).scalar_one() == "en"


def test_login_wrong_password_and_unknown_address_say_the_same(client, ctx):
    user = make_user(email="someone@example.org")
    wrong = Page(client.post_form("/login", {"email": user.email, "password": "wrong password!!"}))
    unknown = Page(client.post_form("/login", {"email": "nobody@example.org", "password": "wrong password!!"}))
    for page in (wrong, unknown):
        assert page.title.startswith("Erreur : ")
    assert wrong.field_error("password") and wrong.field_error("password") == unknown.field_error("password")
    assert (wrong.select_one("#password-error").decode_contents()
            == unknown.select_one("#password-error").decode_contents())
    assert unknown.value("email") == "nobody@example.org"


def test_login_is_case_insensitive_and_redirects_to_next(client, ctx):
    user = make_user(email="Mixed.Case@example.org")
    response = client.post_form("/login?next=/account", {"email": "MIXED.case@EXAMPLE.org", "password": PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/account")
    del user


def test_login_never_redirects_off_site(client, ctx):
    user = make_user()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post_form(f"/login?next={target}", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        assert "evil" not in response.location
        client.post_form("/logout")


def test_inactive_account_cannot_log_in(client, ctx):
    user = make_user()
    user.active = False
    db.session.commit()
    response = client.post_form("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200 and Page(response).title.startswith("Erreur : ")


def test_logout_needs_post_and_csrf(client, ctx):
    user = make_user()
    login(client, user)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert "Se déconnecter" in Page(client.get("/")).texts(".main-nav button")
    response = client.post_form("/logout")
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_password_reset_single_use_link(client, ctx, outbox):
    user = make_user(email="reset@example.org")
    response = client.post_form("/password/forgot", {"email": "RESET@example.org"})
    assert response.status_code == 302 and response.location.endswith("/password/forgot/sent")
    link = _link(outbox[0])
    assert client.get(link).status_code == 200

    page = Page(client.post_form(link, {"password": "short", "password_confirm": "short"}))
    assert page.title.startswith("Erreur : ") and page.field_error("password")

    response = client.post_form(link, {"password": "a brand new password", "password_confirm": "a brand new password"})
    assert response.status_code == 302
    client.post_form("/logout")
    assert client.get(link).status_code == 400
    login(client, user, "a brand new password")


def test_password_reset_for_unknown_address_looks_the_same(client, ctx, outbox):
    """Same page, and one e-mail either way: to the address typed, saying that no account uses it."""
    response = client.post_form("/password/forgot", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response.location.endswith("/password/forgot/sent")
    assert [m["to"] for m in outbox] == ["nobody@example.org"]
    assert "no account uses it" in outbox[0]["body"] or "aucun compte" in outbox[0]["body"]
    assert "/password/reset/" not in outbox[0]["body"]
    assert db.session.execute(db.select(AccountToken)).first() is None


def test_password_reset_link_expires(client, ctx, outbox):
    make_user(email="late@example.org")
    client.post_form("/password/forgot", {"email": "late@example.org"})
    token = db.session.execute(db.select(AccountToken)).scalar_one()
    assert token.purpose is TokenPurpose.RESET_PASSWORD
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(_link(outbox[0])).status_code == 400
    assert client.get("/password/reset/forged-token").status_code == 400


def test_reset_link_is_cancelled_by_a_password_change(client, ctx, outbox):
    user = make_user(email="two@example.org")
    client.post_form("/password/forgot", {"email": user.email})
    login(client, user)
    client.post_form("/account/password", {"current_password": PASSWORD, "password": "another long password",
                                           "password_confirm": "another long password"})
    assert client.get(_link(outbox[0])).status_code == 400


def test_change_password_checks_current_and_ends_other_sessions(app, client, ctx):
    user = make_user()
    other = app.test_client()
    login(client, user)
    login(other, user)
    page = Page(client.post_form("/account/password", {"current_password": "wrong one", "password": "new password 1234",
                                                       "password_confirm": "new password 1234"}))
    assert page.title.startswith("Erreur : ") and page.has('.error-summary a[href="#current_password"]')
    assert page.field_error("current_password")

    response = client.post_form("/account/password", {"current_password": PASSWORD, "password": "new password 1234",
                                                      "password_confirm": "new password 1234"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this session continues
    assert other.get("/account").status_code == 302  # the other one is closed


def test_profile_update_and_validation(client, login_as):
    user = login_as()
    page = Page(client.post_form("/account", {"display_name": ""}))
    assert page.title.startswith("Erreur : ") and page.field_error("display_name")
    assert client.post_form("/account", {"display_name": "  Camille M.  "}).status_code == 302
    db.session.refresh(user)
    assert user.display_name == "Camille M."
    assert user.language == "fr"  # a form without the field keeps the language
    page = Page(client.post_form("/account", {"display_name": "Camille M.", "language": "zz"}))
    assert page.title.startswith("Erreur : ") and page.has('.error-summary a[href="#language"]')
    assert client.post_form("/account", {"display_name": "Camille M.", "language": "en"}).status_code == 302
    db.session.refresh(user)
    assert user.language == "en"
    page = Page(client.get("/account/data"))
    assert [(dd["lang"], text_of(dd)) for dd in page.select(".summary dd[lang]")] == [("en", "English")]


def test_login_attempts_are_limited_per_account(app, client, ctx, monkeypatch):
    from civic.extensions import limiter

    user = make_user(email="target@example.org")
    limiter.reset()
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes")
    try:
        for _ in range(10):
            response = client.post_form("/login", {"email": "TARGET@example.org", "password": "wrong guess 123"})
            assert response.status_code == 200
        blocked = client.post_form("/login", {"email": user.email, "password": PASSWORD})
        assert blocked.status_code == 429
        assert Page(blocked).h1 == "Trop de tentatives"
        # Another account behind the same address (a mediation desk) is not blocked.
        other = make_user()
        assert client.post_form("/login", {"email": other.email, "password": PASSWORD}).status_code == 302
    finally:
        limiter.reset()
