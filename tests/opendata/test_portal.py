"""The portal (/donnees) and its downloads: every registered dataset listed with what it holds, its size and
hash; every published file with ETag, 304, CORS and no cookie; the DCAT catalogue harvestable."""
import hashlib
import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import delete as sa_delete
from sqlalchemy import update as sa_update
from flask import current_app
from flask_babel import force_locale
from flask_babel.speaklater import LazyString
from jinja2.runtime import Context

from civic.accounts.models import Role
from civic.extensions import db
from civic.identity import forget, save
from civic.opendata import datasets, snapshots
from civic.opendata import views as opendata_views
from civic.opendata.models import OpenDataChunk, OpenDataFile
from civic.opendata.package import LICENCE
from tests.client import Page, text_of
from tests.conftest import demo_app_for_this_module
from tests.opendata.helpers import SIRET, local_path

DCAT = "http://www.w3.org/ns/dcat#"


# The demo's open data written once for the session (tests/conftest.py): each test reads it in its rolled-back
# transaction.
app = demo_app_for_this_module("refreshed_demo_app")


@pytest.fixture
def demo(ctx):
    """The refreshed demo, read in the test's transaction."""


def _files():
    return snapshots.stored()


def _size(size):
    """A size as the portal says it in French: octets, ko or Mo (powers of ten), one decimal."""
    for unit, scale in (("Mo", 1_000_000), ("ko", 1000)):
        if size >= scale:
            return f"{round(size / scale, 1):,} {unit}".replace(",", " ").replace(".", ",").replace(",0 ", " ")
    return f"{size} octets"


def _fr(text):
    """The French text as text_of reads it (no-break spaces as spaces)."""
    with force_locale("fr"):
        return str(text).replace("\u00a0", " ").replace("\u202f", " ")


def _downloads():
    """(path, stored file or None) of every download of the portal."""
    paths = [("/donnees/datapackage.json", snapshots.DATAPACKAGE), ("/donnees/civic-donnees.zip", snapshots.ZIP),
             ("/donnees/catalogue.jsonld", None)]
    for dataset in datasets.datasets():
        paths += [(f"/donnees/{dataset.name}.csv", f"{dataset.name}.csv"),
                  (f"/donnees/{dataset.name}.json", f"{dataset.name}.json"),
                  (f"/donnees/schemas/{dataset.name}.schema.json", None)]
    return paths


def test_the_portal_lists_every_dataset_with_its_files_sizes_and_hashes(demo, client_request):
    page = client_request.get("opendata.portal")
    assert page.h1 == "Données ouvertes"
    files = _files()
    for dataset in datasets.datasets():
        section = page.select_one(f"section#{dataset.name}")
        assert text_of(section.select_one("h3")) == _fr(dataset.title)
        text = text_of(section)
        assert _fr(dataset.description) in text and LICENCE["title"] in text and "Mis à jour chaque jour" in text
        for field in dataset.schema["fields"]:
            assert field["title"] in text
        assert section.select_one(f'a[href="/donnees/schemas/{dataset.name}.schema.json"]')
        table = section.select_one("table")
        assert text_of(table.select_one("caption")) == f"Fichiers de {_fr(dataset.title)}"
        assert [th["scope"] for th in table.select("th")] == ["col"] * 3 + ["row"] * 2
        for extension in ("csv", "json"):
            file = files[f"{dataset.name}.{extension}"]
            row = table.select_one(f'a[href="/donnees/{dataset.name}.{extension}"]').find_parent("tr")
            assert text_of(row) == f"{file.name} {_size(file.size)} {file.sha256}"
        assert f"{files[dataset.name + '.csv'].rows:,}".replace(",", " ") in text
    for endpoint in ("opendata.archive", "opendata.datapackage", "opendata.catalogue"):
        assert page.select_one(f'main a[href="{client_request.url(endpoint)}"]')
    for endpoint, name in (("opendata.archive", snapshots.ZIP), ("opendata.datapackage", snapshots.DATAPACKAGE)):
        item = page.select_one(f'main a[href="{client_request.url(endpoint)}"]').find_parent("li")
        assert f"({_size(files[name].size)}, SHA-256 {files[name].sha256} )" in text_of(item)
    # The CSV's formula guard is said where the files are offered: it changes their text, not the JSON's.
    assert "commence par une apostrophe (’)" in text_of(page.select_one("main"))
    assert page.select_one('link[rel="alternate"][type="application/ld+json"]')["href"] == "/donnees/catalogue.jsonld"
    assert page.select_one('footer a[href="/donnees"]')


