"""Never a 500: every route, as every role, with malformed form data, query strings and oversized bodies."""
import io

import pytest
from flask import url_for
from werkzeug.routing import BuildError

from civic.accounts.models import Role
from tests.conftest import login, make_user

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


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.COUNTER_AGENT, Role.MODERATOR, Role.ELECTED, Role.ADMIN])
def test_no_route_answers_500_to_malformed_input(app, client, ctx, role):
    from civic.demo import seed
    from civic.extensions import db
    with app.test_request_context():
        seed()
        db.session.commit()
    user = make_user(role=role)
    login(client, user)
    bad = []
    for url in _urls(app):
        for data in GARBAGE:
            r = client.post_form(url, data)
            if r.status_code >= 500:
                bad.append((url, data, r.status_code))
        for query in ("?page=-1&code=%00&since=32/13/2020&counter=abc&agent=9999999999999&kind=zz&answer=zz&name=%25&birth_date=00/00/0000&contact=%2B&layout=zz&area=zz",
                      # A line break in a redirect target would split the Location header.
                      "?next=/%0d%0aSet-Cookie:%20planted=1&next=%0a/",
                      # Digits int() refuses although str.isdigit() accepts them; dates at the ends of the calendar.
                      "?page=%C2%B2&theme=%C2%B2&counter=%D9%A3&agent=%C2%B2&since=01/01/0001&until=31/12/9999&birth_date=31/12/9999"):
            r = client.get(url + query)
            if r.status_code >= 500:
                bad.append((url, query, r.status_code))
    assert not bad, bad[:5]


OVERSIZED = {
    "a 600 KB field": lambda: ({"body": "é" * 300_000}, None),
    "more fields than any form has": lambda: ({f"f{n}": "x" for n in range(600)}, None),
    "a 10 MB upload": lambda: ({"file": (io.BytesIO(b"x" * 10_000_000), "big.bin")}, "multipart/form-data"),
}


@pytest.mark.parametrize("size", OVERSIZED)
def test_no_route_reads_an_oversized_body(app, client, ctx, size):
    """Refused before it is read, with Civic's own page in the person's language."""
    login(client, make_user(role=Role.RESIDENT))
    posted = 0
    for url in _urls(app):
        data, content_type = OVERSIZED[size]()
        response = client.post(url, data=data, content_type=content_type)
        assert response.status_code in (405, 413), (url, response.status_code)
        if response.status_code == 413:
            posted += 1
            assert "Trop de données" in response.get_data(as_text=True)
    assert posted > 30
