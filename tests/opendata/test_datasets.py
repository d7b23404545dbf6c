"""Every dataset's files validate with the real Frictionless validator against the schema kept in schemas/."""
import json

import pytest
from frictionless import Resource, Schema, validate

from civic.opendata import datasets
from civic.opendata.files import csv_text, json_text
from tests.factories import make_theme


@pytest.fixture
def some_records(ctx):
    make_theme(name="=Voirie", name_en="Roads")
    make_theme(name="Écoles", active=False)


def _report(path, dataset):
    return validate(Resource(path=path.name, basepath=str(path.parent), schema=Schema.from_descriptor(dataset.schema)))


@pytest.mark.parametrize("name", ["themes"])
def test_every_dataset_validates_as_csv_and_json(name, some_records, tmp_path):
    dataset = datasets.get(name)
    csv_file, json_file = tmp_path / f"{name}.csv", tmp_path / f"{name}.json"
    csv_file.write_text("".join(csv_text(dataset)), encoding="utf-8")
    json_file.write_text("".join(json_text(dataset)), encoding="utf-8")
    for path in (csv_file, json_file):
        report = _report(path, dataset)
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert json.loads(json_file.read_text())[0].keys() == set(dataset.fields)


def test_every_dataset_has_its_schema_and_its_fields():
    for dataset in datasets.datasets():
        assert dataset.fields, dataset.name
