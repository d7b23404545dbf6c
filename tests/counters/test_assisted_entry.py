"""Assisted entry at counters: the desk, sessions, entries on the resident's behalf, receipts, the audit log."""
import json
import re
from datetime import date, timedelta

import pytest

from civic.accounts.models import Role, User
from civic.counters import audit, residents, sessions
from civic.counters.attach import attach_contributions
from civic.counters.models import (AssistedAction, AssistedActionKind, AssistedSession, Channel, Counter,
                                   CounterAssignment, IdentityCheck, SessionEnd)
from civic.decisions import services as decisions
from civic.decisions.models import Ballot, Method, Participation
from civic.extensions import db
from civic.proposals.models import Comment, Proposal, Support
from civic.counters.statistics import weekly_statistics
from civic.staff_log import StaffLogEntry
from civic.targets import TargetType
from tests.client import Page, text_of
from tests.factories import login, make_proposal, make_theme, make_user
from tests.counters.helpers import follow_up_code, listed, make_counter, open_session, ticket
from tests.decisions.helpers import make_decision


def _audit(kind=None):
    statement = db.select(AssistedAction).order_by(AssistedAction.id)
    if kind:
        statement = statement.where(AssistedAction.kind == kind)
    return db.session.execute(statement).scalars().all()


def test_residents_and_other_staff_cannot_use_the_desk(client, ctx):
    make_counter()
    for role in (Role.RESIDENT, Role.MODERATOR, Role.ELECTED, Role.ADMIN):
        login(client, make_user(role=role))
        for url in ("/desk", "/desk/session", "/desk/residents/new"):
            assert client.get(url).status_code == 403, (role, url)
        assert client.post_form("/desk/sessions", {"resident": "1"}).status_code == 403
        client.post_form("/logout")


def test_agent_lands_on_the_desk_and_one_counter_is_chosen_for_them(client, ctx):
    agent = make_user(role=Role.COUNTER_AGENT)
    make_counter(agent, name="Guichet unique")
    response = login(client, agent)
    assert response.location.endswith("/desk")
    assert "Guichet unique" in Page(client.get("/desk")).text("main .lead")


def test_an_agent_cannot_work_at_a_counter_they_are_not_assigned_to(client, agent, counter):
    other = make_counter(name="Guichet d'un collègue")
    second = make_counter(agent, name="Deuxième guichet")
    response = client.post_form("/desk/counter", {"counter": str(other.id)})
    assert response.status_code == 302
    page = Page(client.get("/desk"))
    assert any("pas affecté" in notice for notice in page.notices)
    # Forcing the other counter into the session does not help: the session cannot open there.
    with client.session_transaction() as flask_session:
        flask_session["counter_id"] = other.id
    resident = make_user()
    response = open_session(client, resident)
    assert response.status_code == 200
    assert db.session.execute(db.select(AssistedSession)).scalar() is None
    assert client.post_form("/desk/counter", {"counter": str(second.id)}).status_code == 302
    assert "Deuxième guichet" in Page(client.get("/desk")).text("main .lead")


def test_find_a_resident_by_name_and_birth_date_email_or_phone(client, agent, counter):
    resident = make_user(email="jeanne.martin@example.org", name="Jeanne M.")
    resident.full_name, resident.full_name_search = "Jeanne Martin", "jeanne martin"
    resident.birth_date, resident.phone_normalized = date(1950, 5, 17), "0612345678"
    db.session.commit()
    for query in ("name=martin+jeanne&birth_date=17/05/1950", "contact=Jeanne.Martin@example.org",
                  "contact=%2B33+6+12+34+56+78", "name=Martin&birth_date=1950-05-17"):
        page = Page(client.get(f"/desk?{query}"))
        assert page.texts(".resident-card h3") == ["Jeanne Martin"], query
    assert "Jeanne Martin" not in client.get("/desk?name=martin&birth_date=18/05/1950").get_data(as_text=True)
    bad = client.get("/desk?birth_date=31/02/1950")
    assert bad.status_code == 200 and "n’existe pas" in Page(bad).field_error("birth_date")
    bad = client.get("/desk?birth_date=17+mai+1950")
    assert bad.status_code == 200 and "31/12/1960" in Page(bad).field_error("birth_date")
    # A name alone, a birth date alone, a single letter: no list of strangers' personal data.
    # The error is on the field to fill in.
    for query, field, error in (
            ("name=e", "name", "Indiquez le nom et la date de naissance, ou l’adresse e-mail, ou le numéro de téléphone."),
            ("birth_date=17/05/1950", "name",
             "Indiquez le nom avec la date de naissance, ou cherchez par adresse e-mail ou numéro de téléphone."),
            ("name=Jeanne+Martin", "birth_date",
             "Indiquez la date de naissance avec le nom, ou cherchez par adresse e-mail ou numéro de téléphone.")):
        response = client.get(f"/desk?{query}")
        page = Page(response)
        assert not page.has(".resident-card") and "jeanne.martin@example.org" not in page.html, query
        assert page.field_error(field) == error, query


