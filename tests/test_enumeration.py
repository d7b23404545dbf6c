"""Registration, log-in and password reset take as long for an address with an account as for one
without: their speed tells nobody which addresses are registered. Measured with the real Argon2
parameters (the rest of the suite uses cheap ones), as medians of alternated requests.

Measured on the first version: registration answered in 11 ms for a known address and 246 ms
for a new one (only the new one hashed the password)."""
import statistics
import time

import pytest

from civic import create_app
from civic.accounts.services import create_user
from civic.extensions import db
from tests.factories import CSRF_RE, PASSWORD

# Its work leaves the test's connection (other processes, threads or apps): see conftest.py.
pytestmark = pytest.mark.real_commits

SAMPLES = 9


@pytest.fixture
def real_app(app):
    """The suite's database, served with production's Argon2 parameters and no limits to reach."""
    real = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SERVER_NAME": "civic.test",
                       "RATELIMIT_ENABLED": False}, env="testing")
    with real.app_context():
        create_user("Known", "known@example.org", PASSWORD, confirmed=True)
        db.session.commit()
    yield real
    with real.app_context():
        db.engine.dispose()


def _timed_post(app, path, data):
    client = app.test_client()
    token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    started = time.perf_counter()
    response = client.post(path, data={"csrf_token": token, **data})
    elapsed = time.perf_counter() - started
    return response, elapsed


def _medians(app, path, known, unknown):
    """Median seconds for the known and the unknown address, requests alternated so that both see the
    same machine; each answer is the same page whichever the address."""
    times = {"known": [], "unknown": []}
    answers = set()
    for n in range(SAMPLES):
        for kind, make in (("known", known), ("unknown", unknown)):
            response, elapsed = _timed_post(app, path, make(n))
            times[kind].append(elapsed)
            answers.add((response.status_code, response.location))
    assert len(answers) == 1, answers
    return statistics.median(times["known"]), statistics.median(times["unknown"])


def _assert_alike(known, unknown):
    slowest = max(known, unknown)
    # Hashing dominates both (about 0.1 s); a path that skipped it would be several times faster.
    assert abs(known - unknown) <= max(0.2 * slowest, 0.005), (round(known * 1000, 1), round(unknown * 1000, 1))


def test_registration_takes_as_long_for_a_known_address(real_app):
    def form(email):
        return {"display_name": "Camille", "email": email, "password": PASSWORD, "password_confirm": PASSWORD}

    known, unknown = _medians(real_app, "/register", lambda n: form("known@example.org"),
                              lambda n: form(f"new-{n}@example.org"))
    _assert_alike(known, unknown)


def test_log_in_takes_as_long_for_an_unknown_address(real_app):
    known, unknown = _medians(real_app, "/login", lambda n: {"email": "known@example.org", "password": "wrong " * 3},
                              lambda n: {"email": f"nobody-{n}@example.org", "password": "wrong " * 3})
    _assert_alike(known, unknown)


def test_password_reset_takes_as_long_for_an_unknown_address(real_app):
    known, unknown = _medians(real_app, "/password/forgot", lambda n: {"email": "known@example.org"},
                              lambda n: {"email": f"nobody-{n}@example.org"})
    _assert_alike(known, unknown)
