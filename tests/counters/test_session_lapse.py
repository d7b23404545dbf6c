"""A session that ends while the agent types loses nothing (issue 12, item 2).

Every form an agent fills for the resident posts back a token signed with the time its page was
made: posted within ASSISTED_SESSION_FORM_MINUTES, it finds its session open however long the
dictation took; later, or once the session has ended, the page shows what was typed and reopens
the session for the same resident in one step (identity and consent asked again).
"""
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from civic.counters import sessions
from civic.counters.models import AssistedSession, SessionEnd
from civic.decisions.models import Method, Participation
from civic.extensions import db
from civic.proposals.models import Proposal, Support
from tests.client import Page, form_data
from tests.factories import make_proposal, make_theme, make_user
from tests.counters.helpers import open_session
from tests.decisions.helpers import make_decision

TITLE, BODY = "Un abri à vélos", "Dicté lentement, mot à mot, pendant plus d’un quart d’heure."


def post_page_form(client, page, selector, **changes):
    form = page.select_one(selector)
    data = {**form_data(form), **{k: [v] for k, v in changes.items()}}
    action = form.get("action") or urlsplit(page.response.request.url).path
    return client.post(action, data=data)


def _current():
    return db.session.execute(db.select(AssistedSession).order_by(AssistedSession.id.desc())).scalars().first()


def _idle(minutes):
    session = _current()
    session.last_activity_at -= timedelta(minutes=minutes)
    db.session.commit()


@pytest.fixture
def page_made(monkeypatch, app):
    """Makes the form tokens of the next pages as if their pages were loaded ``minutes`` ago."""
    made_now = sessions._form_tokens

    def made(minutes):
        class Earlier(TimestampSigner):
            def get_timestamp(self):
                return int(time.time() - minutes * 60)

        monkeypatch.setattr(sessions, "_form_tokens", lambda: URLSafeTimedSerializer(
            app.config["SECRET_KEY"], salt="civic-assisted-form", signer=Earlier) if minutes else made_now())
    return made


def _proposal_page(client, page_made, minutes_ago):
    page_made(minutes_ago)
    page = Page(client.get("/desk/session"))
    page_made(0)
    return page


def _typed(client, page):
    theme = page.select_one("#theme option[value]:not([value=''])")["value"]
    return post_page_form(client, page, "form[action$='/proposals/new']", title=TITLE, body=BODY, theme=theme)


def test_a_long_dictation_keeps_its_session(client, agent, counter):
    make_theme()
    resident = make_user()
    open_session(client, resident)
    page = Page(client.get("/desk/session"))
    _idle(40)  # longer than the idle limit, within the form's
    response = _typed(client, page)
    assert response.status_code == 302 and "/desk/receipts/" in response.location
    proposal = db.session.execute(db.select(Proposal)).scalar_one()
    assert (proposal.title, proposal.author_id) == (TITLE, resident.id)
    assert _current().ended_at is None


def test_a_form_past_its_window_shows_what_was_typed_and_reopens_in_one_step(client, agent, counter, page_made, app):
    make_theme()
    resident = make_user()
    open_session(client, resident)
    first = _current()
    page = _proposal_page(client, page_made, app.config["ASSISTED_SESSION_FORM_MINUTES"] + 1)
    _idle(app.config["ASSISTED_SESSION_FORM_MINUTES"] + 1)

    lapsed = Page(_typed(client, page))
    assert lapsed.status == 200 and lapsed.h1 == "La session accompagnée a pris fin"
    assert "après 15 minutes sans activité" in lapsed.text("main .lapsed") and "Rien n’a été enregistré" in lapsed.text("main .lapsed")
    assert (lapsed.value("title"), lapsed.value("body")) == (TITLE, BODY)
    assert db.session.execute(db.select(Proposal)).scalar() is None
    db.session.refresh(first)
    assert first.end_reason is SessionEnd.TIMEOUT

    # Consent missing: asked again, what was typed still there.
    again = Page(post_page_form(client, lapsed, "main form", **{"reopen-identity_check": "document"}))
    assert again.title.startswith("Erreur : ") and again.field_error("reopen-consent")
    assert again.value("body") == BODY and db.session.execute(db.select(Proposal)).scalar() is None

    sent = post_page_form(client, again, "main form", **{"reopen-identity_check": "document", "reopen-consent": "y",
                                                         "title": TITLE + " couvert"})
    assert sent.status_code == 302 and "/desk/receipts/" in sent.location
    proposal = db.session.execute(db.select(Proposal)).scalar_one()
    assert (proposal.title, proposal.body, proposal.author_id) == (TITLE + " couvert", BODY, resident.id)
    reopened = _current()
    assert reopened.id != first.id and reopened.ended_at is None
    assert (reopened.resident_id, reopened.counter_id) == (resident.id, counter.id)


def test_a_session_ended_by_the_agent_offers_the_same(client, agent, counter):
    proposal = make_proposal()
    resident = make_user()
    open_session(client, resident)
    page = Page(client.get(f"/proposals/{proposal.id}"))
    client.post_form("/desk/session/end")  # in another tab
    lapsed = Page(post_page_form(client, page, "form[action$='/support']"))
    assert lapsed.h1 == "La session accompagnée a pris fin" and db.session.execute(db.select(Support)).scalar() is None
    sent = post_page_form(client, lapsed, "main form", **{"reopen-identity_check": "document", "reopen-consent": "y"})
    assert "/desk/receipts/" in sent.location
    assert db.session.execute(db.select(Support.user_id)).scalar_one() == resident.id


