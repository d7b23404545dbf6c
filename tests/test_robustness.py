"""Never a 500: every route, as every role, with malformed form data, query strings and oversized bodies."""
import http.client
import io
from urllib.parse import urlencode

import pytest
from flask import url_for
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import BuildError, RequestRedirect
from werkzeug.test import encode_multipart

from civic.access import ANYONE, Action, rules
from civic.accounts.models import District, Role
from civic.decisions.models import Decision
from civic.extensions import db
from tests.client import Page
from tests.conftest import demo_app_for_this_module
from tests.factories import PASSWORD, login, make_user
from tests.servers import gunicorn_server

# Every route as it is in the demo, whose ids 1 name real things: the session's demo, seeded once.
app = demo_app_for_this_module()

GARBAGE = [{}, {"decision": "hide", "reason": "x" * 5000, "merge_into": "99999999999"},
           {"reason": "nope", "text": "\x00"}, {"status": "bogus", "text": ""}, {"resident": "abc", "consent": "y",
           "identity_check": "zzz"}, {"full_name": "A" * 500, "birth_date": "31/02/2000"},
           {"counter": "999999999999"}, {"code": "x" * 100, "birth_date": "1/1/1"}, {"mode": "x", "report_threshold": "-1"},
           {"resident": "²", "parent_id": "²", "body": "x", "options": "A | ² \nB | 3", "merge_into": "²", "counter": "٣"},
           {"resident": "99999999999999999999999", "parent_id": "99999999999999999999999", "language": "zz"}]

