"""Receipts of counter contributions: what they print, and what stays of their ballot codes."""
from datetime import timedelta

from civic.counters.models import AssistedSession, ReceiptBallotCode
from civic.decisions.models import Ballot, Method
from civic.extensions import db
from tests.client import Page
from tests.factories import make_user
from tests.counters.helpers import open_session
from tests.decisions.helpers import make_decision


def _vote(client, decision, choice="no"):
    form = {"vote": choice}
    client.post_form(f"/decisions/{decision.id}/vote", form)
    return client.post_form(f"/decisions/{decision.id}/vote/confirm", form)


def _cookie_text(client):
    with client.session_transaction() as cookie:
        return repr(dict(cookie))


def test_a_ballot_code_stays_on_the_server_and_goes_with_the_session(client, agent, counter):
    open_session(client, make_user())
    receipt_url = _vote(client, make_decision(Method.YES_NO)).location
    code = db.session.execute(db.select(Ballot.tracking_code)).scalar_one()
    assert Page(client.get(receipt_url)).text(".receipt .tracking-code") == code
    assert code not in _cookie_text(client)
    assert db.session.execute(db.select(ReceiptBallotCode.code)).scalars().all() == [code]

    client.post_form("/desk/session/end")
    assert db.session.execute(db.select(ReceiptBallotCode)).scalars().all() == []
    assert Page(client.get(receipt_url)).select(".receipt .tracking-code") == []


def test_a_session_ended_while_idle_drops_its_ballot_codes(client, agent, counter, app):
    open_session(client, make_user())
    _vote(client, make_decision(Method.YES_NO))
    current = db.session.execute(db.select(AssistedSession)).scalar_one()
    current.last_activity_at -= timedelta(minutes=app.config["ASSISTED_SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    client.get("/desk")
    assert current.ended_at is not None
    assert db.session.execute(db.select(ReceiptBallotCode)).scalars().all() == []