def test_an_online_account_is_found_by_name_before_a_second_record_is_made(client, agent, counter):
    """Online accounts have no birth date: the name finds them, and registering asks first (one resident, one vote)."""
    online = make_user(email="eric.leger@example.org", name="Éric Léger")
    page = Page(client.get("/desk?name=eric+leger&birth_date=02/02/1960"))
    # Found by its shown name, never with its address (tests/counters/test_desk_search.py checks more).
    assert page.text(".resident-card .online-account").startswith("Compte créé en ligne")
    assert "eric.leger@example.org" not in page.html
    form = {"full_name": "Eric Leger", "birth_date": "02/02/1960", "identity_check": "document", "consent": "y"}
    page = Page(client.post_form("/desk/residents/new", form))
    assert page.has('[name="confirm_new"]') and listed(client, page) == [online.id]
    assert "eric.leger@example.org" not in page.html
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 2  # agent and the online account
    # The agent opens the session for the online account: the vote rule then applies to one person.
    assert open_session(client, online).status_code == 302
    assert db.session.execute(db.select(AssistedSession.resident_id)).scalar_one() == online.id


def test_register_a_resident_without_email_shows_likely_duplicates_first(client, agent, counter):
    form = {"full_name": "Josiane  Perrin", "birth_date": "12/03/1948", "identity_check": "document",
            "consent": "y"}
    response = client.post_form("/desk/residents/new", form)
    assert response.status_code == 302 and response.location.endswith("/desk/session")
    josiane = db.session.execute(db.select(User).where(User.full_name == "Josiane Perrin")).scalar_one()
    assert josiane.email is None and josiane.password_hash is None and josiane.display_name == "Josiane P."
    assert [a.kind for a in _audit()] == [AssistedActionKind.RESIDENT_REGISTERED, AssistedActionKind.SESSION_OPENED]
    client.post_form("/desk/session/end")
    # The same name and birth date again: the existing record is shown, nothing is created.
    response = client.post_form("/desk/residents/new", {**form, "full_name": "josiane perrin"})
    page = Page(response)
    assert response.status_code == 200
    assert page.texts('section[aria-labelledby="duplicates-title"] strong') == ["Josiane Perrin"]
    assert page.has('input[name="confirm_new"]') and page.field_error("confirm_new")
    assert db.session.execute(db.select(db.func.count(User.id)).where(User.full_name_search == "josiane perrin")
                              ).scalar_one() == 1
    # Confirmed as another person: a second record.
    response = client.post_form("/desk/residents/new", {**form, "confirm_new": "y"})
    assert response.status_code == 302
    assert db.session.execute(db.select(db.func.count(User.id)).where(User.full_name_search == "josiane perrin")
                              ).scalar_one() == 2


def test_registration_errors_keep_what_was_typed(client, agent, counter):
    response = client.post_form("/desk/residents/new", {"full_name": "Paul Durand", "birth_date": "demain",
                                                         "identity_check": "none"})
    page = Page(response)
    assert response.status_code == 200
    assert page.value("full_name") == "Paul Durand" and page.value("birth_date") == "demain"
    assert "31/12/1960" in page.field_error("birth_date")  # the date format is explained
    assert db.session.execute(db.select(User).where(User.full_name == "Paul Durand")).scalar() is None


@pytest.mark.parametrize("data, field, message", [
    ({"identity_check": "document"}, "consent", "accord"),  # no consent
    ({"consent": "y"}, "identity_check", "identité"),  # identity check not stated
])
def test_a_session_needs_consent_and_an_identity_check(client, agent, counter, data, field, message):
    resident = make_user()
    response = client.post_form("/desk/sessions", {"resident": ticket(client, resident), **data})
    assert response.status_code == 200 and message in Page(response).field_error(field)
    assert db.session.execute(db.select(AssistedSession)).scalar() is None