def test_a_vote_confirmed_after_the_end_is_kept(client, agent, counter, page_made, app):
    decision = make_decision(Method.YES_NO)
    resident = make_user()
    open_session(client, resident)
    page_made(app.config["ASSISTED_SESSION_FORM_MINUTES"] + 5)
    check = Page(client.post_form(f"/decisions/{decision.id}/vote", {"vote": "no"}))
    page_made(0)
    _idle(app.config["ASSISTED_SESSION_FORM_MINUTES"] + 5)
    lapsed = Page(post_page_form(client, check, "form[action$='/vote/confirm']"))
    assert lapsed.h1 == "La session accompagnée a pris fin"
    assert db.session.execute(db.select(Participation)).scalar() is None
    sent = post_page_form(client, lapsed, "main form", **{"reopen-identity_check": "document", "reopen-consent": "y"})
    assert "/desk/receipts/" in sent.location
    assert db.session.execute(db.select(Participation.user_id)).scalar_one() == resident.id


def test_a_form_of_an_earlier_session_is_not_entered_for_the_next_resident(client, agent, counter):
    make_theme()
    first, second = make_user(name="Jeanne"), make_user(name="Paul")
    first.full_name, second.full_name = "Jeanne Martin", "Paul Durand"
    db.session.commit()
    open_session(client, first)
    page = Page(client.get("/desk/session"))
    client.post_form("/desk/session/end")
    client.get("/desk")
    open_session(client, second)
    lapsed = Page(_typed(client, page))
    assert "La session ouverte maintenant est celle de Paul Durand" in lapsed.text("main .lapsed")
    assert lapsed.value("title") == TITLE and not lapsed.select("main form button")
    assert db.session.execute(db.select(Proposal)).scalar() is None
    assert _current().resident_id == second.id and _current().ended_at is None


def test_a_token_extends_nothing_beyond_its_own_window_nor_for_another_agent(client, agent, counter, page_made, app):
    make_theme()
    open_session(client, make_user())
    page = _proposal_page(client, page_made, app.config["ASSISTED_SESSION_FORM_MINUTES"] + 1)
    _idle(16)
    # Made before the window, the token does not keep the session open even though it is signed.
    assert Page(_typed(client, page)).h1 == "La session accompagnée a pris fin"
    assert _current().end_reason is SessionEnd.TIMEOUT

    # A token altered to look younger, or another agent's, is no token: a plain refusal, nothing kept.
    open_session(client, make_user())
    fresh = Page(client.get("/desk/session"))
    _idle(16)
    token = fresh.value("assisted_form")
    forged = post_page_form(client, fresh, "form[action$='/proposals/new']", assisted_form=token[:-2] + "xx",
                            title=TITLE, body=BODY)
    assert forged.status_code == 403 and db.session.execute(db.select(Proposal)).scalar() is None


def test_only_a_form_typed_in_keeps_an_idle_session_open(client, agent, counter, app):
    """A one-click form (a support) takes no dictation: its token does not revive a session left idle, or anyone
    walking up to the desk could act for its resident for an hour. It is shown again, the session reopened there."""
    proposal = make_proposal()
    open_session(client, make_user())
    page = Page(client.get(f"/proposals/{proposal.id}"))
    _idle(app.config["ASSISTED_SESSION_IDLE_MINUTES"] + 1)
    lapsed = Page(post_page_form(client, page, f"form[action='/proposals/{proposal.id}/support']"))
    assert lapsed.h1 == "La session accompagnée a pris fin"
    assert db.session.execute(db.select(Support)).scalar() is None and _current().end_reason is SessionEnd.TIMEOUT


def test_a_token_older_than_any_form_window_names_no_session(client, agent, counter, page_made, app):
    """Past the idle limit and the form's window, a form is a plain refusal: an old form of another day offers no
    reopening of its resident's session (which would skip the desk's limited search)."""
    make_theme()
    open_session(client, make_user())
    limits = app.config["ASSISTED_SESSION_IDLE_MINUTES"] + app.config["ASSISTED_SESSION_FORM_MINUTES"]
    page = _proposal_page(client, page_made, limits + 1)
    client.post_form("/desk/session/end")
    response = _typed(client, page)
    assert response.status_code == 403 and db.session.execute(db.select(Proposal)).scalar() is None


def test_a_form_of_an_earlier_session_of_the_same_resident_is_entered(client, agent, counter):
    """Reopened from the desk for the same person (identity and consent asked there), the form goes through."""
    make_theme()
    resident = make_user()
    open_session(client, resident)
    page = Page(client.get("/desk/session"))
    client.post_form("/desk/session/end")
    client.get("/desk")
    open_session(client, resident)
    response = _typed(client, page)
    assert "/desk/receipts/" in response.location
    assert db.session.execute(db.select(Proposal.author_id)).scalar_one() == resident.id


def test_a_one_minute_limit_is_said_in_the_singular_and_the_identity_check_is_chosen_again(
        client, agent, counter, page_made, app, monkeypatch):
    monkeypatch.setitem(app.config, "ASSISTED_SESSION_IDLE_MINUTES", 1)
    monkeypatch.setitem(app.config, "ASSISTED_SESSION_FORM_MINUTES", 1)
    make_theme()
    open_session(client, make_user(), identity="personally_known")
    session_page = Page(client.get("/desk/session"))
    assert "après 1 minute sans activité" in session_page.text("main")
    assert "ouverte 1 minute après" in session_page.text("main")

    # Half-way through the token's two minutes (idle limit plus form window), whatever the machine's load.
    page = _proposal_page(client, page_made, 1.5)
    _idle(2)
    lapsed = Page(_typed(client, page))
    assert "après 1 minute sans activité" in lapsed.text("main .lapsed")
    # The way the identity was checked a moment ago is chosen; the consent is asked again.
    assert [radio["value"] for radio in lapsed.select('input[name="reopen-identity_check"][checked]')] == [
        "personally_known"]
    assert lapsed.select('input[name="reopen-consent"][checked]') == []
