"""The files of a publication, stored in the database a chunk at a time (models.PublishedFile, through
civic.chunked_files): a ballots file of any size costs one chunk of memory to write and to download."""
from sqlalchemy import and_, bindparam, select

from .. import chunked_files
from ..extensions import db
from .models import PublishedChunk, PublishedFile

BALLOTS_CSV, BALLOTS_PB = "ballots.csv", "ballots.pb"
RESULTS_JSON, RESULTS_CSV, DATAPACKAGE = "results.json", "results.csv", "datapackage.json"
MEDIA_TYPES = {BALLOTS_CSV: "text/csv", BALLOTS_PB: "text/plain", RESULTS_JSON: "application/json",
               RESULTS_CSV: "text/csv", DATAPACKAGE: "application/json"}


class FileWriter(chunked_files.ChunkWriter):
    """A new file of ``decision_id``, written as text in pieces of any size; ``close()`` stores what is left
    and returns the PublishedFile, its size and SHA-256 set."""

    def __init__(self, decision_id, name):
        file = PublishedFile(decision_id=decision_id, name=name, media_type=MEDIA_TYPES[name])
        db.session.add(file)
        db.session.flush()
        super().__init__(PublishedChunk, file)


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
    """The file's bytes, a chunk at a time."""
    return chunked_files.chunks(PublishedChunk, file_id)


def with_text(statement, decision_id, name):
    """``statement`` with the chunks of ``decision_id``'s file ``name`` joined (outer: none when there is no such
    file), their bytes as its last column, in order: a row per chunk, read by ``joined_text``."""
    file = and_(PublishedFile.decision_id == decision_id, PublishedFile.name == name)
    return (statement.add_columns(PublishedChunk.data).outerjoin(PublishedFile, file)
            .outerjoin(PublishedChunk, PublishedChunk.file_id == PublishedFile.id).order_by(PublishedChunk.seq))


def joined_text(data):
    """The text of the chunks' bytes ``data`` (None where none was joined), or None when there is none."""
    data = [chunk for chunk in data if chunk is not None]
    return b"".join(data).decode() if data else None


# Built once, its values bound.
_TEXT = (select(PublishedChunk.data).join(PublishedFile, PublishedFile.id == PublishedChunk.file_id)
         .where(PublishedFile.decision_id == bindparam("decision_id"), PublishedFile.name == bindparam("name"))
         .order_by(PublishedChunk.seq))


def read_text(decision_id, name):
    """A small file's text in one statement, or None (the results page reads its results.json with its decision,
    through ``with_text``)."""
    return joined_text(db.session.execute(_TEXT, {"decision_id": decision_id, "name": name}).scalars())


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