def test_staff_can_never_be_the_resident_of_a_session(client, agent, counter):
    for role in (Role.COUNTER_AGENT, Role.MODERATOR, Role.ELECTED, Role.ADMIN):
        response = open_session(client, make_user(role=role))
        assert response.status_code == 200
    assert db.session.execute(db.select(AssistedSession)).scalar() is None


def test_one_session_at_a_time(client, agent, counter):
    first, second = make_user(), make_user()
    assert open_session(client, first).status_code == 302
    response = open_session(client, second)
    assert response.status_code == 200 and any("déjà ouverte" in error for error in Page(response).errors)
    sessions = db.session.execute(db.select(AssistedSession)).scalars().all()
    assert [s.resident_id for s in sessions] == [first.id]
    with pytest.raises(Exception):  # the database refuses a second open session too
        db.session.add(AssistedSession(agent_id=agent.id, resident_id=second.id, counter_id=counter.id,
                                       identity_check=sessions[0].identity_check, consent_version="x"))
        db.session.commit()
    db.session.rollback()


def test_the_banner_shows_on_every_page_and_ends_the_session(client, agent, counter):
    resident = make_user()
    resident.full_name = "Anne Leclerc"
    db.session.commit()
    open_session(client, resident)
    for url in ("/", "/proposals/", "/decisions/", "/desk/session", "/account"):
        page = Page(client.get(url))
        assert "Anne Leclerc" in page.text(".assist-banner") and counter.name in page.text(".assist-banner"), url
        assert page.has('.assist-banner form[action="/desk/session/end"] button'), url
    assert client.post_form("/desk/session/end").status_code == 302
    response = client.get("/")
    assert "Anne Leclerc" not in response.get_data(as_text=True) and not Page(response).has(".assist-banner")
    session = db.session.execute(db.select(AssistedSession)).scalar_one()
    assert session.end_reason is SessionEnd.BUTTON
    # Back on their own account: the agent cannot propose any more.
    assert client.get("/proposals/new").status_code == 403


def test_logging_out_ends_the_session(client, agent, counter):
    open_session(client, make_user())
    client.post_form("/logout")
    session = db.session.execute(db.select(AssistedSession)).scalar_one()
    assert session.end_reason is SessionEnd.LOGOUT and session.ended_at is not None


def test_a_session_idle_for_15_minutes_expires(client, agent, counter):
    open_session(client, make_user())
    session = db.session.execute(db.select(AssistedSession)).scalar_one()
    session.last_activity_at -= timedelta(minutes=15, seconds=1)
    db.session.commit()
    response = client.get("/proposals/new")
    assert response.status_code == 403  # acting for nobody: the agent's own rights
    assert any("15 minutes" in notice for notice in Page(response).notices)
    db.session.refresh(session)
    assert session.end_reason is SessionEnd.TIMEOUT
    assert session.ended_at == session.last_activity_at + timedelta(minutes=15)


def test_a_proposal_in_three_page_loads_belongs_to_the_resident(client, agent, counter):
    theme = make_theme()
    resident = make_user(name="Jeanne M.")
    resident.full_name, resident.full_name_search, resident.birth_date = "Jeanne Martin", "jeanne martin", date(1950, 5, 17)
    db.session.commit()
    # 1: search from the desk.
    results = Page(client.get("/desk?name=jeanne+martin&birth_date=17/05/1950"))
    assert results.has('.resident-card form.open-session input[name="consent"]')
    # 2: open the session: its page holds the proposal form.
    session_page = Page(client.get(open_session(client, resident).location))
    assert session_page.has('form[action="/proposals/new"] [name="title"]')
    # 3: publish: the receipt.
    response = client.post_form("/proposals/new", {"title": "Un abri à l'arrêt de bus", "body": "Pour la pluie.",
                                                   "theme": str(theme.id), "place": ""})
    assert response.status_code == 302 and "/desk/receipts/" in response.location
    code = follow_up_code(client.get(response.location))
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", code)
    proposal = db.session.execute(db.select(Proposal)).scalar_one()
    assert proposal.author_id == resident.id and proposal.assisted_by_id == agent.id
    assert proposal.counter_id == counter.id and proposal.channel is Channel.COUNTER
    [row] = _audit(AssistedActionKind.PROPOSAL_CREATED)
    assert (row.agent_id, row.counter_id, row.resident_id, row.object_id, row.follow_up_code) == (
        agent.id, counter.id, resident.id, proposal.id, code)
    # Public: entered with assistance at the counter, never the agent's name.
    client.post_form("/desk/session/end")
    client.post_form("/logout")
    response = client.get(f"/proposals/{proposal.id}")
    public, meta = response.get_data(as_text=True), Page(response).text(".proposal .meta")
    assert counter.name in meta and "Karim" not in public and "Jeanne M." in meta
    assert "Jeanne Martin" not in public


