"""The demo's stored snapshots (its open data written once for the session, tests/conftest.py): what the refresh
wrote equals the datasets' rows, and the data package and ZIP validate with the real Frictionless validator (every
dataset, their sizes and hashes). The snapshots of records made by the tests are in test_snapshots.py."""
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from civic.opendata import datasets, snapshots
from civic.opendata.files import csv_text, json_text
from tests.conftest import demo_app_for_this_module
from tests.opendata.helpers import SIRET, stored_bytes

FRICTIONLESS = Path(sys.executable).parent / "frictionless"

app = demo_app_for_this_module("refreshed_demo_app")


@pytest.fixture
def demo(ctx):
    """The refreshed demo, read in the test's transaction."""


# The demo helps one resident at a counter, fewer than the smallest group published: tests/opendata/test_datasets.py
# checks the weeks of ten residents and more.
EMPTY_IN_THE_DEMO = {"counter_statistics"}


def test_the_stored_files_are_the_datasets_current_rows(demo):
    assert datasets.datasets()
    for dataset in datasets.datasets():
        rows = list(datasets.rows(dataset))
        assert bool(rows) is (dataset.name not in EMPTY_IN_THE_DEMO), f"{dataset.name}: {len(rows)} rows in the demo"
        for extension, text in (("csv", csv_text), ("json", json_text)):
            body, file = stored_bytes(f"{dataset.name}.{extension}")
            assert body == "".join(text(dataset, rows)).encode(), dataset.name
            assert (file.size, file.sha256, file.rows) == (len(body), hashlib.sha256(body).hexdigest(), len(rows))
            assert file.dataset == dataset.name and file.generated_at is not None


def test_the_zip_holds_a_data_package_that_validates(demo, tmp_path):
    body, file = stored_bytes(snapshots.ZIP)
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
        assert data == stored_bytes(resource["path"])[0]
        assert json.loads((tmp_path / resource["schema"]).read_text()) == datasets.get(resource["name"]).schema
    report = subprocess.run([str(FRICTIONLESS), "validate", "--json", "datapackage.json"], cwd=tmp_path,
                            capture_output=True, text=True)
    result = json.loads(report.stdout)
    assert result["valid"], json.dumps(result["tasks"], indent=1)[:3000]
    assert {task["name"] for task in result["tasks"]} == {d.name for d in datasets.datasets()}
    assert package == json.loads(stored_bytes(snapshots.DATAPACKAGE)[0])