def _urls(app):
    """One address per route, its arguments filled with ids the demo data has."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("accounts.logout", "static"):
            continue
        args = {a: 1 for a in rule.arguments}
        if "target_type" in args:
            args["target_type"] = "comment"
        if "token" in args:
            args["token"] = "zzz"
        with app.test_request_context():
            try:
                urls.append(url_for(rule.endpoint, **args))
            except (BuildError, ValueError):  # an any() converter without this value
                continue
    return urls


QUERIES = ("?page=-1&code=%00&since=32/13/2020&counter=abc&agent=9999999999999&kind=zz&answer=zz&name=%25&birth_date=00/00/0000&contact=%2B&layout=zz&area=zz",
           # A line break in a redirect target would split the Location header.
           "?next=/%0d%0aSet-Cookie:%20planted=1&next=%0a/",
           # Digits int() refuses although str.isdigit() accepts them; dates at the ends of the calendar.
           "?page=%C2%B2&theme=%C2%B2&counter=%D9%A3&agent=%C2%B2&since=01/01/0001&until=31/12/9999&birth_date=31/12/9999")
ROLES = [Role.RESIDENT, Role.COUNTER_AGENT, Role.MODERATOR, Role.ELECTED, Role.ADMIN]


def _never_reads_the_input(app, role, url, method):
    """True when this role's request never reaches a view that reads its form or query string: the address takes
    no such method (405, answered by the routing), or its view's rule refuses the role whatever the object
    (civic.access.requires answers before the view). Such a request meets only the app-wide hooks (the input
    guard, CSRF, the locale), the same for every address: all the malformed inputs go to a sample of those, and
    one to each of the others."""
    adapter = app.url_map.bind("civic.test")
    try:
        endpoint, _args = adapter.match(url, method=method)
    except MethodNotAllowed:
        return True
    except (NotFound, RequestRedirect):
        return False
    action = getattr(app.view_functions[endpoint], "civic_access", None)
    if not isinstance(action, Action):
        return False
    rule = rules()[action]
    # An assisted session turns a counter agent into a resident for assistable rules: a garbage form could open one.
    return rule.roles != ANYONE and role not in rule.roles and not rule.assistable


def _inputs(app, role, urls, method, inputs):
    """(url, input) for every input on an address whose view reads it; for the others, every input on a sample
    (one address in each kind, a different one for each role) and the first input on the rest."""
    unread = [url for url in urls if _never_reads_the_input(app, role, url, method)]
    sample = set()
    for answered_by_routing in (True, False):
        kind = [url for url in unread if (method not in app.url_map.bind("civic.test").allowed_methods(url))
                == answered_by_routing]
        if kind:
            sample.add(kind[ROLES.index(role) % len(kind)])
    unread = set(unread)
    for url in urls:
        for n, value in enumerate(inputs):
            if url not in unread or url in sample or n == 0:
                yield url, value


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_500_to_malformed_input(app, client, ctx, role):
    user = make_user(role=role)
    login(client, user)
    bad = []
    urls = _urls(app)
    for url, data in _inputs(app, role, urls, "POST", GARBAGE):
        r = client.post_form(url, data)
        if r.status_code >= 500:
            bad.append((url, data, r.status_code))
    for url, query in _inputs(app, role, urls, "GET", QUERIES):
        r = client.get(url + query)
        # /healthz answers 503 here by design: the suite's database is built without migrations (test_production).
        if r.status_code >= 500 and (url, r.status_code) != ("/healthz", 503):
            bad.append((url, query, r.status_code))
    assert not bad, bad[:5]


def test_the_malformed_inputs_reach_every_view_that_reads_them(app):
    """Only requests the routing or the role refuses before any view are sampled: a view a role may reach gets
    every malformed form and query, and every address gets at least one of each."""
    urls = _urls(app)
    for role in ROLES:
        for method, inputs in (("POST", GARBAGE), ("GET", QUERIES)):
            sent = list(_inputs(app, role, urls, method, inputs))
            assert {url for url, _ in sent} == set(urls)
            for url in urls:
                if not _never_reads_the_input(app, role, url, method):
                    assert [value for u, value in sent if u == url] == list(inputs), (role, method, url)
    # The proposal's page reads its query string and its comment form for everyone; the admin pages refuse a
    # resident by role; a form-only address answers a GET by the routing.
    assert not _never_reads_the_input(app, Role.RESIDENT, "/proposals/1", "GET")
    assert _never_reads_the_input(app, Role.RESIDENT, "/admin/users", "GET")
    assert _never_reads_the_input(app, Role.RESIDENT, "/proposals/1/support", "GET")


def _encoded(fields, multipart=False):
    """The body and its content type, encoded once: the same bytes go to every address (encoding 10 MB for each
    of them cost more than the requests)."""
    if multipart:
        boundary, body = encode_multipart(fields)
        return body, f"multipart/form-data; boundary={boundary}"
    return urlencode(fields).encode(), "application/x-www-form-urlencoded"


OVERSIZED = {
    "a 600 KB field": lambda: _encoded({"body": "é" * 300_000}),
    "more fields than any form has": lambda: _encoded({f"f{n}": "x" for n in range(600)}),
    "a 10 MB upload": lambda: _encoded({"file": FileStorage(io.BytesIO(b"x" * 10_000_000), "big.bin")}, multipart=True),
}


@pytest.mark.parametrize("size", OVERSIZED)
def test_no_route_reads_an_oversized_body(app, client, ctx, size):
    """Refused before it is read, with Civic's own page in the person's language."""
    login(client, make_user(role=Role.RESIDENT))
    posted = 0
    body, content_type = OVERSIZED[size]()
    for url in _urls(app):
        response = client.post(url, data=body, content_type=content_type)
        assert response.status_code in (405, 413), (url, response.status_code)
        if response.status_code == 413:
            posted += 1
            if url.startswith("/api/"):  # the API says it in JSON
                assert response.get_json()["error"]["title"] == "Trop de données"
            else:
                assert Page(response).h1 == "Trop de données"
    assert posted > 30


class _Endless(io.RawIOBase):
    """A body of ``size`` bytes handed out as it is read, as a chunked request arrives."""

    def __init__(self, size, content=b"x"):
        self.content, self.size, self.sent = content, size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.sent >= self.size:
            return 0
        count = min(len(buffer), self.size - self.sent)
        chunk = (self.content * (count // len(self.content) + 1))[:count]
        buffer[:count] = chunk
        self.sent += count
        return count


def _streamed(body, size=None):
    """What gunicorn hands on for a chunked request: no Content-Length, wsgi.input_terminated."""
    stream = io.BufferedReader(_Endless(size if size is not None else len(body), body))
    return {"environ_overrides": {"wsgi.input": stream, "wsgi.input_terminated": True},
            "content_type": "application/x-www-form-urlencoded", "headers": {"Transfer-Encoding": "chunked"}}


def test_a_body_sent_without_its_length_is_refused_past_the_limit(app, client, ctx):
    """Measured on the first version: cut at the limit without a word, and the form handled with what was read
    (a log-in with 3 MB of padding went through)."""
    user = make_user()
    token = client.csrf_token()
    form = f"csrf_token={token}&email={user.email}&password={PASSWORD.replace(' ', '+')}".encode()
    assert client.post("/login", **_streamed(form)).status_code == 302
    client.post_form("/logout")
    token = client.csrf_token()
    padded = f"csrf_token={token}&email={user.email}&password={PASSWORD.replace(' ', '+')}&padding=".encode()
    too_large = client.post("/login", **_streamed(padded + b"x" * 3_000_000))
    assert too_large.status_code == 413 and Page(too_large).h1 == "Trop de données"
    assert client.get("/account").status_code == 302  # not logged in


def test_a_real_chunked_request_is_refused_past_the_limit(app, tmp_path):
    """The same through gunicorn, which passes chunked bodies on without a Content-Length."""
    env = {"CIVIC_ENV": "development", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": "chunked-test-" + "k" * 40, "CIVIC_INSTANCE_DIR": str(tmp_path),
           "CIVIC_RATELIMIT_ENABLED": "0", "CIVIC_CLOCK_JOBS_AFTER_REQUESTS": "0"}
    with gunicorn_server(env, workers=1, ready_path="/login") as server:
        host, port = server.url.removeprefix("http://").split(":")
        statuses = []
        for size in (1_000, 3_000_000):
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            connection.putrequest("POST", "/login")
            connection.putheader("Content-Type", "application/x-www-form-urlencoded")
            connection.putheader("Transfer-Encoding", "chunked")
            connection.endheaders()
            try:
                for start in range(0, size, 65536):
                    chunk = b"a" * min(65536, size - start)
                    connection.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                connection.send(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered, and closed, before reading the rest: as HTTP allows
            statuses.append(connection.getresponse().status)
            connection.close()
    assert statuses == [400, 413]  # the small one reached the form (no CSRF token: 400); the large one did not


def test_a_value_sent_twice_in_a_list_of_boxes_counts_once(client, login_as):
    """Browsers send each ticked box once; a hand-made form that repeats one is not a conflict."""
    login_as(Role.ELECTED)
    district = District(name="Centre")
    db.session.add(district)
    db.session.commit()
    form = {"title": "Vote", "question": "Oui ?", "method": "yes_no", "opens_at": "2030-01-01T09:00",
            "closes_at": "2030-01-02T09:00", "districts": [str(district.id), str(district.id)]}
    assert client.post_form("/decisions/new", form).status_code == 302
    decision = db.session.execute(db.select(Decision).where(Decision.title == "Vote")).scalar_one()
    assert [d.id for d in decision.districts] == [district.id]
