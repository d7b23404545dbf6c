"""Each proposal's support count is kept by the database in the transaction that changes its supports, on
every path (supporting, withdrawing, merging, attaching a counter record), and `flask check-counts` finds
and repairs a count that differs from the rows."""
from datetime import date

from sqlalchemy import update

from civic.accounts.models import Role
from civic.counters import audit, residents, sessions
from civic.counters.attach import attach_contributions
from civic.counters.models import AssistedActionKind, IdentityCheck
from civic.extensions import db
from civic.proposals import support_counts
from civic.proposals.models import Proposal, Support
from tests.counters.helpers import make_counter
from tests.factories import login, make_proposal, make_support, make_user


def counts(*proposals):
    for proposal in proposals:
        db.session.refresh(proposal)
    assert support_counts.miscounted() == []
    return [p.support_count for p in proposals]


def test_supporting_and_withdrawing_keep_the_count(client_request, login_as):
    proposal = make_proposal()
    make_support(proposal)
    login_as()
    client_request.post("proposals.support", proposal_id=proposal.id)
    client_request.post("proposals.support", proposal_id=proposal.id)  # twice: one support
    assert counts(proposal) == [2]
    client_request.post("proposals.unsupport", proposal_id=proposal.id)
    client_request.post("proposals.unsupport", proposal_id=proposal.id)
    assert counts(proposal) == [1]


def test_a_merge_moves_the_count_with_the_supports(client, ctx):
    duplicate, kept = make_proposal(), make_proposal()
    both = make_user()
    for user in (make_user(), make_user(), both):
        make_support(duplicate, user)
    make_support(kept, both)
    login(client, make_user(role=Role.MODERATOR))
    response = client.post_form(f"/moderation/proposal/{duplicate.id}", {"decision": "merge", "merge_into": str(kept.id)})
    assert response.status_code == 302
    # The one who supported both keeps one support on each: the merged one no longer counts in the lists.
    assert counts(duplicate, kept) == [1, 3]


def test_attaching_a_counter_record_counts_a_resident_once(ctx):
    agent = make_user(role=Role.COUNTER_AGENT)
    counter = make_counter(agent)
    proposal, other = make_proposal(), make_proposal()
    record = residents.register_resident(agent, counter, full_name="Léon Blum", birth_date=date(1940, 1, 1))
    session = sessions.open_session(agent, counter, record, identity_check=IdentityCheck.DOCUMENT, consent=True)
    db.session.add_all([Support(proposal_id=proposal.id, user_id=record.id),
                        Support(proposal_id=other.id, user_id=record.id)])
    action = audit.record(session, AssistedActionKind.SUPPORT_ADDED, about=proposal)
    account = make_user()
    db.session.add(Support(proposal_id=proposal.id, user_id=account.id))
    db.session.commit()
    assert counts(proposal, other) == [2, 1]
    attach_contributions(account, action.follow_up_code, date(1940, 1, 1))
    db.session.commit()
    assert counts(proposal, other) == [1, 1]


def test_deleting_a_proposal_or_an_account_leaves_no_count_behind(ctx):
    proposal = make_proposal()
    supporter = make_user()
    make_support(proposal, supporter)
    make_support(proposal)
    db.session.delete(supporter)  # its supports go with it (ON DELETE CASCADE)
    db.session.commit()
    assert counts(proposal) == [1]


def test_check_counts_finds_and_repairs_a_wrong_count(app, ctx):
    proposal = make_proposal()
    make_support(proposal)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["check-counts"]).exit_code == 0
    db.session.execute(update(Proposal).where(Proposal.id == proposal.id).values(support_count=7))
    db.session.commit()
    result = runner.invoke(args=["check-counts"])
    assert result.exit_code == 1
    assert f"proposal {proposal.id}: support_count 7, 1 support rows" in result.output
    result = runner.invoke(args=["check-counts", "--repair"])
    assert result.exit_code == 0 and "1 counts repaired." in result.output
    assert counts(proposal) == [1]
