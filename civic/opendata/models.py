"""The stored snapshots of the open data (civic.opendata.snapshots): each dataset's CSV and JSON, the site's
data package and the ZIP of them all, kept a chunk at a time (civic.chunked_files), so that a download
reads what the last refresh wrote instead of building a metropolis's 100 000 proposals per request."""
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db_types import UTCDateTime
from ..extensions import db


class OpenDataFile(db.Model):
    """One stored file: its name is its address under /donnees (``themes.csv``, ``datapackage.json``)."""

    __tablename__ = "opendata_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    dataset: Mapped[str | None] = mapped_column(String(40))  # None for the data package and the ZIP
    media_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    rows: Mapped[int | None] = mapped_column(Integer)  # the dataset's records; None for the others
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When a file of that name was first written, kept by every refresh since (the catalogue's "issued").
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OpenDataChunk(db.Model):
    __tablename__ = "opendata_chunk"

    file_id: Mapped[int] = mapped_column(ForeignKey("opendata_file.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
