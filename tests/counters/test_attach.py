"""Attaching counter contributions to an account completes the account with what the agent recorded, once the
person has seen whose record the code names and confirmed."""
from datetime import date, timedelta

from civic.accounts.models import District
import pytest
from sqlalchemy.orm.attributes import set_committed_value

from civic.accounts.erasure import ALREADY_ERASED, erase_account
from civic.accounts.models import User
from civic.counters import attach as attaching, audit, residents, sessions
from civic.counters.attach import attach_contributions
from civic.counters.models import AssistedActionKind, IdentityCheck
from civic.db_types import utcnow
from civic.decisions.services import district_refusal
from civic.decisions.models import Method
from civic.domain import DomainError
from civic.extensions import db
from civic.proposals.models import Comment, Support
from tests.factories import login, make_proposal, make_user
from tests.decisions.helpers import make_decision


def _record(agent, counter, district):
    db.session.commit()
    record = residents.register_resident(agent, counter, full_name="Josiane Perrin", birth_date=date(1948, 3, 12),
                                         district_id=district.id if district else None, phone="06 12 34 56 78")
    record.district_since = utcnow() - timedelta(days=30)
    session = sessions.open_session(agent, counter, record, identity_check=IdentityCheck.DOCUMENT, consent=True)
    action = audit.record(session, AssistedActionKind.SUPPORT_ADDED, about=make_proposal())
    db.session.commit()
    return record, action


def _district_vote(agent, counter):
    """A record registered in a district a month ago, and a vote of that district open since yesterday."""
    district = District(name="Les Tilleuls")
    db.session.add(district)
    record, action = _record(agent, counter, district)
    decision = make_decision(Method.YES_NO)
    decision.districts.append(district)
    return district, record, action, decision


def test_attaching_keeps_the_district_and_its_open_votes(client, agent, counter):
    district, record, action, decision = _district_vote(agent, counter)
    account = make_user(name="Josiane Perrin")
    db.session.commit()
    assert district_refusal(account, decision) is not None

    attach_contributions(account, action.follow_up_code, date(1948, 3, 12))

    assert (account.district_id, account.district_since) == (district.id, record.district_since)
    assert district_refusal(account, decision) is None
    assert (account.full_name, account.birth_date, account.phone_normalized) == (
        "Josiane Perrin", date(1948, 3, 12), "0612345678")


def test_attaching_never_replaces_what_the_account_states(client, agent, counter):
    stated, at_counter = District(name="Centre"), District(name="Les Tilleuls")
    db.session.add_all([stated, at_counter])
    _record_, action = _record(agent, counter, at_counter)
    account = make_user(name="Josiane")
    account.district_id, account.district_since, account.phone = stated.id, utcnow(), "01 02 03 04 05"
    db.session.commit()

    attach_contributions(account, action.follow_up_code, date(1948, 3, 12))

    assert (account.district_id, account.phone) == (stated.id, "01 02 03 04 05")


def test_the_earlier_statement_of_the_same_district_counts(client, agent, counter):
    district, record, action, decision = _district_vote(agent, counter)
    account = make_user(name="Josiane")
    account.district_id, account.district_since = district.id, utcnow()  # after the vote opened
    db.session.commit()
    assert district_refusal(account, decision) is not None

    attach_contributions(account, action.follow_up_code, date(1948, 3, 12))

    assert account.district_since == record.district_since and district_refusal(account, decision) is None


def _login_as(client, account):
    """The resident on the test client, after the agent who registered the record logs out."""
    client.post_form("/logout")
    login(client, account)


def _typed(action):
    return {"code": action.follow_up_code, "birth_date": "12/03/1948"}


