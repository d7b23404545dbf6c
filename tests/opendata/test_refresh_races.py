"""Refreshes meeting other work for real, in threads with connections of their own: two refreshes take turns,
and on PostgreSQL a refresh reads one cut of the records however long it runs."""
import hashlib
import threading

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from civic.extensions import db
from civic.jobs import run_jobs
from civic.opendata import datasets, snapshots
from civic.opendata.models import OpenDataFile
from civic.proposals.models import Proposal, ProposalState
from tests.factories import make_comment, make_proposal

# Its work leaves the test's connection (other processes, threads or apps): see conftest.py.
pytestmark = pytest.mark.real_commits

REFRESHED = "open datasets refreshed"


def _text(name):
    return b"".join(snapshots.file_chunks(snapshots.stored_file(name))).decode()


def test_two_refreshes_at_once_take_turns(app, ctx, monkeypatch):
    make_comment(make_proposal(title="Des bancs place du marché"), body="Bonne idée.")
    db.session.commit()
    written, barrier, failures = [], threading.Barrier(2), []
    write_dataset = snapshots._write_dataset

    def recorded(dataset, now):
        written.append(threading.current_thread().name)
        return write_dataset(dataset, now)

    def refresh():
        with app.app_context():
            barrier.wait()
            try:
                snapshots.refresh()
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the test reports it
                failures.append(error)
            finally:
                db.session.remove()

    monkeypatch.setattr(snapshots, "_write_dataset", recorded)
    threads = [threading.Thread(target=refresh, name=name) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    db.session.commit()  # the test's session reads what the threads committed
    assert failures == []
    per_refresh = len(datasets.datasets())
    # One whole refresh, then the other: never a dataset of each in turn.
    assert written[:per_refresh] == [written[0]] * per_refresh and len(set(written[per_refresh:])) <= 1
    files = snapshots.stored()
    assert db.session.execute(select(func.count()).select_from(OpenDataFile)).scalar_one() == len(files)
    for file in files.values():
        assert hashlib.sha256(b"".join(snapshots.file_chunks(file))).hexdigest() == file.sha256


def test_a_proposal_hidden_while_a_refresh_runs_is_in_all_its_files_or_none(app, ctx, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("on SQLite the refresh holds the write lock: nothing can be hidden while it runs")
    proposal = make_proposal(title="Des bancs place du marché")
    make_comment(proposal, body="Un commentaire de cette proposition.")
    db.session.commit()
    write_dataset = snapshots._write_dataset

    def hidden_meanwhile(dataset, now):
        files = write_dataset(dataset, now)
        if dataset.name == "proposals":  # before the comments are read
            with Session(db.engine) as moderator:
                moderator.execute(update(Proposal).where(Proposal.id == proposal.id).values(state=ProposalState.HIDDEN))
                moderator.commit()
        return files

    monkeypatch.setattr(snapshots, "_write_dataset", hidden_meanwhile)
    assert run_jobs()[0][REFRESHED] == len(datasets.datasets())
    db.session.commit()
    # READ COMMITTED would have left comments.csv a comment whose proposal proposals.csv does not hold.
    assert "Des bancs place du marché" in _text("proposals.csv")
    assert "Un commentaire de cette proposition." in _text("comments.csv")
    monkeypatch.setattr(snapshots, "_write_dataset", write_dataset)
    # The hiding committed after the refresh's snapshot: its mark was not seen, the next run refreshes.
    assert run_jobs()[0][REFRESHED] == len(datasets.datasets())
    db.session.commit()
    assert "Des bancs place du marché" not in _text("proposals.csv")
    assert "Un commentaire de cette proposition." not in _text("comments.csv")