def test_supports_and_comments_entered_for_the_resident(client, agent, counter):
    proposal = make_proposal()
    resident = make_user()
    open_session(client, resident)
    response = client.post_form(f"/proposals/{proposal.id}/support")
    assert "/desk/receipts/" in response.location
    response = client.post_form(f"/proposals/{proposal.id}/comments", {"body": "Le résident est d'accord."})
    assert "/desk/receipts/" in response.location
    support = db.session.execute(db.select(Support)).scalar_one()
    comment = db.session.execute(db.select(Comment)).scalar_one()
    assert support.user_id == resident.id and support.channel is Channel.COUNTER and support.assisted_by_id == agent.id
    assert comment.author_id == resident.id and comment.counter_id == counter.id
    response = client.post_form(f"/proposals/{proposal.id}/support/withdraw")
    assert "/desk/receipts/" in response.location
    kinds = [a.kind for a in _audit()]
    assert kinds == [AssistedActionKind.SESSION_OPENED, AssistedActionKind.SUPPORT_ADDED,
                     AssistedActionKind.COMMENT_CREATED, AssistedActionKind.SUPPORT_WITHDRAWN]
    assert all(a.resident_id == resident.id and a.agent_id == agent.id and a.counter_id == counter.id
               for a in _audit())


def _vote_for(client, decision, form):
    check = client.post_form(f"/decisions/{decision.id}/vote", form)
    assert check.status_code == 200, check.get_data(as_text=True)
    return client.post_form(f"/decisions/{decision.id}/vote/confirm", form)


def test_a_vote_at_the_counter_gives_a_receipt_with_the_tracking_code(client, agent, counter):
    decision = make_decision(Method.YES_NO)
    resident = make_user()
    open_session(client, resident)
    response = _vote_for(client, decision, {"vote": "no"})
    assert "/desk/receipts/" in response.location
    receipt = Page(client.get(response.location))
    ballot = db.session.execute(db.select(Ballot)).scalar_one()
    assert receipt.text(".receipt .tracking-code") == ballot.tracking_code
    assert json.loads(ballot.content) == {"vote": "no"}
    participation = db.session.execute(db.select(Participation)).scalar_one()
    assert (participation.user_id, participation.channel, participation.counter_id, participation.assisted_by_id) == (
        resident.id, Channel.COUNTER, counter.id, agent.id)
    [row] = _audit(AssistedActionKind.VOTE_CAST)
    assert row.object_type is TargetType.DECISION and row.object_id == decision.id
    # The audit row and the receipt code say nothing of the choice.
    assert ballot.tracking_code != row.follow_up_code
    # After the session, the tracking code is not shown again.
    client.post_form("/desk/session/end")
    assert ballot.tracking_code not in client.get(response.location).get_data(as_text=True)


def test_one_resident_one_vote_whatever_the_channel(client, agent, counter):
    decision = make_decision(Method.YES_NO)
    online_voter = make_user()
    from civic.decisions import services as decisions

    decisions.cast_ballot(online_voter, decision, {"vote": "yes"})
    db.session.commit()
    open_session(client, online_voter)
    page = Page(client.get("/desk/session"))
    assert "déjà voté" in page.text(f'.link-list li:has(a[href="/decisions/{decision.id}"]) strong').lower()
    response = client.post_form(f"/decisions/{decision.id}/vote", {"vote": "no"})
    assert response.status_code == 302  # refused before the ballot
    assert client.post_form(f"/decisions/{decision.id}/vote/confirm", {"vote": "no"}).status_code == 302
    assert db.session.execute(db.select(db.func.count(Ballot.id))).scalar_one() == 1
    client.post_form("/desk/session/end")
    # And the reverse: voted at the counter, then online.
    counter_voter = make_user()
    open_session(client, counter_voter)
    _vote_for(client, decision, {"vote": "no"})
    client.post_form("/desk/session/end")
    client.post_form("/logout")
    login(client, counter_voter)
    assert client.post_form(f"/decisions/{decision.id}/vote/confirm", {"vote": "yes"}).status_code == 302
    assert db.session.execute(db.select(db.func.count(Ballot.id))).scalar_one() == 2


