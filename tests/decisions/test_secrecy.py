"""Ballot secrecy against someone who reads the database, and ballots racing publication."""
import json
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import text

from civic.accounts.models import Role
from civic.db_types import utcnow
from civic.decisions import services
from civic.decisions.models import Ballot, Method, Participation
from civic.domain import DomainError
from civic.extensions import db
from tests.factories import make_user
from tests.decisions.helpers import close, make_decision, published_results

# Its work leaves the test's connection (other processes, threads or apps): see conftest.py.
pytestmark = pytest.mark.real_commits


def _postgresql_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row versions (xmin) exist on PostgreSQL: the PostgreSQL run of make test checks them")


def _ballot_pairs(decision):
    return Counter(db.session.execute(
        db.select(Ballot.tracking_code, Ballot.content).where(Ballot.decision_id == decision.id)).all())


def test_mixing_keeps_every_ballot_exactly_once(ctx):
    decision = make_decision(Method.APPROVAL)
    ids = [o.id for o in decision.options]
    cast = Counter()
    for n in range(25):
        content = {"options": ids[: n % 4]}
        code = services.cast_ballot(make_user(), decision, content)
        db.session.commit()
        cast[(code, json.dumps(content, sort_keys=True, separators=(",", ":")))] += 1
    assert _ballot_pairs(decision) == cast
    other = make_decision(Method.YES_NO)
    services.cast_ballot(make_user(), other, {"vote": "yes"})
    db.session.commit()
    # Mixing never touches another decision's ballots.
    assert _ballot_pairs(decision) == cast and len(_ballot_pairs(other)) == 1


def test_xmin_join_hides_each_voter_among_at_least_ten(ctx):
    _postgresql_only()
    decision = make_decision(Method.YES_NO)
    for n in range(15):
        services.cast_ballot(make_user(), decision, {"vote": "yes" if n % 2 else "no"})
        db.session.commit()
        # The transaction that wrote this participation wrote min(10, ballots so far) ballots.
        linked = db.session.execute(text(
            "SELECT count(*) FROM participation p JOIN ballot b ON b.xmin = p.xmin "
            "WHERE p.decision_id = :d AND p.id = (SELECT max(id) FROM participation WHERE decision_id = :d)"),
            {"d": decision.id}).scalar_one()
        assert linked == min(services.MIX_SIZE + 1, n + 1)


def test_after_publication_no_ballot_shares_a_transaction_with_a_participation(ctx):
    _postgresql_only()
    decision = make_decision(Method.YES_NO)
    for _ in range(12):
        services.cast_ballot(make_user(), decision, {"vote": "yes"})
        db.session.commit()
    close(decision)
    services.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.commit()
    linked = db.session.execute(text(
        "SELECT count(*) FROM participation p JOIN ballot b ON b.xmin = p.xmin WHERE p.decision_id = :d"),
        {"d": decision.id}).scalar_one()
    assert linked == 0
    transactions = db.session.execute(text("SELECT count(DISTINCT xmin::text) FROM ballot WHERE decision_id = :d"),
                                      {"d": decision.id}).scalar_one()
    assert transactions == 1
    assert db.session.execute(db.select(db.func.count(Ballot.id))).scalar_one() == 12


def test_a_ballot_being_cast_at_closing_time_is_counted_or_refused(app, ctx):
    """The ballot's transaction is still open when publication starts: publication waits for it."""
    _postgresql_only()
    decision = make_decision(Method.YES_NO)
    decision.closes_at = utcnow() + timedelta(seconds=2)
    db.session.commit()
    decision_id, voter_id, official_id = decision.id, make_user().id, make_user(role=Role.ELECTED).id
    cast, published = threading.Event(), threading.Event()
    errors = []

    def voter():
        try:
            with app.app_context():
                from civic.accounts.models import User
                from civic.decisions.models import Decision

                services.cast_ballot(db.session.get(User, voter_id), db.session.get(Decision, decision_id),
                                     {"vote": "yes"})
                cast.set()
                time.sleep(3.5)  # the vote closes and publication starts while this is uncommitted
                db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
            cast.set()

    def official():
        try:
            with app.app_context():
                from civic.accounts.models import User
                from civic.decisions.models import Decision

                services.publish_results(db.session.get(Decision, decision_id), db.session.get(User, official_id))
                db.session.commit()
                published.set()
                db.session.remove()
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    first = threading.Thread(target=voter)
    first.start()
    assert cast.wait(10)
    while utcnow() < decision.closes_at:
        time.sleep(0.1)
    second = threading.Thread(target=official)
    second.start()
    time.sleep(0.5)
    assert not published.is_set(), "publication must wait for the ballot being cast"
    first.join(15)
    second.join(15)
    assert errors == []
    db.session.expire_all()
    results = published_results(decision)
    assert results["ballots"] == 1 and results["count"]["yes"] == 1


def test_a_ballot_checked_before_publication_but_written_after_is_refused(app, ctx, monkeypatch):
    decision = make_decision(Method.YES_NO)
    close(decision)
    services.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.commit()
    # As if the first check had run just before publication: the casting transaction reads it again.
    monkeypatch.setattr(services, "check", lambda user, action, obj=None, field=None: None)
    with app.test_request_context(), pytest.raises(DomainError):
        services.cast_ballot(make_user(), decision, {"vote": "yes"})
    db.session.commit()
    assert db.session.execute(db.select(db.func.count(Participation.id))).scalar_one() == 0
