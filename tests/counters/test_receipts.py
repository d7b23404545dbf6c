"""Receipts of counter contributions: what they print, and what stays of their ballot codes."""
from datetime import timedelta

from civic.counters.models import AssistedSession, ReceiptBallotCode, SessionEnd
from civic.decisions.models import Ballot, Method
from civic.extensions import db
from civic.jobs import run_jobs
from tests.client import Page
from tests.factories import make_theme, make_user
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


def test_a_session_its_agent_never_comes_back_to_is_ended_by_the_clock(client, agent, counter, app):
    """The agent's browser closed: nothing asks for the session again, the clock job ends it and drops its codes."""
    open_session(client, make_user())
    _vote(client, make_decision(Method.YES_NO))
    current = db.session.execute(db.select(AssistedSession)).scalar_one()
    current.last_activity_at -= timedelta(minutes=app.config["ASSISTED_SESSION_FORM_MINUTES"])
    db.session.commit()
    assert run_jobs()[0]["idle assisted sessions ended"] == 0  # a form of it may still be posted
    current.last_activity_at -= timedelta(minutes=app.config["ASSISTED_SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    assert run_jobs()[0]["idle assisted sessions ended"] == 1
    db.session.refresh(current)
    assert current.end_reason is SessionEnd.TIMEOUT
    assert db.session.execute(db.select(ReceiptBallotCode)).scalars().all() == []


def test_a_receipt_prints_an_address_the_same_in_every_language(client, agent, counter):
    open_session(client, make_user())
    theme = make_theme()
    response = client.post_form("/proposals/new", {"title": "Un banc", "body": "Pour attendre le bus.",
                                                   "theme": str(theme.id)})
    receipt = Page(client.get(response.location))
    code = receipt.text(".receipt .follow-up-code")
    printed = receipt.text(".receipt")
    assert f"/c/{code}" in printed and "follow-up" not in printed
    client.post_form("/desk/session/end")
    client.post_form("/logout")
    page = Page(client.get(f"/c/{code}"))
    assert page.text(".support-box h2") == "Proposition saisie" and "Un banc" in page.text(".support-box")
    assert page.value("code") == code


def test_an_invalid_confirmation_link_offers_a_new_confirmation_link(client, ctx):
    response = client.get("/confirm/not-a-token")
    page = Page(response)
    assert response.status_code == 400
    assert page.select("main a[href$='/login']") and page.select("main a[href*='password']") == []
    assert "nouveau lien de confirmation" in page.text("main")
    # A password-reset link, itself invalid, still offers a new one.
    assert Page(client.get("/password/reset/not-a-token")).select("main a[href*='password']")


def test_each_receipt_words_its_follow_up_line_for_what_was_entered_and_names_the_code(client, agent, counter):
    open_session(client, make_user())
    receipt = Page(client.get(_vote(client, make_decision(Method.YES_NO)).location))
    assert receipt.text(".receipt .follow-line").startswith("Suivez ce vote sur ")
    assert "le code de suivi et votre date de naissance y rattachent" in receipt.text(".receipt .receipt-small")
    theme = make_theme()
    response = client.post_form("/proposals/new", {"title": "Un banc", "body": "Pour attendre le bus.",
                                                   "theme": str(theme.id)})
    assert Page(client.get(response.location)).text(".receipt .follow-line").startswith("Suivez cette proposition sur ")
