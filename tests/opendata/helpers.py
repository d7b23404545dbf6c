"""What the open data tests share: the demo's records (they give every registered dataset rows), refreshed."""
import csv
import io
import json
from urllib.parse import urlsplit

from flask import current_app
from frictionless import Package

from civic.demo import seed
from civic.extensions import db
from civic.identity import forget, save
from civic.opendata import datasets, snapshots
from civic.opendata.files import csv_text, json_text

SIRET = "21310555400017"  # Toulouse's town hall: a SIRET whose check digit holds


def refreshed_demo(app):
    """The demo site, with a SIRET, and its open data written (committed)."""
    with app.test_request_context():
        seed()
        save({"siret": SIRET}, conflict=None)
        db.session.commit()
        forget(app)
        snapshots.refresh()
        db.session.commit()


def stored_bytes(name):
    """A stored snapshot's bytes, and its OpenDataFile."""
    file = snapshots.stored_file(name)
    return b"".join(snapshots.file_chunks(file)), file


def local_path(url):
    """The address a test client asks for an absolute URL of the site (built from PUBLIC_URL)."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == (base.scheme, base.netloc), url
    return parts.path.removeprefix(base.path.rstrip("/")) + (f"?{parts.query}" if parts.query else "")


def dataset_files(dataset, folder):
    """The dataset's CSV and JSON files, written in ``folder`` as they are published."""
    csv_file, json_file = folder / f"{dataset.name}.csv", folder / f"{dataset.name}.json"
    csv_file.write_text("".join(csv_text(dataset)), encoding="utf-8")
    json_file.write_text("".join(json_text(dataset)), encoding="utf-8")
    return csv_file, json_file


def data_package(folder):
    """Every dataset's CSV file, written in ``folder``, as one Frictionless data package (their foreign keys)."""
    resources = []
    for dataset in datasets.datasets():
        csv_file, _json_file = dataset_files(dataset, folder)
        resources.append({"name": dataset.name, "path": csv_file.name, "schema": dataset.schema})
    return Package({"name": "civic", "resources": resources}, basepath=str(folder))


def every_cell():
    """Every cell of every dataset, as its CSV and JSON files write it."""
    cells = []
    for dataset in datasets.datasets():
        cells += [cell for row in csv.reader(io.StringIO("".join(csv_text(dataset)))) for cell in row]
        cells += [json.dumps(value, ensure_ascii=False) for row in json.loads("".join(json_text(dataset)))
                  for value in row.values()]
    return cells
