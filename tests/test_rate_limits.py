"""Limits on everything someone could guess or repeat, per IP and per account, address or counter,
and counted in Redis so that they hold across gunicorn's worker processes."""
import secrets

import pytest
import redis

from civic.accounts.models import Role
from civic.extensions import limiter
from tests.client import Page
from tests.factories import PASSWORD, login, make_user
from tests.counters.helpers import make_counter
from tests.servers import HttpClient, gunicorn_server, log_in, redis_url


@pytest.fixture
def limits(app, monkeypatch):
    """limits(SETTING="2 per minute", ...) for this test, counted from zero."""
    limiter.reset()

    def set_limits(**settings):
        for name, value in settings.items():
            monkeypatch.setitem(app.config, name, value)

    yield set_limits
    limiter.reset()


def _statuses(responses):
    return [r.status_code for r in responses]


def test_follow_up_codes_cannot_be_tried_by_the_thousand(client, ctx, limits):
    limits(SECRET_LIMIT_PER_IP="3 per minute")
    tries = [client.get(f"/follow-up?code={secrets.token_hex(4).upper()}") for _ in range(4)]
    assert _statuses(tries) == [200, 200, 200, 429]
    assert Page(tries[-1]).h1 == "Trop de tentatives"
    assert client.get("/follow-up").status_code == 200  # the empty form is not a try


@pytest.mark.parametrize("path", ["/confirm/{}", "/password/reset/{}"])
def test_e_mailed_links_cannot_be_guessed(client, ctx, limits, path):
    limits(SECRET_LIMIT_PER_IP="3 per minute")
    assert _statuses([client.get(path.format(secrets.token_urlsafe(8))) for _ in range(4)]) == [400, 400, 400, 429]


def test_attaching_is_limited_per_account_and_per_address(app, client, ctx, limits):
    limits(ATTACH_LIMIT_PER_ACCOUNT="2 per hour", SECRET_LIMIT_PER_IP="4 per minute")
    login(client, make_user())
    tries = [client.post_form("/account/attach", {"code": "ABCDEFGH", "birth_date": "01/01/1950"}) for _ in range(3)]
    assert _statuses(tries) == [200, 200, 429]
    # Another account behind the same address has its own count, but the address's limit (4) stops it.
    other = app.test_client()
    login(other, make_user())
    tries = [other.post_form("/account/attach", {"code": "ABCDEFGH", "birth_date": "01/01/1950"}) for _ in range(2)]
    assert _statuses(tries) == [200, 429]


def test_desk_searches_are_limited_per_agent_and_per_counter(app, client, ctx, limits):
    limits(DESK_SEARCH_LIMIT_PER_AGENT="2 per hour", DESK_SEARCH_LIMIT_PER_COUNTER="4 per hour")
    first, second = make_user(role=Role.COUNTER_AGENT), make_user(role=Role.COUNTER_AGENT)
    make_counter(first, second)
    login(client, first)
    search = "/desk?name=martin&birth_date=01/01/1950"
    assert _statuses([client.get(search) for _ in range(3)]) == [200, 200, 429]
    assert client.get("/desk").status_code == 200  # the desk itself is not a search
    colleague = app.test_client()
    login(colleague, second)
    # The refused third search counted for the counter too: the colleague has one left.
    assert _statuses([colleague.get(search) for _ in range(2)]) == [200, 429]


def _from(ip):
    return {"environ_base": {"REMOTE_ADDR": ip}}


def test_an_address_gets_few_mails_whoever_asks(app, client, ctx, limits, outbox):
    """Registration and reset both e-mail the address typed: together they share its counts, per
    asker first (someone else cannot use up the owner's reset mails), then for the address."""
    limits(MAIL_LIMIT_PER_ADDRESS_AND_IP="2 per hour", MAIL_LIMIT_PER_ADDRESS="3 per day", MAIL_LIMIT_PER_IP="4 per day")
    make_user(email="target@example.org")
    form = {"display_name": "X", "email": "target@example.org", "password": PASSWORD, "password_confirm": PASSWORD}
    attacker, owner = "203.0.113.66", "198.51.100.7"
    tries = [client.post_form("/register", form, **_from(attacker)),
             client.post_form("/password/forgot", {"email": "TARGET@example.org"}, **_from(attacker)),
             client.post_form("/password/forgot", {"email": "target@example.org"}, **_from(attacker))]
    assert _statuses(tries) == [302, 302, 429]
    # The owner, elsewhere, still gets a reset link; then the address has had its three for the day.
    assert client.post_form("/password/forgot", {"email": "target@example.org"}, **_from(owner)).status_code == 302
    assert client.post_form("/password/forgot", {"email": "target@example.org"}, **_from(owner)).status_code == 429
    assert len(outbox) == 3
    # Nor can one address send mail to many strangers.
    others = [client.post_form("/password/forgot", {"email": f"stranger{n}@example.org"}, **_from(attacker))
              for n in range(3)]
    assert _statuses(others) == [302, 302, 429]


