"""Attaching counter contributions to an account completes the account with what the agent recorded."""
from datetime import date, timedelta

from civic.accounts.models import District
from civic.counters import audit, residents, sessions
from civic.counters.attach import attach_contributions
from civic.counters.models import AssistedActionKind, IdentityCheck
from civic.db_types import utcnow
from civic.decisions.services import district_refusal
from civic.decisions.models import Method
from civic.extensions import db
from tests.factories import make_proposal, make_user
from tests.decisions.helpers import make_decision


def _record(agent, counter, district):
    db.session.commit()
    record = residents.register_resident(agent, counter, full_name="Josiane Perrin", birth_date=date(1948, 3, 12),
                                         district_id=district.id, phone="06 12 34 56 78")
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
    account = make_user(name="Josiane")
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
