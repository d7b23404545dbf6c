"""Log-in sessions end on the server: a copy of the cookie dies with the log-out, the password
change, the role change and the age limit (civic.accounts.sessions)."""
from datetime import timedelta

from civic.accounts.models import LoginSession, Role
from civic.db_types import utcnow
from civic.extensions import db
from tests.factories import PASSWORD, login, make_user


def _copy_cookies(source, target):
    """What someone who copied the browser's cookies (a shared computer, a stolen file) holds."""
    cookie = source.get_cookie("session", domain="civic.test")
    target.set_cookie("session", cookie.value, domain="civic.test")


def _logged_in(client):
    return client.get("/account").status_code == 200


def test_a_copied_cookie_dies_with_the_log_out(app, client, ctx):
    user = make_user()
    login(client, user)
    thief = app.test_client()
    _copy_cookies(client, thief)
    assert _logged_in(thief)
    assert client.post_form("/logout").status_code == 302
    assert not _logged_in(client)
    assert not _logged_in(thief)
    assert db.session.execute(db.select(LoginSession)).first() is None


def test_a_copied_cookie_dies_with_a_password_change(app, client, ctx):
    """A password is often changed because someone else got in: their copy must stop working too."""
    user = make_user()
    login(client, user)
    thief = app.test_client()
    _copy_cookies(client, thief)
    response = client.post_form("/account/password", {"current_password": PASSWORD, "password": "a new long password",
                                                      "password_confirm": "a new long password"})
    assert response.status_code == 302
    assert _logged_in(client)
    assert not _logged_in(thief)
    assert db.session.execute(db.select(db.func.count(LoginSession.id))).scalar_one() == 1


def test_logging_out_one_browser_keeps_the_others(app, client, ctx):
    user = make_user()
    phone = app.test_client()
    login(client, user)
    login(phone, user)
    client.post_form("/logout")
    assert not _logged_in(client)
    assert _logged_in(phone)


def test_a_role_change_logs_the_account_out_everywhere(app, client, ctx):
    resident = make_user()
    login(client, resident)
    copy = app.test_client()
    _copy_cookies(client, copy)
    admin = make_user(role=Role.ADMIN)
    admin_client = app.test_client()
    login(admin_client, admin)
    assert admin_client.post_form(f"/admin/users/{resident.id}", {"role": "moderator"}).status_code == 302
    assert not _logged_in(client) and not _logged_in(copy)
    assert _logged_in(admin_client)
    login(client, resident)
    assert client.get("/moderation/").status_code == 200  # the new role, after logging in again


def test_a_password_reset_logs_the_account_out_everywhere(app, client, ctx, outbox):
    user = make_user(email="reset@example.org")
    elsewhere = app.test_client()
    login(elsewhere, user)
    client.post_form("/password/forgot", {"email": user.email})
    link = outbox[0]["body"].split("https://participer.civic.test", 1)[1].split()[0]
    response = client.post_form(link, {"password": "a brand new password", "password_confirm": "a brand new password"})
    assert response.status_code == 302
    assert _logged_in(client)  # the browser that followed the link
    assert not _logged_in(elsewhere)


def test_a_session_ends_after_its_age_limit_whatever_the_cookie_says(app, client, ctx):
    user = make_user()
    login(client, user)
    row = db.session.execute(db.select(LoginSession)).scalar_one()
    row.created_at = utcnow() - timedelta(seconds=app.config["LOGIN_SESSION_MAX_AGE"] + 1)
    db.session.commit()
    assert not _logged_in(client)


def test_a_cookie_naming_an_account_without_its_session_key_logs_nobody_in(app, client, ctx):
    user = make_user()
    login(client, user)
    with client.session_transaction() as cookie_session:
        cookie_session["civic_login"] = "a-key-the-server-never-issued"
    assert not _logged_in(client)
    with client.session_transaction() as cookie_session:
        cookie_session.pop("civic_login")
    assert not _logged_in(client)


def test_logging_in_starts_a_fresh_cookie_session(client, ctx):
    """Nothing set before the log-in survives it (session fixation)."""
    with client.session_transaction() as cookie_session:
        cookie_session["planted"] = "by someone else"
    login(client, make_user())
    with client.session_transaction() as cookie_session:
        assert "planted" not in cookie_session
    assert db.session.execute(db.select(db.func.count(LoginSession.id))).scalar_one() == 1


def test_only_a_hash_of_the_session_key_is_stored(client, ctx):
    login(client, make_user())
    with client.session_transaction() as cookie_session:
        key = cookie_session["civic_login"]
    row = db.session.execute(db.select(LoginSession)).scalar_one()
    assert key not in row.key_hash and len(row.key_hash) == 64


def test_a_wrong_password_creates_no_session(client, ctx):
    user = make_user()
    client.post_form("/login", {"email": user.email, "password": PASSWORD + "x"})
    assert db.session.execute(db.select(LoginSession)).first() is None