def test_failed_log_ins_from_elsewhere_do_not_lock_the_owner_out(app, client, ctx, limits):
    limits(LOGIN_LIMIT_PER_ACCOUNT_AND_IP="3 per 15 minutes", LOGIN_LIMIT_PER_ACCOUNT="6 per hour")
    user = make_user(email="elue@example.org")
    wrong = {"email": user.email, "password": "not the password"}
    assert _statuses([client.post_form("/login", wrong, **_from("203.0.113.1")) for _ in range(4)]) == [200, 200, 200, 429]
    owner = app.test_client()
    assert owner.post_form("/login", {"email": user.email, "password": PASSWORD}, **_from("198.51.100.7")).status_code == 302
    # Guesses spread over many addresses meet the account's own limit.
    spread = [app.test_client().post_form("/login", wrong, **_from(f"203.0.113.{n}")) for n in range(10, 14)]
    assert _statuses(spread) == [200, 200, 200, 429]


def test_logging_in_successfully_is_never_limited(app, client, ctx, limits):
    limits(LOGIN_LIMIT_PER_ACCOUNT_AND_IP="2 per 15 minutes", LOGIN_LIMIT_PER_ACCOUNT="2 per hour")
    user = make_user()
    for _ in range(5):
        assert client.post_form("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
        client.post_form("/logout")


@pytest.mark.real_commits  # the accounts must be there for gunicorn's workers
def test_a_shared_redis_holds_the_login_limit_across_four_workers(app, tmp_path):
    """Measured on the first version: 39 of 40 wrong passwords were checked with per-process memory."""
    url = redis_url()
    store = redis.Redis.from_url(url)
    store.flushdb()
    with app.app_context():
        email = make_user(email="target@example.org").email
        other = make_user(email="other@example.org").email
    host = "participer.example.fr"
    env = {"CIVIC_ENV": "production", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": secrets.token_hex(32), "CIVIC_PUBLIC_URL": f"https://{host}",
           "CIVIC_RATELIMIT_STORAGE_URI": url, "MAIL_SERVER": "smtp.example.fr", "CIVIC_PROXY_COUNT": "1", "CIVIC_CLOCK_JOBS_AFTER_REQUESTS": "0"}
    with gunicorn_server(env, workers=4, ready_path="/static/css/civic.css",
                         args=["--timeout", "60"]) as server:
        headers = {"Host": host, "X-Forwarded-Proto": "https"}
        answers = []
        for attempt in range(40):
            # A new connection each time, as a script spreading its tries over the workers would.
            client = HttpClient(server.url, headers=headers, origin=f"https://{host}", secure_cookies_over_http=True)
            answers.append(client.post_form("/login", {"email": email, "password": f"wrong {attempt}"}).status)
        assert answers.count(200) == 10 and answers.count(429) == 30, answers
        assert answers[:10] == [200] * 10
        assert len(set(server.worker_pids())) == 4
        # The right password is refused too, from this address, until the window passes.
        client = HttpClient(server.url, headers=headers, origin=f"https://{host}", secure_cookies_over_http=True)
        assert client.post_form("/login", {"email": email, "password": PASSWORD}).status == 429
        # Another account is not affected.
        log_in(client, other, PASSWORD)
    assert any(b"/civic/address:target@example.org/accounts.login/" in key for key in store.scan_iter())


def test_registering_a_resident_counts_as_a_search(app, client, ctx, limits):
    """The likely duplicates a registration lists are a search by name and birth date too."""
    limits(DESK_SEARCH_LIMIT_PER_AGENT="2 per hour")
    agent = make_user(role=Role.COUNTER_AGENT)
    make_counter(agent)
    login(client, agent)
    form = {"full_name": "Jeanne Martin", "birth_date": "01/01/1950"}
    assert _statuses([client.post_form("/desk/residents/new", form) for _ in range(3)]) == [200, 200, 429]
    assert client.get("/desk/residents/new").status_code == 200


def test_the_current_password_cannot_be_guessed_from_an_open_session(client, ctx, limits):
    """A browser left open at a desk: whoever sits down cannot try passwords on the change form."""
    limits(PASSWORD_CHECK_LIMIT_PER_ACCOUNT="3 per 15 minutes")
    user = make_user()
    login(client, user)
    form = {"current_password": "not the password", "password": "a brand new password",
            "password_confirm": "a brand new password"}
    assert _statuses([client.post_form("/account/password", form) for _ in range(4)]) == [200, 200, 200, 429]
