"""BREACH: compressed pages reflect what the address says, so no page carries the same CSRF token twice
(civic.csrf masks it afresh in every response), and every masked token still works."""
import hashlib
import time

import pytest
from flask import session
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.signer import HMACAlgorithm

from civic import csrf
from civic.csrf import mask, unmask
from tests.client import Page
from tests.factories import CSRF_RE, PASSWORD, make_proposal, make_user


def tokens(response):
    return CSRF_RE.findall(response.get_data(as_text=True))


def session_secret(client):
    with client.session_transaction() as cookie:
        return cookie["csrf_token"]


def test_every_response_carries_a_token_of_its_own(app, client, ctx):
    seen = [tokens(client.get("/login")) for _ in range(20)]
    assert all(len(page) == 1 for page in seen)
    assert len({page[0] for page in seen}) == 20
    secret = session_secret(client)
    signed = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    for (token,) in seen:
        # Under the mask, Flask-WTF's token: signed, and naming this session's secret.
        assert signed.loads(unmask(token)) == secret
        assert secret not in token and unmask(token) not in token


def test_a_page_reflecting_a_guess_holds_another_token(client, login_as):
    """What an attacker puts in the address (the search box shows it) never meets the token it guesses at."""
    login_as()
    make_proposal()
    guess = tokens(client.get("/proposals/"))[0]
    response = client.get("/proposals/", query_string={"q": guess})
    html = response.get_data(as_text=True)
    assert Page(response).value("q") == guess
    assert tokens(response) and guess not in tokens(response) and unmask(guess) not in html


def test_every_masked_token_is_accepted(client, ctx):
    user = make_user()
    first = tokens(client.get("/login"))[0]
    for _ in range(5):
        client.get("/login")
    response = client.post("/login", data={"csrf_token": first, "email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_the_forms_of_one_page_share_its_token(client, login_as):
    """Form fields (FlaskForm) and the layout's log-out form (csrf_token()) alike."""
    login_as()
    proposal = make_proposal()
    page = tokens(client.get(f"/proposals/{proposal.id}"))
    assert len(page) >= 3 and len(set(page)) == 1


@pytest.mark.parametrize("forge", [
    lambda token: unmask(token),                             # the token as Flask-WTF signs it: never in a page
    lambda token: token[:30] + ("A" if token[30] != "A" else "B") + token[31:],
    lambda token: "not-a-token",
    lambda token: "",
])
def test_a_forged_token_is_refused(client, ctx, forge):
    user = make_user()
    token = tokens(client.get("/login"))[0]
    response = client.post("/login", data={"csrf_token": forge(token), "email": user.email, "password": PASSWORD})
    assert response.status_code == 400 and Page(response).h1 == "Formulaire expiré"


def test_mask_and_unmask():
    token = "IjVmZDk0YjQ5ZGQxNjk5In0.Z1Rq1A.q7Vd6j0T8cW1b3dQ2a9mXgk4l1E"
    masked = {mask(token) for _ in range(50)}
    assert len(masked) == 50 and {unmask(m) for m in masked} == {token}
    assert unmask("") is None and unmask("%%%") is None


def test_the_signed_token_is_flask_wtfs(app, monkeypatch):
    """The token civic.csrf signs with a serializer made once is the one Flask-WTF makes and checks: the session's
    secret signed by the app's key at the same second (Flask-WTF's generate_csrf, in a request of its own that holds
    the same secret, makes the same bytes), kept on g for the request, signed by the same HMAC."""
    monkeypatch.setattr(time, "time", lambda: 1_765_000_000.0)
    with app.test_request_context("/"):
        token = csrf._signed_token()
        assert csrf._signed_token() == token
        validate_csrf(token)
        secret = session["csrf_token"]
        assert URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").loads(token) == secret
    with app.test_request_context("/"):
        session["csrf_token"] = secret
        assert generate_csrf() == token
    key, value = b"k" * 20, b"a value"
    assert csrf._OneCallHMAC(hashlib.sha1).get_signature(key, value) == HMACAlgorithm(hashlib.sha1).get_signature(
        key, value)
