"""Registration, log-in and password reset do the same work for an address with an account as for
one without: their speed tells nobody which addresses are registered.

Hashing dominates these requests (about 0.1 s with production's parameters, a thousand times what
the rest costs), so the test records every Argon2 operation each request runs, with its cost
parameters, and asserts the two lists are the same. That is deterministic where comparing
wall-clock medians was not: on a loaded CI machine one request in two could wait its turn.

Measured on the first version: registration answered in 11 ms for a known address and 246 ms
for a new one (only the new one hashed the password)."""
import argon2
import pytest

from civic.accounts import services
from civic.accounts.services import create_user
from civic.extensions import db, limiter
from tests.factories import CSRF_RE, PASSWORD

SAMPLES = 3


@pytest.fixture
def argon2_operations(monkeypatch):
    """The Argon2 operations run since the last reset, as (operation, time cost, memory cost)."""
    operations = []
    real_hash, real_verify = argon2.PasswordHasher.hash, argon2.PasswordHasher.verify

    def hash_(self, password, *args, **kwargs):
        operations.append(("hash", self.time_cost, self.memory_cost))
        return real_hash(self, password, *args, **kwargs)

    def verify(self, password_hash, password):
        parameters = argon2.extract_parameters(password_hash)
        operations.append(("verify", parameters.time_cost, parameters.memory_cost))
        return real_verify(self, password_hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "hash", hash_)
    monkeypatch.setattr(argon2.PasswordHasher, "verify", verify)
    return operations


@pytest.fixture
def known(ctx):
    create_user("Known", "known@example.org", PASSWORD, confirmed=True)
    db.session.flush()
    limiter.reset()  # the requests below are the work measured, not refusals for the suite's earlier ones
    yield
    limiter.reset()


def _work(app, operations, path, data):
    client = app.test_client()
    token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    operations.clear()
    response = client.post(path, data={"csrf_token": token, **data})
    return (response.status_code, response.location), list(operations)


def _assert_same_work(app, operations, path, known, unknown):
    """Each answer is the same page and costs the same hashing whichever the address."""
    # The stand-in hash an unknown address is checked against is made once per process, by its first
    # such request: that one request is not the steady state an attacker could sample.
    _work(app, operations, path, unknown(SAMPLES))
    answers, work = set(), set()
    for n in range(SAMPLES):
        for make in (known, unknown):
            answer, done = _work(app, operations, path, make(n))
            answers.add(answer)
            work.add(tuple(done))
    assert len(answers) == 1, answers
    assert len(work) == 1, work
    assert work.pop(), "no Argon2 operation at all: the request would answer at once for anybody"


def test_registration_does_the_same_work_for_a_known_address(app, known, argon2_operations):
    def form(email):
        return {"display_name": "Camille", "email": email, "password": PASSWORD, "password_confirm": PASSWORD}

    _assert_same_work(app, argon2_operations, "/register", lambda n: form("known@example.org"),
                      lambda n: form(f"new-{n}@example.org"))


def test_log_in_does_the_same_work_for_an_unknown_address(app, known, argon2_operations):
    _assert_same_work(app, argon2_operations, "/login",
                      lambda n: {"email": "known@example.org", "password": "wrong " * 3},
                      lambda n: {"email": f"nobody-{n}@example.org", "password": "wrong " * 3})


def test_password_reset_answers_at_the_same_moment_for_an_unknown_address(app, known, argon2_operations,
                                                                           monkeypatch):
    """A reset hashes nothing either way; a link takes a token the other answer does not, so every answer
    waits until RESET_ANSWER_SECONDS after its request began. With the clock held still, each request
    must wait exactly that long, whichever the address."""
    waits = []
    monkeypatch.setattr(services.time, "monotonic", lambda: 1000.0)
    monkeypatch.setattr(services.time, "sleep", waits.append)
    for email in ("known@example.org", "nobody@example.org"):
        waits.clear()
        answer, work = _work(app, argon2_operations, "/password/forgot", {"email": email})
        assert answer == (302, "/password/forgot/sent"), answer
        assert work == [] and waits == [pytest.approx(services.RESET_ANSWER_SECONDS)], (email, work, waits)


def test_the_dummy_check_uses_the_real_parameters(app, argon2_operations):
    """The stand-in check for an unknown address costs what production's hashes cost."""
    app.config["ARGON2_CHEAP"] = False
    try:
        _work(app, argon2_operations, "/login", {"email": "nobody@example.org", "password": "wrong " * 3})
    finally:
        app.config["ARGON2_CHEAP"] = True
    default = argon2.PasswordHasher()
    assert ("verify", default.time_cost, default.memory_cost) in argon2_operations
