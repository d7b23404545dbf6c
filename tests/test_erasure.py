"""Erasing an account (issue 13): nothing personal stays anywhere, what others rely on stays counted, and
nobody votes twice."""
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import LargeBinary, String, Text, event, func, select
from sqlalchemy.orm.attributes import set_committed_value

from civic.access import Role
from civic.accounts.erasure import ALREADY_ERASED, erase_account
from civic.accounts.models import District, LoginSession, User
from civic.accounts.personal_data import download
from civic.counters.models import AssistedAction, AssistedActionKind, AssistedSession
from civic.counters.sessions import open_votes
from civic.db_types import utcnow
from civic.decisions import services as decisions
from civic.decisions.models import Ballot, ErasedVoter, Method, Participation
from civic.domain import DomainError
from civic.extensions import db
from civic.following.models import Follow
from civic.jobs import run_jobs
from civic.mail import OutgoingMail, send_mail
from civic.privacy import registry
from civic.proposals.kept_counts import KEPT, miscounted
from civic.privacy.retention import rules
from civic.proposals.models import Proposal
from civic.targets import TargetType
from civic.transaction import lock_for_write
from tests.client import Page
from tests.counters.helpers import make_counter, open_session
from tests.decisions.helpers import close, make_decision
from tests.factories import PASSWORD, login, make_comment, make_proposal, make_support, make_user

NAME = "Ghislaine Vautrin-Oberkampf"
EMAIL = "ghislaine.vautrin@example.org"
PHONE = "06 71 42 93 58"
BIRTH = date(1957, 9, 23)


def _every_text():
    """Every text and binary value of every table, as text: what a scan for a name reads."""
    values = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, LargeBinary))
                   or isinstance(getattr(c.type, "impl", None), (String, Text, LargeBinary))]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)).all():
            for value in row:
                if isinstance(value, bytes):
                    value = value.decode("utf-8", "replace")
                if value is not None:
                    values.append((table.name, str(value)))
    return values


def _traces(values):
    needles = [NAME, "Vautrin", EMAIL, "ghislaine", PHONE, "0671429358", BIRTH.isoformat(), "23/09/1957"]
    return [(table, needle) for table, value in values for needle in needles if needle.lower() in value.lower()]


def _the_resident():
    district = District(name="Quartier des Tanneurs")
    db.session.add(district)
    db.session.flush()
    resident = make_user(email=EMAIL, name=NAME)
    resident.full_name, resident.birth_date, resident.phone, resident.phone_normalized = NAME, BIRTH, PHONE, "0671429358"
    resident.district_id = district.id
    db.session.commit()
    return resident


