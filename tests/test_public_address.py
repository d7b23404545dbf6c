"""Every absolute link comes from CIVIC_PUBLIC_URL, never from the Host header a request names, and
forwarded headers are believed only from the number of proxies configured."""
import json
import re
from pathlib import Path

import pytest
from flask import request

from civic import create_app
from civic.accounts.models import Role
from civic.decisions import services as decisions
from civic.decisions.models import Method
from civic.extensions import db
from civic.following.models import Follow
from civic.mail import OutgoingMail
from tests.factories import CSRF_RE, PASSWORD, make_proposal, make_user
from tests.decisions.helpers import close, make_decision

# Some of its tests build apps or reach servers of their own on the suite's database (see tests/conftest.py).
pytestmark = pytest.mark.database

PUBLIC = "https://participer.civic.test"
EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
ROOT = Path(__file__).resolve().parents[1]


def _links(text):
    return re.findall(r"https?://[^\s\"'<>]+", text)


def _as_evil(client):
    """The test client, every request of it naming evil.example (its cookies follow that host)."""
    def post(path, data=None):
        token = CSRF_RE.search(client.get("/login", headers=EVIL).get_data(as_text=True))
        if token is None:  # logged in: /login redirects
            token = CSRF_RE.search(client.get("/account", headers=EVIL).get_data(as_text=True))
        return client.post(path, data={"csrf_token": token.group(1), **(data or {})}, headers=EVIL)

    return post


def _log_in_as_evil(client, user):
    assert _as_evil(client)("/login", {"email": user.email, "password": PASSWORD}).status_code == 302


def _assert_public(links):
    assert links, "no link found"
    assert all(link.startswith(PUBLIC + "/") for link in links), links


def test_a_reset_link_goes_to_the_public_address_whatever_host_was_named(client, ctx, outbox):
    make_user(email="victim@example.org")
    response = _as_evil(client)("/password/forgot", {"email": "victim@example.org"})
    assert response.status_code == 302
    _assert_public(_links(outbox[0]["body"]))
    assert "evil.example" not in outbox[0]["body"]


def test_confirmation_and_already_registered_mails_link_to_the_public_address(client, ctx, outbox):
    form = {"display_name": "Camille", "email": "camille@example.org", "password": "a long enough password",
            "password_confirm": "a long enough password"}
    _as_evil(client)("/register", form)
    _as_evil(client)("/register", form)
    assert len(outbox) == 2
    for mail in outbox:
        _assert_public(_links(mail["body"]))


def test_unsubscribe_headers_and_mail_links_use_the_public_address(client, ctx):
    proposal = make_proposal()
    follower = make_user()
    db.session.add(Follow(user_id=follower.id, target_type="proposal", target_id=proposal.id))
    db.session.commit()
    _log_in_as_evil(client, make_user(role=Role.ELECTED))
    assert _as_evil(client)(f"/proposals/{proposal.id}/answer", {"status": "accepted", "text": "Oui."}).status_code == 302
    mails = db.session.execute(db.select(OutgoingMail)).scalars().all()
    assert mails and all(m.unsubscribe_url.startswith(PUBLIC + "/unsubscribe/") for m in mails if m.unsubscribe_url)
    for mail in mails:
        _assert_public(_links(mail.body))


def test_data_package_paths_use_the_public_address(client, ctx):
    decision = make_decision(Method.YES_NO)
    decisions.cast_ballot(make_user(), decision, {"vote": "yes"})
    db.session.commit()
    close(decision)
    _log_in_as_evil(client, make_user(role=Role.ELECTED))
    assert _as_evil(client)(f"/decisions/{decision.id}/publish").status_code == 302
    package = json.loads(client.get(f"/decisions/{decision.id}/datapackage.json", headers=EVIL).get_data(as_text=True))
    paths = [r["path"] for r in package["resources"]] + [s["path"] for s in package["sources"]]
    _assert_public(paths)


def test_no_absolute_link_is_built_from_the_request():
    """The class, not the examples: the request's host is never a source of links."""
    offending = []
    for path in [*ROOT.glob("civic/**/*.py"), *ROOT.glob("templates/**/*")]:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            offending += [f"{path.relative_to(ROOT)}: {m}" for m in re.findall(
                r"(?<!\w)_external\s*=\s*True|request\.(?:host_url|url_root|host\b|base_url|url\b)", text)]
    assert offending == []


def _app_behind(proxies, **config):
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "PROXY_COUNT": proxies, **config}, env="testing")


@pytest.mark.parametrize("proxies, forwarded_for, expected", [
    (0, "203.0.113.7", "127.0.0.1"),  # nobody set up a proxy: X-Forwarded-For is anyone's lie
    (1, "203.0.113.7", "203.0.113.7"),
    (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # only the last hop is the configured proxy's
])
def test_forwarded_headers_count_only_from_the_configured_proxies(proxies, forwarded_for, expected):
    app = _app_behind(proxies)
    seen = {}

    @app.get("/probe")
    def probe():
        seen.update(addr=request.remote_addr, scheme=request.scheme, host=request.host, root=request.script_root)
        return "ok"

    probe.civic_access = "public"
    app.test_client().get("/probe", headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https",
                                             "X-Forwarded-Host": "evil.example", "X-Forwarded-Prefix": "//evil.example"})
    assert seen["addr"] == expected
    assert seen["scheme"] == ("https" if proxies else "http")
    # A proxy that does not set these passes the client's: never believed.
    assert seen["host"] == "localhost" and seen["root"] == ""


def test_rate_limits_count_the_forwarded_address_behind_a_proxy():
    """Behind the configured proxy, two residents are two addresses, not one (the proxy's)."""
    app = _app_behind(1, SECRET_LIMIT_PER_IP="2 per minute")
    client = app.test_client()

    def follow_up(ip):
        return client.get("/follow-up?code=ABCDEFGH", headers={"X-Forwarded-For": ip}).status_code

    with app.app_context():
        db.create_all()
        assert [follow_up("203.0.113.1") for _ in range(3)] == [200, 200, 429]
        assert follow_up("203.0.113.2") == 200
        db.drop_all()
