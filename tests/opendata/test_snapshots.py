"""The datasets' stored snapshots: what a refresh writes, a refresh replaces all of them at once, the clock job
refreshes once a day. The demo's snapshots (the datasets' rows, the data package and ZIP validated with the real
Frictionless validator) are in test_snapshots_of_the_demo.py."""
import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import chunked_files
from civic.db_types import utcnow
from civic.extensions import db
from civic.jobs import run_jobs
from civic.opendata import datasets, snapshots
from civic.opendata.files import csv_text
from civic.opendata.models import OpenDataChunk, OpenDataFile
from tests.decisions.helpers import make_decision
from tests.factories import make_theme
from tests.opendata.helpers import stored_bytes

REFRESHED = "open datasets refreshed"


def test_big_files_are_stored_a_chunk_at_a_time(app, ctx, monkeypatch):
    monkeypatch.setattr(chunked_files, "CHUNK_BYTES", 64)
    for n in range(30):
        make_theme(name=f"Thème {n}")
    snapshots.refresh()
    body, file = stored_bytes("themes.csv")
    # A chunk is stored once 64 bytes are waiting: a line or two each.
    assert db.session.execute(select(func.count()).where(OpenDataChunk.file_id == file.id)).scalar_one() >= 5
    assert body == "".join(csv_text(datasets.get("themes"))).encode()


def test_a_refresh_replaces_every_file_in_its_transaction(app, ctx):
    make_theme(name="Voirie")
    snapshots.refresh()
    db.session.commit()
    before = {f.name: (f.id, f.sha256, f.issued_at) for f in snapshots.stored().values()}
    make_theme(name="Écoles")
    written = snapshots.refresh()
    assert written == datasets.datasets()
    db.session.rollback()  # a refresh that fails before its commit leaves the last one whole
    assert {f.name: (f.id, f.sha256, f.issued_at) for f in snapshots.stored().values()} == before
    snapshots.refresh()
    db.session.commit()
    after = snapshots.stored()
    assert after.keys() == before.keys()
    for name in ("themes.csv", "themes.json", snapshots.DATAPACKAGE, snapshots.ZIP):
        assert after[name].sha256 != before[name][1] and after[name].issued_at == before[name][2]
    assert "Écoles" in stored_bytes("themes.csv")[0].decode()
    # Nothing of the old files is left behind.
    assert db.session.execute(select(func.count()).select_from(OpenDataFile)).scalar_one() == len(after)
    assert not db.session.execute(select(OpenDataChunk.file_id).where(
        OpenDataChunk.file_id.not_in([f.id for f in after.values()]))).first()


def test_the_clock_job_refreshes_once_a_day(app, ctx, monkeypatch):
    make_theme(name="Voirie")
    assert run_jobs()[0][REFRESHED] == len(datasets.datasets())
    assert run_jobs()[0][REFRESHED] == 0
    later = utcnow() + timedelta(days=1, minutes=1)
    monkeypatch.setattr(snapshots, "utcnow", lambda: later)
    assert run_jobs()[0][REFRESHED] == len(datasets.datasets())
    assert {f.generated_at for f in snapshots.stored().values()} == {later}


def test_the_command_refreshes_every_dataset(app, ctx):
    make_theme(name="Voirie")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["opendata", "refresh"])
    assert result.exit_code == 0, result.output
    assert f"themes.csv: {snapshots.stored_file('themes.csv').size} bytes" in result.output
    # Every dataset or none: the data package's foreign keys relate the files of one refresh.
    result = runner.invoke(args=["opendata", "refresh", "themes"])
    assert result.exit_code != 0


def test_a_download_whose_file_a_refresh_replaced_meanwhile_fails_rather_than_ending_short(app, ctx, client,
                                                                                         monkeypatch):
    make_theme(name="Voirie")
    snapshots.refresh()
    db.session.commit()
    read, refreshed = snapshots.file_chunks, []

    def refreshed_first(file):
        stream = read(file)

        def sent():  # when the server sends the body: after the request read the file's row and committed
            if not refreshed:
                refreshed.append(True)
                with app.app_context():
                    make_theme(name="Écoles")
                    snapshots.refresh()
                    db.session.commit()
            yield from stream
        return sent()

    monkeypatch.setattr(snapshots, "file_chunks", refreshed_first)
    with pytest.raises(chunked_files.ChangedWhileRead):
        client.get("/donnees/themes.csv")
    monkeypatch.setattr(snapshots, "file_chunks", read)
    assert "Écoles" in client.get("/donnees/themes.csv").get_data(as_text=True)


def test_a_votes_state_is_the_one_at_the_refresh_and_its_schema_says_so(app, ctx):
    decision = make_decision(state="open")
    snapshots.refresh()
    db.session.commit()
    body, file = stored_bytes("decisions.csv")
    [row] = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    assert row["state"] == decision.state_at(file.generated_at).value == "open"
    # A day's file does not follow the vote closing: its dates do, and its schema says which to read.
    assert decision.state_at(decision.closes_at).value == "closed"
    [field] = [f for f in datasets.get("decisions").schema["fields"] if f["name"] == "state"]
    assert "when the file was generated" in field["x_description_en"] and "closes_at" in field["x_description_en"]
    assert "produit" in field["description"] and "closes_at" in field["description"]


def test_the_data_package_says_that_the_csv_guards_formulas_and_the_json_keeps_the_text(app, ctx):
    snapshots.refresh()
    package = json.loads(stored_bytes(snapshots.DATAPACKAGE)[0])
    assert "apostrophe (’)" in package["description"] and "JSON" in package["description"]
    assert "apostrophe (')" in package["x_description_en"] and "exact text" in package["x_description_en"]
