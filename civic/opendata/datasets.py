"""The datasets, registered by the package that owns their records (``civic.<package>.opendata``).

A dataset is a query of the public records, in the order of their primary key, and a serialiser that turns a
batch of them into rows: dicts whose keys are its Table Schema's fields, in the same order. The files
(CSV and JSON), the data package and the API (``/api/v1``) all read the rows through ``batches``: one
serialiser for one record, whatever asks for it. A serialiser takes a whole batch so that what the rows need
beyond the records (counts, names of related things) is loaded once per batch, never once per record.

What a dataset publishes is what anybody may read on the pages: its query keeps only the records the pages
show to an anonymous visitor, asking the same rules (civic.access) or the same conditions as the
public lists. No dataset holds personal data (a test reads every column of every dataset).
"""
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, NamedTuple

from ..extensions import db
from ..registry import Registry

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
BATCH = 1000


@dataclass(frozen=True, eq=False)
class Dataset:
    name: str  # its files' name, its API path, and its schema: schemas/<name>.schema.json
    title: object  # translatable (lazy) strings, for the portal
    description: object
    query: Callable  # () -> Select of the public records, one entity
    key: object  # the records' unique ordering column (the primary key), for batches and API cursors
    serialise: Callable  # (list of records) -> list of dicts, the schema's fields in its order
    # Also served by the API, a page of objects at a time: the datasets whose records are rows. The long tables of
    # measures (results, ballots, weekly figures), where one record gives several rows, are files only.
    api: bool = True
    order: int = field(default=100)  # its place in the portal's list
    # What takes a record out of what the public sees, or changes it, between two daily refreshes: attributes
    # (a change of one, in a flush or an UPDATE statement) and models (a deletion of one of their rows). Such a
    # change marks the stored files out of date, and the clock job refreshes them within minutes
    # (civic.opendata.staleness). Only rare events: a support, a ballot or a comment being added wait for the day.
    withdrawn_by: tuple = ()

    @cached_property
    def schema(self):
        return json.loads((SCHEMAS / f"{self.name}.schema.json").read_text(encoding="utf-8"))

    @property
    def fields(self):
        return [f["name"] for f in self.schema["fields"]]


_datasets = Registry("open dataset")


def register(dataset):
    return _datasets.add(dataset.name, dataset)


def datasets():
    """Every registered dataset, in the portal's order."""
    return sorted(_datasets.values(), key=lambda d: (d.order, d.name))


def get(name):
    return _datasets.get(name)


class Page(NamedTuple):
    rows: list  # the serialised rows of the page's records
    after: object  # the key of its last record when more may follow, else None


def page(dataset, after=None, limit=BATCH):
    """The rows of up to ``limit`` records whose key is past ``after`` (None: from the first)."""
    statement = dataset.query()
    if after is not None:
        statement = statement.where(dataset.key > after)
    records = db.session.execute(statement.order_by(dataset.key).limit(limit)).scalars().all()
    last = getattr(records[-1], dataset.key.key) if len(records) == limit else None
    return Page(dataset.serialise(records) if records else [], last)


def rows(dataset, batch=BATCH):
    """Every row of the dataset, a batch of records at a time (keyset, so that a deep batch costs a shallow one)."""
    after = None
    while True:
        chunk = page(dataset, after, batch)
        yield from chunk.rows
        if chunk.after is None:
            return
        after = chunk.after


def row(dataset, key):
    """The row of the record whose key is ``key``, or None when no public record has it (or it makes several rows)."""
    records = db.session.execute(dataset.query().where(dataset.key == key)).scalars().all()
    found = dataset.serialise(records) if records else []
    return found[0] if len(found) == 1 else None