def test_follow_up_page_shows_status_without_personal_data(client, agent, counter):
    theme = make_theme()
    resident = make_user(name="Jeanne M.")
    resident.full_name = "Jeanne Martin"
    db.session.commit()
    open_session(client, resident)
    response = client.post_form("/proposals/new", {"title": "Un abri", "body": "Pour la pluie.",
                                                   "theme": str(theme.id)})
    code = follow_up_code(client.get(response.location))
    client.post_form("/desk/session/end")
    client.post_form("/logout")
    response = client.get(f"/follow-up?code={code.lower()}")
    status = Page(response).text(".support-box")
    assert "Un abri" in status and counter.name in status
    page = response.get_data(as_text=True)
    assert "Jeanne" not in page and "Karim" not in page
    # Its author erased their account and removed their contributions: the code says so, and names nothing else.
    proposal = db.session.execute(db.select(Proposal).where(Proposal.title == "Un abri")).scalar_one()
    db.session.execute(db.delete(Proposal).where(Proposal.id == proposal.id))
    db.session.commit()
    make_proposal(title="Une autre idée")
    status = Page(client.get(f"/follow-up?code={code}")).text(".support-box")
    assert "La proposition a été retirée à la demande de son auteur" in status and "Une autre idée" not in status
    unknown = client.get("/follow-up?code=ZZZZZZZZ")
    assert unknown.status_code == 200 and Page(unknown).select_one("#code")["aria-invalid"] == "true"
    assert Page(unknown).field_error("code")


@pytest.mark.parametrize("entry", ["comment", "support"])
def test_a_comment_or_a_support_receipt_names_its_proposal(client, agent, counter, entry):
    """Printed on the receipt, and shown with its state on the follow-up page."""
    proposal = make_proposal(title="Un abri à vélos")
    open_session(client, make_user())
    if entry == "comment":
        response = client.post_form(f"/proposals/{proposal.id}/comments", {"body": "Bonne idée."})
    else:
        response = client.post_form(f"/proposals/{proposal.id}/support")
    receipt = Page(client.get(response.location))
    assert "Proposition : Un abri à vélos" in receipt.text(".receipt")
    code = follow_up_code(client.get(response.location))
    status = Page(client.get(f"/follow-up?code={code}"))
    assert ("Un abri à vélos", f"/proposals/{proposal.id}") in status.links(".support-box")
    assert "Publiée : ouverte aux soutiens." in status.text(".support-box")


def test_follow_up_of_a_comment_says_when_moderation_hid_it(client, agent, counter):
    proposal = make_proposal()
    open_session(client, make_user())
    response = client.post_form(f"/proposals/{proposal.id}/comments", {"body": "Il faudrait un abri."})
    code = follow_up_code(client.get(response.location))
    client.post_form("/desk/session/end")
    comment = db.session.execute(db.select(Comment)).scalar_one()
    for change, expected in ((lambda: None, "Le commentaire est publié."),
                             (lambda: setattr(comment, "held_by_reports", True), "Le commentaire est masqué le temps qu’un modérateur examine les signalements."),
                             (lambda: setattr(comment, "hidden_at", comment.created_at),
                              "Le commentaire a été masqué par la modération.")):
        change()
        db.session.commit()
        response = client.get(f"/follow-up?code={code}")
        assert expected in Page(response).text(".support-box"), expected
        assert "Il faudrait un abri." not in response.get_data(as_text=True)


