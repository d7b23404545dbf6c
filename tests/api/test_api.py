"""The read-only API: its OpenAPI document validates and says what every path answers; the objects are the datasets'
rows, a page at a time, every row exactly once; bad parameters are told in JSON; nothing sets a cookie."""
import json
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_openapi

from civic.access import Role
from civic.extensions import db, limiter
from civic.followup.models import Milestone
from civic.moderation.models import ModerationKind
from civic.opendata import datasets
from civic.proposals.models import ProposalState
from tests.decisions.helpers import make_decision
from tests.factories import (login, make_answer, make_comment, make_counter, make_district, make_moderation_action,
                             make_proposal, make_support, make_theme, make_user)
from tests.followup.test_followup import make_record
from tests.processes.helpers import make_process, mark_studied, propose_in
from tests.queries import recording
from tests.questionnaires.factories import make_questionnaire

PUBLIC = "https://participer.civic.test"
API = f"{PUBLIC}/api/v1"


def _served():
    return [d for d in datasets.datasets() if d.api]


@pytest.fixture
def records(ctx):
    """A few records of every kind, public and not, so that each dataset has rows."""
    themes = [make_theme(name=f"Thème {n}", name_en=f"Theme {n}" if n % 2 else None, active=n != 3) for n in range(5)]
    resident = make_user(name="Camille Habitante")
    published = make_proposal(author=resident, theme=themes[0], title="Un banc public")
    make_support(published)
    make_comment(published, author=resident, body="Oui !")
    make_answer(published)
    make_district()
    make_counter()
    for title, extra in (("En attente de relecture", {"state": ProposalState.PENDING}),
                         ("Masquée par la modération", {"state": ProposalState.HIDDEN}),
                         ("Retenue après signalements", {"held_by_reports": True})):
        hidden = make_proposal(author=resident, theme=themes[1], title=title, **extra)
        make_comment(hidden, author=resident, body=f"Commentaire sous « {title} »")
        if extra.get("state") is ProposalState.HIDDEN:
            make_moderation_action(hidden, ModerationKind.HIDE, public_reason="Propos injurieux")
    make_decision(state="open")
    process = make_process()
    mark_studied(propose_in(process, author=resident, theme=themes[0], title="Un jardin partagé"))
    record = make_record()
    db.session.add(Milestone(record_id=record.id, day=record.opened_at.date(), text="Travaux commencés"))
    db.session.commit()
    make_questionnaire()
    return themes


