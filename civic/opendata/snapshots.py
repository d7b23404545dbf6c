"""The datasets' files as stored snapshots: `flask opendata refresh` and a daily
clock job write each dataset's CSV and JSON, then the site's data package and the ZIP of it all, and downloads
read them (civic.chunked_files): a metropolis's 100 000 proposals are serialised once a day, not per request.

A refresh is one transaction: it removes the old files and writes the new ones, and a download, a
statement of its own, sees all of the last refresh or all of the one before, never half of one. Two
refreshes at once take turns (``_take_turn``), and the one that waited then finds the datasets fresh. A refresh
writes every dataset, so that the data package's foreign keys hold between its files.

The ZIP is built here and stored, rather than zipped per download: it then has a size and a SHA-256 like the
other files (shown on the portal, sent as Content-Length and ETag, checked by a re-user), costs no CPU per
download, and holds the very bytes whose sizes and hashes the data package states.
"""
import json
import zipfile
from datetime import timedelta
from itertools import tee, zip_longest

import click
from flask.cli import with_appcontext
from sqlalchemy import Connection, delete, select, text

from .. import site_settings
from ..chunked_files import ChunkWriter, chunks
from ..db_types import utcnow
from ..extensions import db
from ..jobs import job
from ..rows import read_columns
from ..transaction import lock_for_write
from . import datasets as registry
from .datasets import SCHEMAS
from .files import csv_text, json_text
from .models import OpenDataChunk, OpenDataFile
from .package import MEDIA_TYPES, datapackage, file_name, schema_path
from .staleness import REFRESHED_MARK, STALE_SINCE, out_of_date, seen, stamp

DATAPACKAGE, ZIP = "datapackage.json", "civic-donnees.zip"
# Every dataset's stated update frequency (the portal and the DCAT catalogue say it).
FREQUENCY = timedelta(days=1)
LAST_REFRESH = "opendata.last_refresh"


def stored():
    """{name: OpenDataFile} of every stored file (without their bytes): one statement."""
    return {f.name: f for f in db.session.execute(select(OpenDataFile)).scalars()}


# What the portal shows of each stored file: columns rather than objects, some 65 rows a page.
_LISTED = select(OpenDataFile.name, OpenDataFile.dataset, OpenDataFile.size, OpenDataFile.sha256, OpenDataFile.rows,
                 OpenDataFile.generated_at)


def listed():
    """{name: (name, dataset, size, sha256, rows, generated_at)} of every stored file: one statement."""
    return {row.name: row for row in read_columns(_LISTED).all()}


def stored_file(name):
    return db.session.execute(select(OpenDataFile).where(OpenDataFile.name == name)).scalar_one_or_none()


def file_chunks(file):
    return chunks(OpenDataChunk, file.id)


def _replace(name, media_type, now, dataset=None):
    """A writer of the new file ``name``, the old one removed (in the refresh's transaction)."""
    issued = db.session.execute(select(OpenDataFile.issued_at).where(OpenDataFile.name == name)).scalar()
    old = select(OpenDataFile.id).where(OpenDataFile.name == name).scalar_subquery()
    db.session.execute(delete(OpenDataChunk).where(OpenDataChunk.file_id == old))
    db.session.execute(delete(OpenDataFile).where(OpenDataFile.name == name))
    file = OpenDataFile(name=name, dataset=dataset.name if dataset else None, media_type=media_type,
                        generated_at=now, issued_at=issued or now)
    db.session.add(file)
    db.session.flush()
    return ChunkWriter(OpenDataChunk, file)


def _write_dataset(dataset, now):
    """Its CSV and JSON from one reading of its rows: the two files hold the same records."""
    count = [0]

    def counted():
        for row in registry.rows(dataset):
            count[0] += 1
            yield row

    for_csv, for_json = tee(counted())
    writers = {"csv": _replace(file_name(dataset, "csv"), MEDIA_TYPES["csv"], now, dataset),
               "json": _replace(file_name(dataset, "json"), MEDIA_TYPES["json"], now, dataset)}
    # In step, a line of each at a time, so that tee keeps a row or two, never the dataset.
    for csv_line, json_line in zip_longest(csv_text(dataset, for_csv), json_text(dataset, for_json)):
        if csv_line is not None:
            writers["csv"].write(csv_line)
        if json_line is not None:
            writers["json"].write(json_line)
    files = [writer.close() for writer in writers.values()]
    for file in files:
        file.rows = count[0]
    return files