def test_the_portal_in_english_and_before_the_first_refresh(client, client_request, ctx):
    # The shared demo's files removed in the test's transaction: as they were before its first refresh.
    db.session.execute(sa_delete(OpenDataChunk))
    db.session.execute(sa_delete(OpenDataFile))
    db.session.commit()
    client.get("/lang/en")
    page = client_request.get("opendata.portal")
    assert page.h1 == "Open data"
    for dataset in datasets.datasets():
        section = page.select_one(f"section#{dataset.name}")
        assert "Not generated yet" in text_of(section)
        for field in dataset.schema["fields"]:
            assert field.get("x_title_en", field["title"]) in text_of(section)
    assert client.get("/donnees/themes.csv").status_code == 404
    assert client.get("/donnees/civic-donnees.zip").status_code == 404


def test_the_portal_links_the_api_and_feeds_only_when_they_are_served(demo, app, client_request):
    page = client_request.get("opendata.portal")
    served = {rule.rule for rule in app.url_map.iter_rules()}
    assert bool(page.select_one('a[href="/api/v1/openapi.json"]')) == ("/api/v1/openapi.json" in served)
    feeds = [rule for rule in served if rule.startswith("/flux/") and "<" not in rule]
    links = page.select('a[href^="/flux/"]')
    assert sorted(a["href"] for a in links) == sorted(feeds)
    # Titled, and opened by a browser or a feed reader rather than saved: no "download" on them nor the API's.
    assert sorted(text_of(a) for a in links) == sorted(f"Flux Atom : {title}" for title in (
        "Nouvelles propositions", "Réponses officielles", "Votes ouverts", "Résultats publiés"))
    assert not [a for a in links + page.select('a[href^="/api/"]') if a.has_attr("download")]


def test_the_portal_reads_the_rules_and_translates_its_titles_once_per_language(demo, app, client, monkeypatch):
    """What the app serves is read from its rules once, and each dataset's title and description once per language
    (the page shows every title three times): still in the reader's language, as before."""
    looked_up, rules = [], []
    to_text = LazyString.__str__
    monkeypatch.setattr(LazyString, "__str__", lambda lazy: looked_up.append(id(lazy)) or to_text(lazy))
    iter_rules = app.url_map.iter_rules
    monkeypatch.setattr(app.url_map, "iter_rules", lambda *a: rules.append(a) or iter_rules(*a))
    for language in ("fr", "en"):
        client.get("/donnees", headers={"Accept-Language": language})
    titles = {id(text) for d in datasets.datasets() for text in (d.title, d.description)}
    looked_up.clear(), rules.clear()
    french = Page(client.get("/donnees", headers={"Accept-Language": "fr"}))
    english = Page(client.get("/donnees", headers={"Accept-Language": "en"}))
    assert rules == [] and not titles & set(looked_up)
    dataset = datasets.datasets()[0]
    assert text_of(french.select_one(f"section#{dataset.name} h3")) == _fr(dataset.title)
    with force_locale("en"):
        assert text_of(english.select_one(f"section#{dataset.name} h3")) == str(dataset.title)