def test_attach_counter_contributions_to_a_new_account(client, agent, counter):
    theme = make_theme()
    client.post_form("/desk/residents/new", {"full_name": "Josiane Perrin", "birth_date": "12/03/1948",
                                             "identity_check": "personally_known", "consent": "y"})
    response = client.post_form("/proposals/new", {"title": "Un banc", "body": "Pour attendre le bus.",
                                                   "theme": str(theme.id)})
    code = follow_up_code(client.get(response.location))
    client.post_form("/desk/session/end")
    client.post_form("/logout")
    account = make_user(name="Josiane")
    login(client, account)
    wrong = client.post_form("/account/attach", {"code": code, "birth_date": "13/03/1948"})
    assert wrong.status_code == 200 and Page(wrong).value("code") == code and Page(wrong).errors
    assert db.session.execute(db.select(Proposal)).scalar_one().author_id != account.id
    confirm = Page(client.post_form("/account/attach", {"code": code, "birth_date": "12/03/1948"}))
    assert confirm.status == 200 and "Josiane P." in confirm.h1
    assert db.session.execute(db.select(Proposal)).scalar_one().author_id != account.id  # not before confirming
    response = client.post_form("/account/attach/confirm", {"ticket": confirm.value("ticket")})
    assert response.status_code == 302
    assert db.session.execute(db.select(Proposal)).scalar_one().author_id == account.id
    data = client.get("/account/data").get_data(as_text=True)
    assert "Un banc" in data and counter.name in data and "Karim" in data
    exported = json.loads(client.get("/account/data.json").get_data(as_text=True))
    assert exported["proposals"][0]["channel"] == "counter"
    assert {a["kind"] for a in exported["assisted_actions"]} >= {"resident_registered", "proposal_created"}
    # A code works once: the record is merged.
    assert client.post_form("/account/attach", {"code": code, "birth_date": "12/03/1948"}).status_code == 200


def test_attaching_never_counts_a_resident_twice(client, ctx):
    agent = make_user(role=Role.COUNTER_AGENT)
    counter = make_counter(agent)
    proposal = make_proposal()
    decision = make_decision(Method.YES_NO)
    record_ = residents.register_resident(agent, counter, full_name="Léon Blum", birth_date=date(1940, 1, 1))
    session = sessions.open_session(agent, counter, record_, identity_check=IdentityCheck.DOCUMENT, consent=True)
    db.session.add(Support(proposal_id=proposal.id, user_id=record_.id))
    decisions.cast_ballot(record_, decision, {"vote": "yes"}, Channel.COUNTER)
    action = audit.record(session, AssistedActionKind.SUPPORT_ADDED, about=proposal)
    account = make_user()
    db.session.add(Support(proposal_id=proposal.id, user_id=account.id))
    decisions.cast_ballot(account, decision, {"vote": "no"})
    db.session.commit()
    conflicts = attach_contributions(account, action.follow_up_code, date(1940, 1, 1))
    db.session.commit()
    assert conflicts == 1
    assert db.session.execute(db.select(db.func.count(Support.id))).scalar_one() == 1
    assert db.session.execute(db.select(db.func.count(Participation.id)).where(
        Participation.user_id == account.id)).scalar_one() == 1


def _audit_rows(client, query):
    return [[text_of(cell) for cell in row.select("td")] for row in Page(client.get(f"/admin/audit{query}")).select("tbody tr")]


def test_audit_log_for_admins_only_with_filters(client, agent, counter):
    other_counter = make_counter(agent, name="Autre guichet")
    client.post_form("/desk/counter", {"counter": str(counter.id)})
    resident = make_user()
    assert open_session(client, resident).status_code == 302
    client.post_form("/desk/session/end")
    client.post_form("/logout")
    login(client, make_user(role=Role.ELECTED))
    assert client.get("/admin/audit").status_code == 403
    client.post_form("/logout")
    login(client, make_user(role=Role.ADMIN))
    assert [row[1] for row in _audit_rows(client, "")] == ["Session terminée", "Session ouverte"]
    assert _audit_rows(client, f"?counter={other_counter.id}") == [["Aucune action ne correspond."]]
    assert [row[1] for row in _audit_rows(client, "?kind=session_opened")] == ["Session ouverte"]
    assert client.get("/admin/audit?since=pas+une+date").status_code == 200
    # No route changes or deletes a row.
    rules = [r for r in client.application.url_map.iter_rules() if "audit" in r.rule]
    assert all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules)


