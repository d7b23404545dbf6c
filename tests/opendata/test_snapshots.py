"""The datasets' stored snapshots: what a refresh writes equals the datasets' rows, a refresh replaces all of
them at once, the clock job refreshes once a day, and the data package and ZIP validate with the real
Frictionless validator (every dataset, their sizes and hashes)."""
import csv
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civic import chunked_files
from civic.db_types import utcnow
from civic.extensions import db
from civic.jobs import run_jobs
from civic.opendata import datasets, snapshots
from civic.opendata.files import csv_text, json_text
from civic.opendata.models import OpenDataChunk, OpenDataFile
from tests.decisions.helpers import make_decision
from tests.factories import make_theme
from tests.opendata.helpers import SIRET, refreshed_demo

FRICTIONLESS = Path(sys.executable).parent / "frictionless"
REFRESHED = "open datasets refreshed"


def _bytes(name):
    file = snapshots.stored_file(name)
    return b"".join(snapshots.file_chunks(file)), file


@pytest.fixture
def demo(app, ctx):
    refreshed_demo(app)


# The demo helps one resident at a counter, fewer than the smallest group published: tests/opendata/test_datasets.py
# checks the weeks of ten residents and more.
EMPTY_IN_THE_DEMO = {"counter_statistics"}


def test_the_stored_files_are_the_datasets_current_rows(demo):
    assert datasets.datasets()
    for dataset in datasets.datasets():
        rows = list(datasets.rows(dataset))
        assert bool(rows) is (dataset.name not in EMPTY_IN_THE_DEMO), f"{dataset.name}: {len(rows)} rows in the demo"
        for extension, text in (("csv", csv_text), ("json", json_text)):
            body, file = _bytes(f"{dataset.name}.{extension}")
            assert body == "".join(text(dataset, rows)).encode(), dataset.name
            assert (file.size, file.sha256, file.rows) == (len(body), hashlib.sha256(body).hexdigest(), len(rows))
            assert file.dataset == dataset.name and file.generated_at is not None


def test_big_files_are_stored_a_chunk_at_a_time(app, ctx, monkeypatch):
    monkeypatch.setattr(chunked_files, "CHUNK_BYTES", 64)
    for n in range(30):
        make_theme(name=f"Thème {n}")
    snapshots.refresh()
    body, file = _bytes("themes.csv")
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
    assert "Écoles" in _bytes("themes.csv")[0].decode()
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


def test_the_zip_holds_a_data_package_that_validates(demo, tmp_path):
    body, file = _bytes(snapshots.ZIP)
    assert hashlib.sha256(body).hexdigest() == file.sha256
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        archive.extractall(tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "etalab-2.0"
    publisher = package["contributors"][0]
    assert (publisher["role"], publisher["x_siret"]) == ("publisher", SIRET) and publisher["title"]
    assert [r["name"] for r in package["resources"]] == [d.name for d in datasets.datasets()]
    for resource in package["resources"]:
        data = (tmp_path / resource["path"]).read_bytes()
        assert (resource["bytes"], resource["hash"]) == (len(data), "sha256:" + hashlib.sha256(data).hexdigest())
        assert data == _bytes(resource["path"])[0]
        assert json.loads((tmp_path / resource["schema"]).read_text()) == datasets.get(resource["name"]).schema
    report = subprocess.run([str(FRICTIONLESS), "validate", "--json", "datapackage.json"], cwd=tmp_path,
                            capture_output=True, text=True)
    result = json.loads(report.stdout)
    assert result["valid"], json.dumps(result["tasks"], indent=1)[:3000]
    assert {task["name"] for task in result["tasks"]} == {d.name for d in datasets.datasets()}
    assert package == json.loads(_bytes(snapshots.DATAPACKAGE)[0])


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
    body, file = _bytes("decisions.csv")
    [row] = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    assert row["state"] == decision.state_at(file.generated_at).value == "open"
    # A day's file does not follow the vote closing: its dates do, and its schema says which to read.
    assert decision.state_at(decision.closes_at).value == "closed"
    [field] = [f for f in datasets.get("decisions").schema["fields"] if f["name"] == "state"]
    assert "when the file was generated" in field["x_description_en"] and "closes_at" in field["x_description_en"]
    assert "produit" in field["description"] and "closes_at" in field["description"]


def test_the_data_package_says_that_the_csv_guards_formulas_and_the_json_keeps_the_text(app, ctx):
    snapshots.refresh()
    package = json.loads(_bytes(snapshots.DATAPACKAGE)[0])
    assert "apostrophe (’)" in package["description"] and "JSON" in package["description"]
    assert "apostrophe (')" in package["x_description_en"] and "exact text" in package["x_description_en"]
