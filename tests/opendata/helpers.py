"""What the open data tests share: the demo's records (they give every registered dataset rows), refreshed."""
from urllib.parse import urlsplit

from flask import current_app

from civic.demo import seed
from civic.extensions import db
from civic.identity import forget, save
from civic.opendata import snapshots

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