def test_statistics_per_counter_and_week_without_names(client, agent, counter):
    theme = make_theme()
    for name in ("Alice Dupont", "Bruno Petit"):
        resident = make_user()
        resident.full_name = name
        db.session.commit()
        open_session(client, resident)
        client.post_form("/proposals/new", {"title": f"Idée de {name}", "body": "Texte.", "theme": str(theme.id)})
        client.post_form("/desk/session/end")
    [row] = weekly_statistics().items
    assert (row["counter"], row["contributions"], row["ballots"], row["residents"]) == (counter.name, 2, 0, 2)
    client.post_form("/logout")
    login(client, make_user(role=Role.ELECTED))
    response = client.get("/admin/counters/statistics")
    page = response.get_data(as_text=True)
    assert Page(response).texts("table tbody th") == [counter.name] and "Alice" not in page and "Bruno" not in page


def test_admin_creates_a_counter_and_assigns_agents(client, ctx):
    agent = make_user(role=Role.COUNTER_AGENT, name="Nadia")
    resident = make_user()
    login(client, make_user(role=Role.ADMIN))
    response = client.post_form("/admin/counters", {"name": "France Services", "address": "3 rue Haute",
                                                    "opening_hours": "Mardi", "receipt_layout": "ticket",
                                                    "active": "y", "agents": [str(agent.id)]})
    assert response.status_code == 302
    counter = db.session.execute(db.select(Counter)).scalar_one()
    assert [a.id for a in counter.agents] == [agent.id]
    # A resident cannot be assigned; the name must be unique; typed values are kept.
    response = client.post_form("/admin/counters", {"name": "france services", "receipt_layout": "a4",
                                                    "agents": [str(resident.id)]})
    assert response.status_code == 200 and Page(response).value("name") == "france services"
    assert Page(response).errors
    assert db.session.execute(db.select(db.func.count(Counter.id))).scalar_one() == 1


def test_an_agent_taken_off_the_counter_stops_acting_there_at_once(client, agent, counter):
    resident = make_user()
    open_session(client, resident)
    admin_client = client.application.test_client()
    admin = make_user(role=Role.ADMIN)
    login(admin_client, admin)
    response = admin_client.post_form(f"/admin/counters/{counter.id}", {
        "name": counter.name, "address": "1 place de la Mairie", "opening_hours": "Lundi", "receipt_layout": "a4",
        "active": "y", "agents": []})
    assert response.status_code == 302
    session = db.session.execute(db.select(AssistedSession)).scalar_one()
    db.session.refresh(session)
    assert session.end_reason is SessionEnd.WITHDRAWN and session.ended_at is not None
    assert client.get("/proposals/new").status_code == 403  # back to the agent's own rights
    entry = db.session.execute(db.select(StaffLogEntry)).scalar_one()
    assert (entry.area, entry.action, entry.actor_id) == ("role", "counter_agents", admin.id)
    assert entry.before_data["agents"] == [f"Karim (guichet) (n° {agent.id})"] and entry.after_data["agents"] == []


def test_a_session_stops_when_the_assignment_disappears_by_any_path(client, agent, counter):
    open_session(client, make_user())
    db.session.execute(db.delete(CounterAssignment))
    db.session.commit()
    response = client.get("/proposals/new")
    assert response.status_code == 403
    assert any("vous n’êtes plus affecté à ce guichet" in notice for notice in Page(response).notices)
    session = db.session.execute(db.select(AssistedSession)).scalar_one()
    assert session.end_reason is SessionEnd.WITHDRAWN


def test_turnout_counts_residents_registered_at_a_counter(ctx):
    agent = make_user(role=Role.COUNTER_AGENT)
    counter = make_counter(agent)
    make_user(), make_user(confirmed=False)
    residents.register_resident(agent, counter, full_name="Ada Lovelace", birth_date=date(1915, 12, 10))
    attached = residents.register_resident(agent, counter, full_name="Alan Turing", birth_date=date(1912, 6, 23))
    attached.merged_into_id = make_user().id  # counted through the account it was attached to
    db.session.commit()
    # Two confirmed online residents and Ada; neither the unconfirmed account nor the attached record.
    assert decisions.eligible_voters(make_decision()) == 3


def test_the_database_refuses_to_edit_the_audit_log(ctx):
    agent = make_user(role=Role.COUNTER_AGENT)
    counter = make_counter(agent)
    resident = residents.register_resident(agent, counter, full_name="Ada Lovelace", birth_date=date(1915, 12, 10))
    db.session.commit()
    with pytest.raises(Exception):
        db.session.execute(db.update(AssistedAction).values(agent_id=None))
        db.session.commit()
    db.session.rollback()
    assert db.session.execute(db.select(AssistedAction.agent_id)).scalar_one() == agent.id
    assert resident.id