def _zip_info(name, now):
    info = zipfile.ZipInfo(name, date_time=now.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_zip(files, package_text, now):
    """The data package, every dataset's CSV and its schema, as the data package names them."""
    writer = _replace(ZIP, "application/zip", now)
    with zipfile.ZipFile(writer, "w") as archive:
        archive.writestr(_zip_info(DATAPACKAGE, now), package_text)
        for dataset in registry.datasets():
            with archive.open(_zip_info(file_name(dataset, "csv"), now), "w", force_zip64=True) as member:
                for data in file_chunks(files[file_name(dataset, "csv")]):
                    member.write(data)
            archive.writestr(_zip_info(schema_path(dataset), now), (SCHEMAS / f"{dataset.name}.schema.json")
                             .read_bytes())
    return writer.close()


def _due(files, dataset, now):
    file = files.get(file_name(dataset, "csv"))
    return file is None or file.generated_at <= now - FREQUENCY


def _take_turn():
    """One refresh at a time, reading one consistent cut of the records.

    On PostgreSQL the refresh reads in one REPEATABLE READ transaction, so that a proposal hidden while it runs is
    in all of its files or in none (READ COMMITTED would let each batch see newer commits). Its turn is a lock on
    the files' table taken before the first query, which fixes the snapshot: the refresh that waited reads what
    the other committed, and never writes a row changed since its snapshot (no serialization failure). Downloads
    only read the table, which that lock lets them do. On SQLite the write lock makes writers take turns."""
    lock_for_write()
    if db.engine.dialect.name != "postgresql":
        return
    session, bind = db.session(), db.session().get_bind()
    # Unless it works in a transaction already begun (a caller's, a test's): that one has its isolation.
    if not session.in_transaction() and not (isinstance(bind, Connection) and bind.in_transaction()):
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    db.session.execute(text(f"LOCK TABLE {OpenDataFile.__tablename__} IN SHARE ROW EXCLUSIVE MODE"))


def refresh(only_due=False):
    """Write the files of every dataset, then the data package and the ZIP; flushes, the caller commits (alone: on
    PostgreSQL the transaction is the refresh's snapshot). Always all of them, so that the package's foreign keys
    hold between its files. ``only_due``: only when one is older than its update frequency or something was
    withdrawn from the public pages since the last refresh (civic.opendata.staleness). Returns the datasets
    written."""
    _take_turn()
    now = utcnow()
    settings = site_settings.get_many([STALE_SINCE, REFRESHED_MARK])
    files = stored()  # read after taking the turn: a refresh that waited sees what the other wrote
    if only_due and not (out_of_date(settings) or any(_due(files, d, now) for d in registry.datasets())):
        return []
    if not site_settings.put_unless_since(LAST_REFRESH, stamp(now), stamp(now)):
        return []  # a refresh whose clock is ahead committed since: the files are its
    seen(settings)
    for dataset in registry.datasets():
        files.update({f.name: f for f in _write_dataset(dataset, now)})
    package_text = json.dumps(datapackage(registry.datasets(), files, now), ensure_ascii=False, indent=2)
    writer = _replace(DATAPACKAGE, "application/json", now)
    writer.write(package_text)
    writer.close()
    _write_zip(files, package_text, now)
    return registry.datasets()


def last_refresh(files):
    """When the oldest dataset was written (what the portal calls its last update), or None."""
    moments = [f.generated_at for f in files.values() if f.dataset is not None]
    return min(moments) if moments else None


@job("open datasets refreshed", alone=True)
def refresh_when_due():
    """For every site, with or without a timer: every dataset once a day, or within minutes of something being
    withdrawn from the pages. In a transaction of its own (run_jobs commits it after the other jobs'): serialising
    every dataset neither holds their locks nor undoes their work when it fails. It runs every minute: when
    nothing is due it writes nothing."""
    return len(refresh(only_due=True))


@click.group("opendata")
def opendata_command():
    """The open data's stored files."""


@opendata_command.command("refresh")
@with_appcontext
def refresh_command():
    """Write the files of every dataset, the data package and the ZIP, in one transaction."""
    refresh()
    db.session.commit()
    for file in sorted(stored().values(), key=lambda f: f.name):
        click.echo(f"{file.name}: {file.size} bytes, sha256 {file.sha256}"
                       + (f", {file.rows} rows" if file.rows is not None else ""))