def test_the_datasets_sections_are_rendered_once_per_language_and_address_of_the_site(demo, app, client, monkeypatch):
    """What of a dataset changes only with the code (titles, fields, links, headings) is rendered once per language
    and script root, then each request adds its files' sizes, hashes and dates: every page still in its reader's
    language, with links under the address it was asked at."""
    monkeypatch.setitem(app.extensions, "civic_opendata_parts", {})  # as a worker starts
    loaded = []
    get_template = app.jinja_env.get_template
    monkeypatch.setattr(app.jinja_env, "get_template",
                        lambda name, *a, **k: loaded.append(name) or get_template(name, *a, **k))
    dataset, files = datasets.datasets()[0], _files()
    csv = files[f"{dataset.name}.csv"]
    for _round in range(2):
        for language, root in (("fr", ""), ("en", ""), ("fr", "/civic")):
            page = Page(client.get("/donnees", headers={"Accept-Language": language},
                                   base_url=f"http://localhost{root}/"))
            section = page.select_one(f"section#{dataset.name}")
            with force_locale(language):
                title = str(dataset.title).replace("\u00a0", " ").replace("\u202f", " ")
            assert text_of(section.select_one("h3")) == title
            assert section.select_one(f'a[href="{root}/donnees/schemas/{dataset.name}.schema.json"]')
            row = section.select_one(f'a[href="{root}/donnees/{dataset.name}.csv"]').find_parent("tr")
            assert text_of(row).endswith(csv.sha256)
            assert text_of(section.select_one("th[scope=row]")) == csv.name
        assert loaded.count("opendata/_dataset_parts.html") == 3
    # A new refresh is shown at once: only the texts of the code are kept, never the files' sizes or hashes.
    db.session.execute(sa_update(OpenDataFile).where(OpenDataFile.name == csv.name).values(
        sha256="f" * 64, size=1234, rows=1234567, generated_at=datetime(2031, 3, 1, 2, 30, tzinfo=timezone.utc)))
    db.session.flush()
    section = Page(client.get("/donnees")).select_one(f"section#{dataset.name}")
    row = section.select_one(f'a[href="/donnees/{dataset.name}.csv"]').find_parent("tr")
    assert text_of(row) == f"{csv.name} 1,2 ko {'f' * 64}"
    assert ("Mis à jour chaque jour · dernière mise à jour le 1er mars 2031, 03:30 · 1 234 567 enregistrements"
            in text_of(section))


@pytest.mark.parametrize("role", [None, Role.RESIDENT])
def test_every_download_has_an_etag_answers_304_allows_any_origin_and_sets_no_cookie(demo, client, login_as, role):
    if role is not None:
        login_as(role)
    for path, name in _downloads():
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data()
        etag = hashlib.sha256(body).hexdigest()
        assert response.headers["ETag"].strip('W/"') == etag, path
        if name is not None:
            assert etag == snapshots.stored_file(name).sha256 and response.headers["Content-Length"] == str(len(body))
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", ""), path
        again = client.get(path, headers={"If-None-Match": f'"{etag}"'})
        assert again.status_code == 304 and again.get_data() == b"", path
        assert again.headers["Access-Control-Allow-Origin"] == "*" and "Set-Cookie" not in again.headers
        head = client.head(path)
        assert head.status_code == 200 and head.headers["Access-Control-Allow-Origin"] == "*", path


def test_unknown_files_are_not_found(demo, client_request):
    for endpoint, values in (("opendata.dataset_file", {"name": "nothing", "extension": "csv"}),
                             ("opendata.schema", {"name": "nothing"}),
                             ("opendata.schema", {"name": "..%2Fpyproject"})):
        page = client_request.get(endpoint, _expected_status=404, **values)
        assert page.h1 == "Page introuvable"


def test_the_dcat_catalogue_describes_every_dataset_and_its_files(demo, client):
    catalogue = client.get("/donnees/catalogue.jsonld").get_json(force=True)
    assert catalogue["@type"] == "dcat:Catalog" and catalogue["@context"]["dcat"] == DCAT
    assert catalogue["dct:publisher"]["@type"] == "foaf:Organization" and catalogue["dct:publisher"]["@id"]
    assert catalogue["dct:publisher"]["dct:identifier"] == SIRET and catalogue["dct:publisher"]["foaf:name"]
    assert catalogue["dct:license"]["@id"] == LICENCE["path"]
    assert client.get(local_path(catalogue["foaf:homepage"]["@id"])).status_code == 200
    described = {d["@id"].rsplit("#", 1)[1]: d for d in catalogue["dcat:dataset"]}
    whole = described.pop("civic-donnees")  # the ZIP and the data package
    assert described.keys() == {d.name for d in datasets.datasets()}
    assert sorted(local_path(d["dcat:downloadURL"]["@id"]) for d in whole["dcat:distribution"]) == [
        "/donnees/civic-donnees.zip", "/donnees/datapackage.json"]
    for distribution in whole["dcat:distribution"]:
        response = client.get(local_path(distribution["dcat:downloadURL"]["@id"]))
        assert distribution["spdx:checksum"]["spdx:checksumValue"] == hashlib.sha256(response.get_data()).hexdigest()
        assert distribution["dcat:mediaType"]["@id"] == f"http://www.iana.org/assignments/media-types/{response.mimetype}"
    for name, dataset in described.items():
        assert dataset["@type"] == "dcat:Dataset" and dataset["dct:identifier"] and dataset["dcat:keyword"]
        assert {t["@language"] for t in dataset["dct:title"]} == {"fr", "en"}
        assert dataset["dct:accrualPeriodicity"]["@id"].endswith("/DAILY") and dataset["dcat:theme"]["@id"]
        assert dataset["dct:issued"]["@value"] and dataset["dct:modified"]["@value"]
        schema = client.get(local_path(dataset["dct:conformsTo"]["@id"]))
        assert schema.status_code == 200 and schema.get_json(force=True) == datasets.get(name).schema
        assert len(dataset["dcat:distribution"]) == 2
        for distribution in dataset["dcat:distribution"]:
            response = client.get(local_path(distribution["dcat:downloadURL"]["@id"]))
            assert response.status_code == 200
            body = response.get_data()
            assert distribution["dcat:byteSize"]["@value"] == str(len(body))
            checksum = distribution["spdx:checksum"]
            assert checksum["spdx:algorithm"]["@id"] == "spdx:checksumAlgorithm_sha256"
            assert checksum["spdx:checksumValue"] == hashlib.sha256(body).hexdigest()
            assert distribution["dcat:mediaType"]["@id"] == f"http://www.iana.org/assignments/media-types/{response.mimetype}"
            assert distribution["dct:conformsTo"] == dataset["dct:conformsTo"]
            assert client.get(local_path(distribution["dcat:accessURL"]["@id"])).status_code == 200
    json.dumps(catalogue)  # plain JSON: any JSON-LD processor reads it


