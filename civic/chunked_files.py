"""Files kept in the database a chunk at a time (a decision's published files, the open datasets' snapshots),
and how they are downloaded.

A file is written while it is produced and hashed as it goes, so that a file of any size costs one chunk of
memory, and it is read back the same way: a download streams its chunks, a page never reads them. The tables
are the owner's: a file row with ``id``, ``size`` and ``sha256``, and a chunk table with ``file_id``, ``seq``
and ``data``.

Downloads are published files that anybody may reuse: they carry their SHA-256 as ETag (304 to a browser that
has them), may be read by a script of any site (CORS: they hold nothing a cookie would unlock) and set no cookie.
"""
import hashlib
from functools import wraps

from flask import Response, request, stream_with_context
from sqlalchemy import insert, select

from .extensions import db
from .static_files import without_cookie

# About a megabyte a row: few rows for a million ballots (52 MB of CSV), small enough for any driver.
CHUNK_BYTES = 1 << 20
CORS = {"Access-Control-Allow-Origin": "*"}


class ChunkWriter:
    """Writes the bytes of ``file`` (a flushed row of the owner's file table) into ``chunk_model``, as text
    (UTF-8) or bytes in pieces of any size; ``close()`` stores what is left and sets the file's size and
    SHA-256. It is also a binary stream (``write``, ``flush``) for zipfile."""

    def __init__(self, chunk_model, file):
        self.chunk_model, self.file = chunk_model, file
        self._pieces, self._length, self._seq = [], 0, 0
        self._hash, self._size = hashlib.sha256(), 0

    def write(self, data):
        if isinstance(data, str):
            data = data.encode()
        self._pieces.append(data)
        self._length += len(data)
        if self._length >= CHUNK_BYTES:
            self._store()
        return len(data)

    def flush(self):
        """zipfile flushes its stream; the chunks are stored at their size instead."""

    def _store(self):
        data = b"".join(self._pieces)
        self._pieces, self._length = [], 0
        if not data:
            return
        self._hash.update(data)
        self._size += len(data)
        db.session.execute(insert(self.chunk_model), [{"file_id": self.file.id, "seq": self._seq, "data": data}])
        self._seq += 1

    def close(self):
        self._store()
        self.file.size, self.file.sha256 = self._size, self._hash.hexdigest()
        db.session.flush()
        return self.file


def chunks(chunk_model, file_id):
    """The file's bytes, a chunk at a time: one statement, whose rows the driver fetches as they are read."""
    rows = db.session.execute(select(chunk_model.data).where(chunk_model.file_id == file_id)
                              .order_by(chunk_model.seq).execution_options(yield_per=1))
    for (data,) in rows:
        yield data


class ChangedWhileRead(RuntimeError):
    """A file's chunks are not the bytes its row stated: a refresh replaced it between the request's reading of
    the row and the stream of its chunks (which runs after the request committed)."""


def _checked(body, size, sha256):
    """``body``'s chunks, and an error rather than a last one when they were not ``size`` bytes hashing to
    ``sha256``: the server then cuts the connection (or answers 500 before any byte), instead of ending a short
    body or another version under this one's Content-Length and ETag as if it were whole."""
    digest, length = hashlib.sha256(), 0
    for data in body:
        length += len(data)
        if length > size:
            raise ChangedWhileRead(f"more than the {size} bytes stated")
        digest.update(data)
        yield data
    if length != size or digest.hexdigest() != sha256:
        raise ChangedWhileRead(f"{length} bytes, sha256 {digest.hexdigest()}, instead of {size} bytes, {sha256}")


def not_modified(etag):
    """Whether the browser already has the version named ``etag``."""
    return request.if_none_match.contains_weak(etag)


def download(body, etag, media_type, filename=None, size=None, cache="no-cache"):
    """A published file's response: ``body`` (bytes, or an iterable of bytes, streamed), or 304 when the
    browser has the version ``etag`` (its SHA-256); with CORS for any site, and ``filename`` as an attachment.
    A streamed body of a stated ``size`` is checked against it and ``etag`` as it goes."""
    headers = {"ETag": f'"{etag}"', "Cache-Control": cache, **CORS}
    if not_modified(etag):
        return Response(status=304, headers=headers)
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if size is not None:
        headers["Content-Length"] = str(size)
    if not isinstance(body, (bytes, str)):
        body = stream_with_context(body if size is None else _checked(body, size, etag))
    return Response(body, mimetype=media_type, headers=headers)


def stateless(view):
    """The view's responses carry no cookie (civic.static_files.without_cookie): a published file is the same for
    everybody, and a cookie would make caches keep one per visitor."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        without_cookie()
        return view(*args, **kwargs)
    return wrapper


def schema_download(path, media_type="application/schema+json"):
    """A schema kept in the repository (schemas/), as a published file: small, read whole."""
    body = path.read_bytes()
    return download(body, hashlib.sha256(body).hexdigest(), media_type)
