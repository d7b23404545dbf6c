"""The published files: stored in chunks, streamed, never changing (ETag, 304, a year of cache), and the files
of results published before they were stored written when first asked for."""
import hashlib
import json

import pytest
from sqlalchemy import delete, func, select

from civic import chunked_files
from civic.accounts.models import Role
from civic.decisions import files, opendata, publication, services
from civic.decisions.files import BALLOTS_CSV, BALLOTS_PB, DATAPACKAGE, RESULTS_CSV, RESULTS_JSON
from civic.decisions.models import BudgetRule, Method, PublishedChunk, PublishedFile
from civic.extensions import db
from civic.voting import ballot_file
from civic.voting.recount import recount_pb
from tests.factories import make_user
from tests.decisions.helpers import close, make_decision, published_results, published_text

IMMUTABLE = "public, max-age=31536000, immutable"


def _published(method=Method.MAJORITY_JUDGMENT, voters=12, **fields):
    decision = make_decision(method, **fields)
    ids = [o.id for o in decision.options]
    for n in range(voters):
        if method is Method.MAJORITY_JUDGMENT:
            content = {"grades": {str(o): ("good", "fair", "reject")[(n + i) % 3] for i, o in enumerate(ids)}}
        elif method is Method.YES_NO:
            content = {"vote": ("yes", "no")[n % 2]}
        else:
            content = {"options": ids[: n % 3]}
        services.cast_ballot(make_user(), decision, content)
    db.session.commit()
    close(decision)
    services.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.commit()
    return decision


def test_files_are_stored_in_chunks_hashed_as_written_and_read_back_whole(client, ctx, monkeypatch):
    monkeypatch.setattr(chunked_files, "CHUNK_BYTES", 100)
    decision = _published(voters=40)
    stored = files.stored(decision.id, BALLOTS_CSV)
    chunks = db.session.execute(select(PublishedChunk.data).where(PublishedChunk.file_id == stored.id)
                                .order_by(PublishedChunk.seq)).scalars().all()
    assert len(chunks) > 10
    body = b"".join(chunks)
    assert (len(body), hashlib.sha256(body).hexdigest()) == (stored.size, stored.sha256)
    assert stored.sha256 == decision.snapshot.ballots_sha256
    response = client.get(f"/decisions/{decision.id}/ballots.csv")
    assert response.get_data() == body and response.headers["Content-Length"] == str(len(body))
    method, _options, ballots = ballot_file.read(body.decode())
    assert method == "majority_judgment" and len(list(ballots)) == 40
    assert ballot_file.recount(body.decode())[1] == published_results(decision)["count"]


def test_each_stored_content_is_decoded_once_however_many_ballots_share_it(ctx, monkeypatch):
    decoded = []
    monkeypatch.setattr(publication.codec, "loads", lambda text: decoded.append(text) or json.loads(text))
    decision = _published(voters=30)
    assert len(decoded) == len(set(decoded)) == 3
    # Past the limit, contents are decoded again rather than kept: the count is the same.
    monkeypatch.setattr(publication, "DECODED_LIMIT", 0)
    close(decision)
    assert publication.count_results(decision, 0, None)["count"] == published_results(decision)["count"]


@pytest.mark.parametrize("name, filename, media_type", [
    (BALLOTS_CSV, "decision-{id}-ballots.csv", "text/csv; charset=utf-8"),
    (RESULTS_JSON, "decision-{id}-results.json", "application/json"),
    (RESULTS_CSV, "decision-{id}-results.csv", "text/csv; charset=utf-8"),
    (DATAPACKAGE, "datapackage.json", "application/json"),
])
def test_downloads_carry_their_hash_as_etag_and_answer_304(client, ctx, name, filename, media_type):
    decision = _published()
    stored = files.stored(decision.id, name)
    url = f"/decisions/{decision.id}/{name}"
    response = client.get(url)
    assert response.status_code == 200 and response.content_type == media_type
    assert response.headers["ETag"] == f'"{stored.sha256}"' and response.headers["Cache-Control"] == IMMUTABLE
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename.format(id=decision.id)}"'
    assert "Set-Cookie" not in response.headers and response.headers["Access-Control-Allow-Origin"] == "*"
    assert hashlib.sha256(response.get_data()).hexdigest() == stored.sha256
    for tags in (f'"{stored.sha256}"', f'W/"{stored.sha256}"', f'"other", "{stored.sha256}"', "*"):
        again = client.get(url, headers={"If-None-Match": tags})
        assert again.status_code == 304 and again.get_data() == b""
        assert again.headers["ETag"] == f'"{stored.sha256}"' and again.headers["Cache-Control"] == IMMUTABLE
        assert again.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    head = client.head(url)
    assert head.status_code == 200 and head.get_data() == b"" and head.headers["Content-Length"] == str(stored.size)
    assert head.headers["Access-Control-Allow-Origin"] == "*"