def test_the_dcat_catalogue_names_the_collectivites_contact_when_it_gave_one(demo, client):
    save({"email": "", "contact_url": ""}, conflict=None)
    db.session.commit()
    forget(current_app._get_current_object())
    assert "dcat:contactPoint" not in client.get("/donnees/catalogue.jsonld").get_json(force=True)["dcat:dataset"][0]
    save({"email": "donnees@mairie.example"}, conflict=None)
    db.session.commit()
    forget(current_app._get_current_object())
    catalogue = client.get("/donnees/catalogue.jsonld").get_json(force=True)
    for dataset in catalogue["dcat:dataset"]:
        assert dataset["dcat:contactPoint"]["vcard:hasEmail"]["@id"] == "mailto:donnees@mairie.example"
    assert catalogue["@context"]["vcard"] == "http://www.w3.org/2006/vcard/ns#"


def test_the_datasets_sections_kept_are_bounded_whatever_the_roots_requests_claim(demo, app, client, monkeypatch):
    """The site's root is the server's SCRIPT_NAME, which gunicorn takes from a request header some proxies pass on:
    however many roots requests claim, a worker keeps at most PARTS_KEPT renders."""
    kept = {}
    monkeypatch.setitem(app.extensions, "civic_opendata_parts", kept)
    for n in range(opendata_views.PARTS_KEPT + 5):
        root = f"/x{n}"
        page = Page(client.get("/donnees", base_url=f"http://localhost{root}/"))
        assert page.select_one(f'a[href^="{root}/donnees/"]')
        assert len(kept) <= opendata_views.PARTS_KEPT


def test_the_portal_reads_its_stored_files_without_a_template_call_each(app, ctx, client, monkeypatch):
    """Each dataset's files (their sizes, hashes, last update) are read in the view, not by calls of the template,
    each through the template's context: the datasets' files written cost no template call, and the page still
    shows each file's size and hash."""
    calls = []
    call = Context.call
    monkeypatch.setattr(Context, "call", lambda self, f, *a, **k: calls.append(f) or call(self, f, *a, **k))

    def template_calls():
        calls.clear()
        page = Page(client.get("/donnees"))
        assert page.status == 200
        return page, len(calls)

    client.get("/donnees")
    page, after = template_calls()  # the shared demo's files, refreshed once for the session
    files = {name: f"{stored.name} {_size(stored.size)} {stored.sha256}" for name, stored in _files().items()}
    # Before its first refresh, as far as this test's transaction goes (rolled back after it).
    db.session.execute(sa_delete(OpenDataChunk))
    db.session.execute(sa_delete(OpenDataFile))
    db.session.commit()
    _page, before = template_calls()
    # Only the lines above the datasets (the ZIP, the data package, the last update) add some: not one a dataset.
    assert after - before < len(datasets.datasets()), (before, after)
    for dataset in datasets.datasets():
        for extension in ("csv", "json"):
            row = page.select_one(f'a[href="/donnees/{dataset.name}.{extension}"]').find_parent("tr")
            assert text_of(row) == files[f"{dataset.name}.{extension}"]
