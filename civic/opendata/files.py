"""A dataset's rows written as files: CSV (UTF-8 with a byte order mark, so that spreadsheets read the accents;
cells that a spreadsheet would run as a formula are quoted) and JSON (an array of objects), both streamed."""
import csv
import datetime
import json

from .datasets import rows

# A cell starting with one of these would be run as a formula by spreadsheet software (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """The text of a CSV cell: booleans as Table Schema's true/false, dates in ISO 8601, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, list):  # a Table Schema array: its JSON text, as Frictionless reads it in a CSV cell
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def _json_value(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


class _Line:
    """csv.writer's file: hands each line back instead of keeping it."""

    def write(self, line):
        self.line = line


def csv_text(dataset, records=None):
    """The CSV file, a line at a time: the header (the schema's field names), then a line per row."""
    out = _Line()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(dataset.fields)
    yield "\ufeff" + out.line
    for row in rows(dataset) if records is None else records:
        writer.writerow([csv_cell(row[name]) for name in dataset.fields])
        yield out.line


def json_text(dataset, records=None):
    """The JSON file, a row at a time: an array of objects keyed by the schema's field names."""
    first = True
    yield "["
    for row in rows(dataset) if records is None else records:
        yield ("\n" if first else ",\n") + json.dumps({k: _json_value(row[k]) for k in dataset.fields},
                                                       ensure_ascii=False)
        first = False
    yield "\n]\n"