def _json(client, path, status=200, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == status, (path, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers
    return response, response.get_json()


def _validator(document, schema):
    """A validator of ``schema`` (which may refer to the document's components), formats checked."""
    checker = FormatChecker()
    # A format only concerns strings (``next`` is null on the last page).
    checker.checks("uri")(lambda value: not isinstance(value, str) or value.startswith(f"{API}/"))
    return Draft202012Validator({**schema, "components": document["components"]}, format_checker=checker)


def _errors(document, schema, instance):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in _validator(document, schema).iter_errors(instance)]


def test_the_document_validates_and_names_the_public_address_not_the_host_asked(client, records):
    _response, document = _json(client, "/api/v1/openapi.json")
    validate_openapi(document)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": API}]
    assert document["info"]["license"] == {"name": "Licence Ouverte / Open Licence 2.0", "identifier": "etalab-2.0"}
    assert document["info"]["contact"]["name"] == "Villeneuve-sur-Lys"
    assert document["info"]["title"] == "API des données ouvertes de Villeneuve-sur-Lys"
    for dataset in _served():
        assert f"/{dataset.name}" in document["paths"]
        assert list(document["components"]["schemas"][dataset.name]["properties"]) == dataset.fields


def test_links_come_from_the_public_address_whatever_host_is_asked(app, records):
    client = app.test_client()
    response = client.get("/api/v1/", base_url="http://evil.example")
    assert response.status_code == 200
    body = response.get_json()
    assert body["openapi"] == f"{API}/openapi.json"
    assert all(c["href"].startswith(API) for c in body["collections"])
    assert client.get("/api/v1/openapi.json", base_url="http://evil.example").get_json()["servers"] == [{"url": API}]


def test_the_item_schema_follows_the_table_schema(client, ctx):
    _response, document = _json(client, "/api/v1/openapi.json", **{"Accept-Language": "en"})
    themes = document["components"]["schemas"]["themes"]
    assert themes["properties"]["id"]["type"] == "integer" and themes["properties"]["id"]["minimum"] == 1
    assert themes["properties"]["name_en"]["type"] == ["string", "null"]  # not required: may be null
    assert themes["properties"]["name_en"]["maxLength"] == 80
    assert themes["properties"]["active"] == {
        "type": "boolean", "title": "Offered", "description": "True when residents can still choose it for a new proposal."}
    assert themes["additionalProperties"] is False and themes["required"] == ["id", "name", "name_en", "active"]


def _example(client, dataset):
    """The key of a row of the dataset, from its first page, or None when it has none."""
    _response, page = _json(client, f"/api/v1/{dataset.name}?limit=1")
    return page["data"][0][dataset.key.key] if page["data"] else None


def test_every_documented_path_answers_as_documented(client, records):
    _response, document = _json(client, "/api/v1/openapi.json")
    answered = 0
    for path, item in document["paths"].items():
        operation = item["get"]
        url = "/api/v1" + path
        if "{" in path:
            name, key = path.strip("/").split("/")
            example = _example(client, datasets.get(name))
            if example is None:
                continue
            url = f"/api/v1/{name}/{example}"
        _response, body = _json(client, url)
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert _errors(document, schema, body) == [], url
        answered += 1
        if "data" in body:
            assert body["data"], f"{url}: the test made no record of this dataset"
        for code, query in (("400", "?limit=0"), ("404", "/999999999")):
            if code in operation["responses"] and "{" not in path and path.count("/") == 1 and path != "/":
                _response, error = _json(client, url + query, status=int(code))
                error_schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert _errors(document, error_schema, error) == []
    assert answered >= 2 + len(_served())


def test_every_object_is_a_row_of_its_dataset(client, records):
    """The API adds and removes nothing: its objects are the rows of the dataset's JSON file."""
    for dataset in _served():
        _response, page = _json(client, f"/api/v1/{dataset.name}?limit=500")
        rows = [{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}
                for row in datasets.rows(dataset)]
        assert page["data"] == rows[:500], dataset.name


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_pages_walk_every_row_once(client, records, limit):
    for dataset in _served():
        seen, url, pages = [], f"/api/v1/{dataset.name}?limit={limit}", 0
        while url:
            response, page = _json(client, url)
            assert len(page["data"]) <= limit
            seen += [json.dumps(row, sort_keys=True) for row in page["data"]]
            url = page["next"] and page["next"].removeprefix(PUBLIC)
            if url:
                assert response.headers["Link"] == f'<{page["next"]}>; rel="next"'
                assert f"limit={limit}" in url
            pages += 1
        expected = [json.dumps(r, sort_keys=True, default=str) for r in datasets.rows(dataset)]
        assert len(seen) == len(expected) and len(set(seen)) == len(seen), dataset.name
        if dataset.name == "themes":
            assert pages >= 5 // limit


def test_the_default_page_holds_fifty_objects_and_a_page_costs_the_same_whatever_its_depth(app, client, ctx):
    for n in range(120):
        make_theme(name=f"Thème {n}")
    _response, first = _json(client, "/api/v1/themes")
    assert len(first["data"]) == 50 and first["next"].startswith(f"{API}/themes?cursor=")
    assert "limit=" not in first["next"]
    with recording(app) as shallow:
        _json(client, first["next"].removeprefix(PUBLIC))
    _response, second = _json(client, first["next"].removeprefix(PUBLIC))
    with recording(app) as deep:
        _response, third = _json(client, second["next"].removeprefix(PUBLIC))
    assert len(third["data"]) == 20 and third["next"] is None
    assert len(deep) == len(shallow)


@pytest.mark.parametrize("query, message", [
    ("limit=0", "La limite doit être un nombre entier de 1 à 500."),
    ("limit=501", "La limite doit être un nombre entier de 1 à 500."),
    ("limit=-3", "La limite doit être un nombre entier de 1 à 500."),
    ("limit=2.5", "La limite doit être un nombre entier de 1 à 500."),
    ("limit=99999999999999999999", "La limite doit être un nombre entier de 1 à 500."),
    ("limit=", "La limite doit être un nombre entier de 1 à 500."),
    ("cursor=%%%", "Ce curseur ne vient pas de cette API : recommencez à la première page, sans curseur."),
    ("cursor=", "Ce curseur ne vient pas de cette API : recommencez à la première page, sans curseur."),
    ("cursor=eA", "Ce curseur ne vient pas de cette API : recommencez à la première page, sans curseur."),  # "x"
    ("cursor=OTk5OTk5OTk5OTk5OTk5OTk5OTk", "Ce curseur ne vient pas de cette API : recommencez à la première page, "
                                          "sans curseur."),  # a number past what a key holds
])
def test_bad_parameters_are_told_in_json(client, records, query, message):
    _response, body = _json(client, f"/api/v1/themes?{query}", status=400)
    assert body == {"error": {"status": 400, "title": "Demande non comprise", "message": message.replace(" :", "\u202f:")}}


def test_errors_are_json_in_the_readers_language(client, records):
    _response, body = _json(client, "/api/v1/themes/999999", status=404, **{"Accept-Language": "en"})
    assert body["error"] == {"status": 404, "title": "Page not found", "message": "This collection has no object with this key."}
    for path in ("/api/v1/nothing", "/api/v1/themes/abc", "/api/v1/themes/99999999999999", "/api/v1/a/b/c"):
        _response, body = _json(client, path, status=404)
        assert body["error"]["status"] == 404 and body["error"]["message"], path
    response = client.post("/api/v1/themes")
    assert response.status_code == 405 and response.get_json()["error"]["title"] == "Action non autorisée"


def test_hidden_and_pending_proposals_never_appear(client, records):
    texts = []
    for name in ("proposals", "comments"):
        _response, page = _json(client, f"/api/v1/{name}?limit=500")
        texts += [json.dumps(row, ensure_ascii=False) for row in page["data"]]
    assert any("Un banc public" in text for text in texts)
    # Neither the proposals nor the comments under them.
    for hidden in ("En attente de relecture", "Masquée par la modération", "Retenue après signalements"):
        assert not any(hidden in text for text in texts), hidden


def test_answers_carry_an_etag_and_a_short_public_cache_and_set_no_cookie(client, records):
    resident = make_user(role=Role.RESIDENT)
    login(client, resident)
    for path in ("/api/v1/", "/api/v1/openapi.json", "/api/v1/themes", f"/api/v1/themes/{records[0].id}"):
        response, _body = _json(client, path)
        assert response.headers["Cache-Control"] == "public, max-age=60"
        assert "Cookie" not in response.headers.get("Vary", "") or path in ("/api/v1/", "/api/v1/openapi.json")
        again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"" and "Set-Cookie" not in again.headers


def test_a_changed_object_has_a_new_etag(client, records):
    response, _body = _json(client, "/api/v1/themes")
    records[0].name = "Thème renommé"
    db.session.commit()
    changed = client.get("/api/v1/themes", headers={"If-None-Match": response.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["data"][0]["name"] == "Thème renommé"


def test_the_api_is_limited_per_address_and_says_so_in_json(app, client, records, monkeypatch):
    limiter.reset()
    monkeypatch.setitem(app.config, "API_LIMIT_PER_IP", "3 per minute")
    statuses = [client.get(path).status_code for path in
                ("/api/v1/", "/api/v1/themes", "/api/v1/openapi.json", "/api/v1/themes")]
    assert statuses == [200, 200, 200, 429]
    _response, body = _json(client, "/api/v1/themes", status=429)
    assert body["error"]["title"] == "Trop de tentatives"
    limiter.reset()