def test_erasure_leaves_nothing_personal_and_every_count(client, ctx):
    resident = _the_resident()
    other = make_user()
    own = make_proposal(author=resident, title="Un jardin partagé")
    discussed = make_proposal(author=resident, title="Des bancs")
    make_support(discussed, other)
    make_comment(discussed, other, body="D'accord.")
    elsewhere = make_proposal(author=other)
    mine = make_comment(elsewhere, resident, body="Je soutiens.")
    make_comment(elsewhere, other, body="Moi aussi.", parent=mine)
    make_support(elsewhere, resident)
    db.session.add(Follow(user_id=resident.id, target_type=TargetType.PROPOSAL, target_id=elsewhere.id))
    open_vote, published_vote = make_decision(Method.YES_NO), make_decision(Method.YES_NO)
    decisions.cast_ballot(resident, open_vote, {"vote": "yes"})
    decisions.cast_ballot(resident, published_vote, {"vote": "no"})
    decisions.cast_ballot(other, published_vote, {"vote": "yes"})
    send_mail(EMAIL, f"Bonjour {NAME}", f"Bonjour {NAME}, votre téléphone {PHONE}.")
    db.session.commit()
    # A counter history: an agent entered a support for them during a session.
    agent = make_user(role=Role.COUNTER_AGENT)
    login(client, agent)
    make_counter(agent)
    open_session(client, resident)
    client.post_form(f"/proposals/{discussed.id}/support")
    client.post_form("/desk/session/end")
    client.post_form("/logout")
    assert _traces(_every_text())
    supports_before = {p.id: p.support_count for p in (discussed, elsewhere)}
    ballots_before = db.session.execute(select(func.count()).select_from(Ballot)).scalar_one()

    login(client, resident)
    page = Page(client.get("/account/delete"))
    assert page.has('input[name="password"]')
    # "Propositions et commentaires": the masculine agrees; the person addressed is written inclusively.
    assert page.texts('input[name="contributions"] + label') == [
        "Les garder, signés « Participant·e supprimé·e »",
        "Les retirer, sauf ceux auxquels d’autres ont pris part, ainsi que les textes libres écrits dans les"
        " questionnaires (les autres réponses restent comptées, anonymes)"]
    response = client.post_form("/account/delete", {"contributions": "keep", "password": PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/account/deleted")
    erased_page = Page(client.get(response.location))
    assert erased_page.text("h1") == "Votre compte a été supprimé"
    assert "vous êtes déconnecté·e." in erased_page.text("main")

    erased = db.session.get(User, resident.id)
    assert erased.is_erased and not erased.active and not erased.can_log_in
    close(published_vote)
    decisions.publish_results(published_vote, make_user(role=Role.ADMIN))
    db.session.commit()
    assert _traces(_every_text()) == []
    assert db.session.execute(select(func.count()).select_from(OutgoingMail).where(OutgoingMail.to == EMAIL)
                              ).scalar_one() == 0
    assert db.session.execute(select(func.count()).select_from(LoginSession).where(
        LoginSession.user_id == resident.id)).scalar_one() == 0
    assert db.session.execute(select(func.count()).select_from(Follow).where(Follow.user_id == resident.id)
                              ).scalar_one() == 0
    # "My data" of what stays: nothing that names the person.
    with client.application.test_request_context():
        exported = "".join(download(client.application, erased))
    assert _traces([("my data", exported)]) == []
    # Contributions kept, signed by nobody; counts and ballots as they were.
    assert db.session.get(Proposal, own.id).author_id == resident.id
    assert "Participant·e supprimé·e" in client.get(f"/proposals/{own.id}").get_data(as_text=True)
    assert {p.id: db.session.get(Proposal, p.id).support_count for p in (discussed, elsewhere)} == supports_before
    assert db.session.execute(select(func.count()).select_from(Ballot)).scalar_one() == ballots_before
    assert [miscounted(kept) for kept in KEPT] == [[], []]
    # The session is gone and the account cannot log in again.
    assert client.get("/account").status_code == 302
    assert client.post_form("/login", {"email": EMAIL, "password": PASSWORD}).status_code == 200


def test_no_second_vote_online_nor_at_a_counter(client, ctx):
    decision = make_decision(Method.YES_NO)
    online = make_user(email=EMAIL)
    decisions.cast_ballot(online, decision, {"vote": "yes"})
    db.session.commit()
    login(client, online)
    assert client.post_form("/account/delete", {"contributions": "keep", "password": PASSWORD}).status_code == 302
    # The same address registers again: the vote still open refuses it.
    again = make_user(email=EMAIL)
    assert decisions.has_voted(again, decision)
    login(client, again)
    assert client.post_form(f"/decisions/{decision.id}/vote/confirm", {"vote": "no"}).status_code == 302
    assert db.session.execute(select(func.count()).select_from(Ballot)).scalar_one() == 1
    # At a counter: the erased account cannot be helped, and is not found.
    client.post_form("/logout")
    agent = make_user(role=Role.COUNTER_AGENT)
    login(client, agent)
    make_counter(agent)
    response = open_session(client, db.session.get(User, online.id))
    assert client.get("/desk/session").status_code == 302
    # Once the vote closes, the hashed identity goes.
    close(decision)
    run_jobs()
    assert db.session.execute(select(func.count()).select_from(ErasedVoter)).scalar_one() == 0
    assert response.status_code in (200, 302)


def _register_at_counter(client, **extra):
    form = {"full_name": "Josiane Perrin", "birth_date": "12/03/1948", "identity_check": "document", "consent": "y",
            "phone": "01 23 45 67 89", **extra}
    response = client.post_form("/desk/residents/new", form)
    assert response.status_code == 302 and response.location.endswith("/desk/session"), response.get_data(as_text=True)
    return db.session.execute(select(User).where(User.full_name == "Josiane Perrin", User.erased_at.is_(None))
                              ).scalar_one()


def _erasure_form(client):
    page = Page(client.get("/desk/session/erase"))
    return {"contributions": "remove", "asked": "y",
            "assisted_form": page.select_one('form input[name="assisted_form"]')["value"]}


def test_an_agent_deletes_the_account_of_a_resident_registered_at_the_counter(client, ctx):
    agent = make_user(role=Role.COUNTER_AGENT)
    login(client, agent)
    make_counter(agent)
    decision = make_decision(Method.YES_NO)
    josiane = _register_at_counter(client)
    client.post_form(f"/decisions/{decision.id}/vote/confirm", {"vote": "yes"})
    proposal_id = make_proposal(author=josiane, title="Une boîte à livres").id
    data = _erasure_form(client)
    # Without the resident's request stated, nothing happens and the choice is kept.
    page = Page(client.post_form("/desk/session/erase", {**data, "asked": ""}))
    assert page.field_error("asked") and page.select_one('input[value="remove"]').has_attr("checked")
    assert db.session.get(User, josiane.id).erased_at is None
    response = client.post_form("/desk/session/erase", data)
    assert "/desk/receipts/" in response.location
    receipt = Page(client.get(response.location))
    assert "Josiane" not in receipt.text(".receipt") and not receipt.has(".follow-up-code")
    erased = db.session.get(User, josiane.id)
    assert erased.is_erased and erased.full_name is None and erased.birth_date is None and erased.phone is None
    # Nothing depended on the proposal: removed, as chosen.
    assert db.session.get(Proposal, proposal_id) is None
    # The audit trail: who, where and when, for an account that names nobody; the session ended with it.
    kinds = db.session.execute(select(AssistedAction.kind).where(AssistedAction.resident_id == josiane.id)
                               .order_by(AssistedAction.id)).scalars().all()
    assert kinds[-2:] == [AssistedActionKind.ACCOUNT_ERASED, AssistedActionKind.SESSION_ENDED]
    assert db.session.execute(select(AssistedSession.ended_at).where(AssistedSession.resident_id == josiane.id)
                              ).scalar_one() is not None
    assert client.get("/desk/session").status_code == 302
    # Registered again with the same name and birth date: the desk says she voted, and the vote refuses her.
    again = _register_at_counter(client)
    assert again.id != josiane.id
    assert "déjà voté" in Page(client.get("/desk/session")).text(
        f'.link-list li:has(a[href="/decisions/{decision.id}"]) strong').lower()
    client.post_form(f"/decisions/{decision.id}/vote/confirm", {"vote": "no"})
    assert db.session.execute(select(func.count()).select_from(Ballot)).scalar_one() == 1
    assert db.session.execute(select(func.count()).select_from(Participation)).scalar_one() == 1


def test_an_agent_cannot_delete_an_online_account(client, ctx):
    agent = make_user(role=Role.COUNTER_AGENT)
    login(client, agent)
    make_counter(agent)
    online = make_user()
    open_session(client, online)
    page = Page(client.get("/desk/session/erase"))
    assert not page.has('input[name="asked"]')
    response = client.post_form("/desk/session/erase", {"contributions": "keep", "asked": "y"})
    assert response.status_code == 200
    assert db.session.get(User, online.id).erased_at is None


def test_a_form_of_an_earlier_session_erases_nobody(client, ctx):
    agent = make_user(role=Role.COUNTER_AGENT)
    login(client, agent)
    make_counter(agent)
    first = _register_at_counter(client)
    data = _erasure_form(client)
    client.post_form("/desk/session/end")
    second = _register_at_counter(client, full_name="Paul Perrin", confirm_new="y")
    assert client.post_form("/desk/session/erase", data).status_code == 302
    assert db.session.get(User, first.id).erased_at is None and db.session.get(User, second.id).erased_at is None


def test_inactive_accounts_are_warned_a_month_before_then_erased(client, ctx, outbox):
    rule = next(r for r in rules() if r.key == "inactive_accounts")
    assert rule.days == 3 * 365
    now = utcnow()
    asleep, awake, record = make_user(email=EMAIL), make_user(), make_user()
    asleep.last_active_at = now - rule.duration + timedelta(days=10)  # inactive in 10 days
    awake.last_active_at = now - timedelta(days=400)
    record.email = record.email_normalized = record.password_hash = record.email_confirmed_at = None  # at a counter
    record.created_at = now - rule.duration - timedelta(days=1)
    db.session.commit()
    assert rule.purge(now - rule.duration) == 1  # the record: nobody to warn
    db.session.commit()
    assert db.session.get(User, record.id).is_erased
    [warning] = db.session.execute(select(OutgoingMail)).scalars().all()
    assert warning.to == EMAIL and "/login" in warning.body
    # A second run the same day warns nobody twice, erases nobody not yet warned a month ago.
    assert rule.purge(now - rule.duration) == 0
    assert db.session.execute(select(func.count()).select_from(OutgoingMail)).scalar_one() == 1
    # A month later, still inactive (the dates moved back a month): erased, and the warning mail with it.
    asleep = db.session.get(User, asleep.id)
    asleep.last_active_at -= timedelta(days=31)
    asleep.inactivity_warned_at -= timedelta(days=31)
    db.session.commit()
    assert rule.purge(now - rule.duration) == 1
    db.session.commit()
    assert db.session.get(User, asleep.id).is_erased and not db.session.get(User, awake.id).is_erased
    assert db.session.execute(select(func.count()).select_from(OutgoingMail)).scalar_one() == 0


def test_logging_in_after_the_warning_keeps_the_account(client, ctx):
    rule = next(r for r in rules() if r.key == "inactive_accounts")
    now = utcnow()
    user = make_user()
    user.last_active_at = now - rule.duration + timedelta(days=5)
    db.session.commit()
    rule.purge(now - rule.duration)
    db.session.commit()
    assert db.session.get(User, user.id).inactivity_warned_at is not None
    # A month later (the dates moved back a month), the person logs in before the purge runs.
    user = db.session.get(User, user.id)
    user.last_active_at -= timedelta(days=31)
    user.inactivity_warned_at -= timedelta(days=31)
    db.session.commit()
    login(client, user)
    assert rule.purge(now - rule.duration) == 0
    assert not db.session.get(User, user.id).is_erased


def test_removing_contributions_keeps_what_others_depend_on(client, ctx):
    resident, other = make_user(), make_user()
    alone = make_proposal(author=resident, title="Seule").id
    supported = make_proposal(author=resident, title="Soutenue")
    make_support(supported, other)
    answered_to = make_comment(supported, resident, body="Un commentaire auquel on a répondu.")
    make_comment(supported, other, body="Réponse.", parent=answered_to)
    lone_comment = make_comment(supported, resident, body="Un commentaire seul.")
    login(client, resident)
    # A wrong password: refused, the choice kept, nothing erased.
    page = Page(client.post_form("/account/delete", {"contributions": "remove", "password": "wrong password"}))
    assert page.field_error("password") and page.select_one('input[value="remove"]').has_attr("checked")
    assert not db.session.get(User, resident.id).is_erased
    assert client.post_form("/account/delete", {"contributions": "remove", "password": PASSWORD}).status_code == 302
    assert db.session.get(Proposal, alone) is None
    kept = db.session.get(Proposal, supported.id)
    assert kept.author_id == resident.id and kept.support_count == 1
    for comment in (answered_to, lone_comment):
        comment = db.session.get(type(comment), comment.id)
        assert comment.is_deleted and comment.body == ""
    assert [miscounted(k) for k in KEPT] == [[], []]
    # The thread still shows the other resident's reply.
    assert "Réponse." in client.get(f"/proposals/{supported.id}").get_data(as_text=True)


def test_staff_accounts_are_not_erased(client, ctx):
    admin = make_user(role=Role.ADMIN)
    login(client, admin)
    page = Page(client.get("/account/delete"))
    assert not page.has('input[name="password"]') and "équipe" in page.text()
    client.post_form("/account/delete", {"contributions": "keep", "password": PASSWORD})
    assert not db.session.get(User, admin.id).is_erased


def test_an_erased_account_gets_no_role_and_says_so_in_the_list(client, ctx):
    resident = make_user(name="Zélie Marchand")
    login(client, resident)
    client.post_form("/account/delete", {"contributions": "keep", "password": PASSWORD})
    admin = make_user(role=Role.ADMIN)
    login(client, admin)
    response = client.post_form(f"/admin/users/{resident.id}", {"role": "admin"})
    assert response.status_code == 302 and response.location.endswith("/admin/users")
    assert db.session.get(User, resident.id).role is Role.RESIDENT
    page = Page(client.get("/admin/users"))
    assert "compte supprimé" in page.text("table")


def test_the_counter_records_attached_to_the_account_go_with_it(client, ctx):
    resident = make_user()
    record = make_user(email=None, name="Odile R.")
    record.email = record.email_normalized = record.password_hash = None
    record.full_name, record.birth_date, record.merged_into_id = "Odile Rameau", BIRTH, resident.id
    db.session.commit()
    decision = make_decision(Method.YES_NO)
    decisions.cast_ballot(record, decision, {"vote": "no"})
    db.session.commit()
    login(client, resident)
    client.post_form("/account/delete", {"contributions": "keep", "password": PASSWORD})
    record = db.session.get(User, record.id)
    assert record.is_erased and record.full_name is None and record.birth_date is None
    # Registered again at a counter under that name and birth date: the vote still knows she took part.
    again = make_user(email=None)
    again.email = again.email_normalized = again.password_hash = None
    again.full_name, again.birth_date = "Odile Rameau", BIRTH
    db.session.commit()
    assert decisions.has_voted(again, decision)


def _counter_record(name, birth_date):
    """A resident as registered at a counter: a civil identity, no address, no password."""
    record = make_user(email=None, name=name)
    record.email = record.email_normalized = record.password_hash = record.email_confirmed_at = None
    record.full_name, record.birth_date = name, birth_date
    db.session.commit()
    return record


def _delete_own_account(client, user):
    login(client, user)
    assert client.post_form("/account/delete", {"contributions": "keep", "password": PASSWORD}).status_code == 302
    client.post_form("/logout")


def test_a_vote_cast_at_a_counter_and_attached_is_still_known_by_name_and_birth_date(client, ctx):
    """The participation moved to the account when the record was attached: erasing the account keeps the
    record's name and birth date too, not only the account's e-mail."""
    decision = make_decision(Method.YES_NO)
    record = _counter_record(NAME, BIRTH)
    decisions.cast_ballot(record, decision, {"vote": "yes"})
    account = make_user(email=EMAIL)
    registry.attach(record, account)
    record.merged_into_id, record.active = account.id, False
    db.session.commit()
    _delete_own_account(client, account)
    again = _counter_record(NAME, BIRTH)
    assert decisions.has_voted(again, decision)
    assert open_votes(again) == [(decision, True, False)]
    with pytest.raises(DomainError):
        decisions.cast_ballot(again, decision, {"vote": "no"})
    # And online with the e-mail.
    assert decisions.has_voted(make_user(email=EMAIL), decision)


def test_an_online_account_with_a_civil_identity_is_known_by_it_after_erasure(client, ctx):
    decision = make_decision(Method.YES_NO)
    online = make_user(email=EMAIL, name=NAME)
    online.full_name, online.birth_date = NAME, BIRTH
    db.session.commit()
    decisions.cast_ballot(online, decision, {"vote": "yes"})
    db.session.commit()
    _delete_own_account(client, online)
    assert decisions.has_voted(_counter_record(NAME, BIRTH), decision)
    assert decisions.has_voted(make_user(email=EMAIL), decision)
    # Known only through a record attached to a new account under another address: still the same person.
    account = make_user()
    record = _counter_record(NAME, BIRTH)
    record.merged_into_id = account.id
    db.session.commit()
    assert decisions.has_voted(account, decision) and open_votes(account) == [(decision, True, False)]
    assert not decisions.has_voted(make_user(), decision)


def test_a_person_erased_under_two_accounts_that_both_voted_is_kept_once(client, ctx):
    """A record and an account of one person, never attached, both voted before the fix of identities:
    erasing the second one finds the identity already kept and erases all the same."""
    decision = make_decision(Method.YES_NO)
    first, second = _counter_record(NAME, BIRTH), _counter_record(NAME, BIRTH)
    for voter in (first, second):
        db.session.add(Participation(decision_id=decision.id, user_id=voter.id))
    db.session.commit()
    for voter in (first, second):
        erase_account(db.session.get(User, voter.id), remove_contributions=False)
        db.session.commit()
    assert db.session.execute(select(func.count()).select_from(ErasedVoter)).scalar_one() == 1


def test_erased_voters_stay_in_the_electorate(client, ctx):
    """Their ballots stay counted: without them the electorate would fall below the participation."""
    decision = make_decision(Method.YES_NO)
    voters = [make_user() for _ in range(3)]
    abstaining = make_user()
    for person in (*voters, abstaining):
        person.created_at = person.email_confirmed_at = utcnow() - timedelta(days=2)
    for voter in voters:
        decisions.cast_ballot(voter, decision, {"vote": "yes"})
    db.session.commit()
    for person in (*voters[:2], abstaining):
        _delete_own_account(client, person)
    close(decision)
    # The three voters, each once; the erased account that did not vote no longer counts.
    assert decisions.freeze_electorate(db.session.get(type(decision), decision.id)) == 3


def test_an_account_erased_meanwhile_casts_no_ballot(client, ctx):
    """The erasure committed after this request loaded the voter: the voter's row, share-locked and read
    again, refuses (on PostgreSQL the lock also makes the erasure wait for a ballot being cast)."""
    decision = make_decision(Method.YES_NO)
    voter = make_user(email=EMAIL)
    db.session.commit()
    erase_account(voter, remove_contributions=False)
    db.session.commit()
    set_committed_value(voter, "erased_at", None)  # as loaded before the erasure
    set_committed_value(voter, "active", True)
    with pytest.raises(DomainError) as refused:
        decisions.cast_ballot(voter, decision, {"vote": "yes"})
    assert refused.value.message is ALREADY_ERASED
    assert db.session.execute(select(func.count()).select_from(Ballot)).scalar_one() == 0


def test_an_account_that_cannot_be_warned_is_neither_marked_warned_nor_erased(client, ctx, outbox):
    """Made inactive by hand (not erased, not attached): mail_to sends it nothing. Marked warned anyway, it was
    erased a month later without a word; it is left to the administrators instead (see accounts.inactivity)."""
    rule = next(r for r in rules() if r.key == "inactive_accounts")
    now = utcnow()
    kept = make_user(email=EMAIL)
    kept.last_active_at, kept.active = now - rule.duration - timedelta(days=40), False
    db.session.commit()
    for _month in range(2):
        assert rule.purge(now - rule.duration) == 0
        db.session.commit()
        kept = db.session.get(User, kept.id)
        assert kept.inactivity_warned_at is None and not kept.is_erased
        kept.last_active_at -= timedelta(days=31)  # a month later
        db.session.commit()
    assert db.session.execute(select(func.count()).select_from(OutgoingMail)).scalar_one() == 0


@pytest.mark.real_commits
def test_two_purges_at_once_each_erase_their_share_and_neither_fails(app, ctx):
    """The daily timer and a clock job purging at the same moment: each account is erased once, by one of
    them (PostgreSQL: SKIP LOCKED; SQLite: they take turns), and neither meets an account the other erased."""
    rule = next(r for r in rules() if r.key == "inactive_accounts")
    now = utcnow()
    records = [make_user(email=None) for _ in range(40)]
    for record in records:  # counter records: no address to warn, erased as soon as inactive
        record.email = record.email_normalized = record.password_hash = record.email_confirmed_at = None
        record.last_active_at = now - rule.duration - timedelta(days=1)
    db.session.commit()
    barrier, erased, failures = threading.Barrier(2), [], []

    def purge():
        with app.app_context():
            try:
                barrier.wait()
                lock_for_write()
                erased.append(rule.purge(now - rule.duration))
                db.session.commit()
            except Exception as error:  # the assertion below says which
                failures.append(error)
            finally:
                db.session.remove()

    purges = [threading.Thread(target=purge) for _ in range(2)]
    for thread in purges:
        thread.start()
    for thread in purges:
        thread.join(60)
    assert failures == [] and sum(erased) == len(records)
    assert db.session.execute(select(func.count()).select_from(User).where(User.erased_at.is_not(None))
                              ).scalar_one() == len(records)


@pytest.mark.real_commits
def test_a_ballot_cast_while_the_account_is_erased_leaves_the_person_known(app, ctx):
    """PostgreSQL: the erasure reads the participations while a ballot of the same account is being cast.
    The participation's foreign key takes only KEY SHARE on the account, which the erasure's lock lets
    through: the ballot committed after the read left no ErasedVoter. Share-locking the voter makes it
    wait for the erasure, then refuses it."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("on SQLite writers take turns: nothing can slip between the read and the ballot")
    decision = make_decision(Method.YES_NO)
    voter = make_user(email=EMAIL)
    db.session.commit()
    voter_id, decision_id = voter.id, decision.id
    flushed, erased, refused = threading.Event(), threading.Event(), []

    def vote():
        with app.app_context():
            try:
                decisions.cast_ballot(db.session.get(User, voter_id), db.session.get(type(decision), decision_id),
                                      {"vote": "yes"})
                flushed.set()
                erased.wait(10)
                db.session.commit()
            except DomainError as error:
                refused.append(error.message)
            finally:
                db.session.remove()

    ballot = threading.Thread(target=vote)

    def meanwhile(_conn, _cursor, statement, *_args):
        if not ballot.is_alive() and not flushed.is_set() and "FROM participation JOIN" in statement:
            ballot.start()
            flushed.wait(2)  # a ballot waiting for the account's lock never gets there

    event.listen(db.engine, "before_cursor_execute", meanwhile)
    try:
        erase_account(voter, remove_contributions=False)
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", meanwhile)
        erased.set()
        ballot.join(30)
    assert refused == [ALREADY_ERASED]
    assert db.session.execute(select(func.count()).select_from(Participation)).scalar_one() == 0