def test_the_code_and_birth_date_show_whose_record_it_is_and_only_the_confirmation_attaches(
        client, client_request, agent, counter):
    record, action = _record(agent, counter, None)
    db.session.add_all([Support(user_id=record.id, proposal_id=make_proposal().id),
                        Comment(author_id=record.id, proposal_id=make_proposal().id, body="Oui.")])
    db.session.commit()
    account = make_user(name="Manon Petit")
    _login_as(client, account)

    page = client_request.post("counters.attach", _data=_typed(action), _expected_status=200)
    assert page.h1 == "Contributions saisies au guichet pour Josiane P., né(e) le 12 mars 1948 : est-ce bien vous ?"
    assert page.texts(".attach-counts li") == ["Commentaires : 1", "Soutiens : 1"]
    # Another name than the account's: said, and the record's identity will not be copied.
    assert "pas au nom de votre compte" in page.text(".attach-other-name")
    db.session.refresh(record)
    assert record.merged_into_id is None and record.active  # nothing attached yet

    ticket = page.select_one('input[name="ticket"]')["value"]
    page = client_request.post("counters.attach_confirm", _data={"ticket": ticket}, _follow=True)
    assert page.notices == ["Ce qui a été saisi pour vous au guichet est maintenant rattaché à votre compte."]
    db.session.refresh(record)
    db.session.refresh(account)
    assert record.merged_into_id == account.id
    assert (account.full_name, account.birth_date, account.phone) == (None, None, None)


def test_under_the_same_name_the_account_gets_what_it_lacks_and_nothing_is_replaced(client, client_request, agent,
                                                                                    counter):
    _record_, action = _record(agent, counter, None)
    account = make_user(name="josiane PERRIN")
    account.phone = "01 02 03 04 05"
    db.session.commit()
    _login_as(client, account)
    page = client_request.post("counters.attach", _data=_typed(action), _expected_status=200)
    assert page.select(".attach-other-name") == []
    client_request.post("counters.attach_confirm", _data={"ticket": page.select_one('input[name="ticket"]')["value"]})
    db.session.refresh(account)
    assert (account.full_name, account.birth_date, account.phone) == ("Josiane Perrin", date(1948, 3, 12),
                                                                     "01 02 03 04 05")


@pytest.mark.parametrize("change", ["another account", "too old", "forged"])
def test_a_ticket_of_another_account_an_old_one_or_a_forged_one_attaches_nothing(
        client, client_request, agent, counter, monkeypatch, change):
    record, action = _record(agent, counter, None)
    _login_as(client, make_user(name="Josiane Perrin"))
    page = client_request.post("counters.attach", _data=_typed(action), _expected_status=200)
    ticket = page.select_one('input[name="ticket"]')["value"]
    if change == "another account":
        _login_as(client, make_user(name="Josiane Perrin"))
    elif change == "too old":
        monkeypatch.setattr(attaching, "TICKET_MAX_AGE", -1)
    else:
        ticket = ticket[:-2] + ("AA" if not ticket.endswith("AA") else "BB")
    page = client_request.post("counters.attach_confirm", _data={"ticket": ticket}, _follow=True)
    assert page.notices == ["Cette confirmation a expiré : saisissez de nouveau le code et votre date de naissance."]
    db.session.refresh(record)
    assert record.merged_into_id is None
    assert db.session.execute(db.select(User).where(User.merged_into_id.is_not(None))).first() is None


def test_an_account_erased_meanwhile_takes_in_no_record(client, agent, counter):
    """The erasure committed after this request loaded the account (its object still says it is not erased):
    the account's row, locked and read again, refuses, and the record keeps its own identity."""
    _record_, action = _record(agent, counter, None)
    account = make_user(name="Josiane Perrin")
    db.session.commit()
    erase_account(account, remove_contributions=False)
    db.session.commit()
    set_committed_value(account, "erased_at", None)  # as loaded before the erasure

    with pytest.raises(DomainError) as refused:
        attach_contributions(account, action.follow_up_code, date(1948, 3, 12))

    assert refused.value.message is ALREADY_ERASED
    record = db.session.get(User, _record_.id)
    assert record.merged_into_id is None and record.full_name == "Josiane Perrin"