def test_the_pabulib_file_is_streamed_and_recounts(client, ctx):
    decision = _published(Method.BUDGET, options=("A", "B", "C"), costs=[60, 50, 40], budget=100,
                          budget_rule=BudgetRule.EQUAL_SHARES)
    response = client.get(f"/decisions/{decision.id}/ballots.pb")
    assert response.status_code == 200 and response.headers["ETag"].strip('"') == hashlib.sha256(
        response.get_data()).hexdigest()
    text = response.get_data(as_text=True)
    # The 4 blank ballots of 12 are not listed: the format has no empty vote, and they take no part in the choice.
    assert "num_votes;8" in text and published_results(decision)["count"]["blank"] == 4
    assert [int(p) for p in recount_pb(text)] == published_results(decision)["count"]["winners"]
    # Projects carry their names; each vote its tracking code.
    codes = {line.split(";")[0] for line in text.split("VOTES\n", 1)[1].splitlines()[1:]}
    assert len(codes) == 8 and codes <= set(published_text(decision, BALLOTS_CSV).replace(",", "\n").split())


def test_nothing_is_downloadable_before_publication(client, ctx):
    decision = make_decision(Method.YES_NO)
    close(decision)
    for name in (BALLOTS_CSV, BALLOTS_PB, RESULTS_JSON, RESULTS_CSV, DATAPACKAGE):
        assert client.get(f"/decisions/{decision.id}/{name}").status_code == 404
    yes_no = _published(Method.YES_NO)
    assert client.get(f"/decisions/{yes_no.id}/{BALLOTS_PB}").status_code == 404  # a yes / no vote has none


def test_results_published_before_their_descriptions_were_stored_get_them_when_asked(client, ctx):
    """Migration 0012 moves the stored texts; the results CSV and datapackage.json are written on demand."""
    decision = _published()
    package = client.get(f"/decisions/{decision.id}/datapackage.json").get_data(as_text=True)
    results_csv = client.get(f"/decisions/{decision.id}/results.csv").get_data()
    db.session.execute(delete(PublishedFile).where(PublishedFile.decision_id == decision.id,
                                                   PublishedFile.name.in_([RESULTS_CSV, DATAPACKAGE])))
    db.session.commit()
    assert client.get(f"/decisions/{decision.id}/datapackage.json").get_data(as_text=True) == package
    assert client.get(f"/decisions/{decision.id}/results.csv").get_data() == results_csv
    assert db.session.execute(select(func.count(PublishedFile.id))
                              .where(PublishedFile.decision_id == decision.id)).scalar_one() == 4



# Keys results.json gained after the first publications (schemas/results.schema.json): older ones lack them.
LATER_KEYS = ("title", "number_of_winners", "max_choices", "budget", "voter_cost_limit", "tie_break", "opens_at",
              "closes_at", "published_at")


@pytest.mark.parametrize("method", [Method.MAJORITY_JUDGMENT, Method.BUDGET])
def test_results_of_the_first_publications_get_their_descriptions_without_the_keys_they_lack(client, ctx, method):
    """The data package written on demand for results.json of the first format: what it lacks is said to be
    unknown (null), nothing is made up, and the page answers."""
    decision = _published(method, **({"costs": [60, 50, 40], "budget": 100} if method is Method.BUDGET else {}))
    old = {k: v for k, v in published_results(decision).items() if k not in LATER_KEYS}
    old["count"].pop("tie", None)
    db.session.execute(delete(PublishedFile).where(PublishedFile.decision_id == decision.id,
                                                   PublishedFile.name.in_([RESULTS_JSON, RESULTS_CSV, DATAPACKAGE])))
    files.store(decision.id, RESULTS_JSON, json.dumps(old, sort_keys=True))
    db.session.commit()
    response = client.get(f"/decisions/{decision.id}/datapackage.json")
    assert response.status_code == 200
    package = json.loads(response.get_data(as_text=True))
    assert package["x_civic"]["tie_break"] is None and package["x_civic"]["eligible"] == old["eligible"]
    (results,) = [r for r in package["resources"] if r["name"] == "results"]
    assert "tie" not in results["description"] and "None" not in results["description"]


def test_the_datapackage_names_every_file_with_its_stored_hash(client, ctx):
    decision = _published(Method.BUDGET, options=("A", "B", "C"), costs=[60, 50, 40], budget=100)
    package = json.loads(client.get(f"/decisions/{decision.id}/datapackage.json").get_data(as_text=True))
    stored = files.stored_files(decision.id)
    assert {r["name"]: r["hash"] for r in package["resources"]} == {
        "ballots": "sha256:" + stored[BALLOTS_CSV].sha256, "results": "sha256:" + stored[RESULTS_CSV].sha256,
        "results-json": "sha256:" + stored[RESULTS_JSON].sha256,
        "ballots-pabulib": "sha256:" + stored[BALLOTS_PB].sha256}
    assert package["created"] == decision.published_at.isoformat()
    assert package["x_civic"]["code_version"] == decision.snapshot.code_version


def test_the_results_schema_is_served_as_a_published_file(client, ctx):
    response = client.get("/decisions/results.schema.json")
    body = opendata.RESULTS_SCHEMA.read_bytes()
    assert response.status_code == 200 and response.get_data() == body
    assert response.headers["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    assert response.headers["Access-Control-Allow-Origin"] == "*" and "Set-Cookie" not in response.headers
    again = client.get("/decisions/results.schema.json", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Access-Control-Allow-Origin"] == "*"
