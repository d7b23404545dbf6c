"""The files of a publication, stored in the database a chunk at a time (models.PublishedFile).

A file is written while it is produced and hashed as it goes, so that a ballots file of any
size costs one chunk of memory, and it is read back the same way: a download streams its
chunks, a page never reads them.
"""
import hashlib

from sqlalchemy import insert, select

from ..extensions import db
from .models import PublishedChunk, PublishedFile

BALLOTS_CSV, BALLOTS_PB = "ballots.csv", "ballots.pb"
RESULTS_JSON, RESULTS_CSV, DATAPACKAGE = "results.json", "results.csv", "datapackage.json"
MEDIA_TYPES = {BALLOTS_CSV: "text/csv", BALLOTS_PB: "text/plain", RESULTS_JSON: "application/json",
               RESULTS_CSV: "text/csv", DATAPACKAGE: "application/json"}
# About a megabyte a row: few rows for a million ballots (52 MB of CSV), small enough for any driver.
CHUNK_CHARACTERS = 1 << 20


class FileWriter:
    """A new file of ``decision_id``, written as text (UTF-8) in pieces of any size; ``close()`` stores
    what is left and returns the PublishedFile, its size and SHA-256 set."""

    def __init__(self, decision_id, name):
        self.file = PublishedFile(decision_id=decision_id, name=name, media_type=MEDIA_TYPES[name])
        db.session.add(self.file)
        db.session.flush()
        self._pieces, self._length, self._seq = [], 0, 0
        self._hash, self._size = hashlib.sha256(), 0

    def write(self, text):
        self._pieces.append(text)
        self._length += len(text)
        if self._length >= CHUNK_CHARACTERS:
            self._store()

    def _store(self):
        data = "".join(self._pieces).encode()
        self._pieces, self._length = [], 0
        if not data:
            return
        self._hash.update(data)
        self._size += len(data)
        db.session.execute(insert(PublishedChunk), [{"file_id": self.file.id, "seq": self._seq, "data": data}])
        self._seq += 1

    def close(self):
        self._store()
        self.file.size, self.file.sha256 = self._size, self._hash.hexdigest()
        db.session.flush()
        return self.file


def store(decision_id, name, text):
    """A whole file at once (the small ones: results, datapackage.json)."""
    writer = FileWriter(decision_id, name)
    writer.write(text)
    return writer.close()


def stored(decision_id, name):
    """The PublishedFile (without its bytes), or None."""
    return db.session.execute(select(PublishedFile).where(PublishedFile.decision_id == decision_id,
                                                          PublishedFile.name == name)).scalar_one_or_none()


def stored_files(decision_id):
    """{name: PublishedFile} of a decision (without their bytes)."""
    return {f.name: f for f in db.session.execute(
        select(PublishedFile).where(PublishedFile.decision_id == decision_id)).scalars()}


def chunks(file_id):
    """The file's bytes, a chunk at a time: one statement, whose rows the driver fetches as they are read."""
    rows = db.session.execute(select(PublishedChunk.data).where(PublishedChunk.file_id == file_id)
                              .order_by(PublishedChunk.seq).execution_options(yield_per=1))
    for (data,) in rows:
        yield data


def read_text(decision_id, name):
    """A small file's text in one statement (results.json for the results page), or None."""
    data = db.session.execute(
        select(PublishedChunk.data).join(PublishedFile, PublishedFile.id == PublishedChunk.file_id)
        .where(PublishedFile.decision_id == decision_id, PublishedFile.name == name)
        .order_by(PublishedChunk.seq)).scalars().all()
    return b"".join(data).decode() if data else None


def read_texts(decision_ids, name):
    """{decision id: text} of a small file of each of these decisions that has it, in one statement (the open
    data reads a batch of decisions' results.json at once)."""
    texts = {}
    for decision_id, data in db.session.execute(
            select(PublishedFile.decision_id, PublishedChunk.data)
            .join(PublishedChunk, PublishedChunk.file_id == PublishedFile.id)
            .where(PublishedFile.decision_id.in_(set(decision_ids)), PublishedFile.name == name)
            .order_by(PublishedFile.decision_id, PublishedChunk.seq)):
        texts.setdefault(decision_id, []).append(data)
    return {decision_id: b"".join(chunks).decode() for decision_id, chunks in texts.items()}
