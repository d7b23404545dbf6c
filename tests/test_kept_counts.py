"""Each proposal's support count and count of comments shown are kept by the database in the transaction that
changes its supports or comments, on every path (supporting, withdrawing, commenting, deleting, hiding, holding
by reports and putting back, merging, attaching a counter record), and `flask check-counts` finds and repairs a
count that differs from the rows."""
from datetime import date

from sqlalchemy import update

from civic.accounts.models import Role
from civic.counters import audit, residents, sessions
from civic.counters.attach import attach_contributions
from civic.counters.models import AssistedActionKind, IdentityCheck
from civic.extensions import db
from civic.moderation import services as moderation
from civic.moderation.models import ModerationKind, ReportReason
from civic.proposals import kept_counts
from civic.proposals.models import Comment, Proposal, Support
from tests.counters.helpers import make_counter
from tests.factories import login, make_comment, make_proposal, make_support, make_user


def _checked(*proposals):
    for proposal in proposals:
        db.session.refresh(proposal)
    assert [kept_counts.miscounted(kept) for kept in kept_counts.KEPT] == [[], []]


def counts(*proposals):
    _checked(*proposals)
    return [p.support_count for p in proposals]


def comments_shown(*proposals):
    _checked(*proposals)
    return [p.comment_count for p in proposals]


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
    db.session.execute(update(Proposal).where(Proposal.id == proposal.id).values(comment_count=3))
    db.session.commit()
    result = runner.invoke(args=["check-counts"])
    assert result.exit_code == 1
    assert f"proposal {proposal.id}: supports 7, 1 rows" in result.output
    assert f"proposal {proposal.id}: comments shown 3, 0 rows" in result.output
    result = runner.invoke(args=["check-counts", "--repair"])
    assert result.exit_code == 0 and "2 counts repaired." in result.output
    assert counts(proposal) == [1] and comments_shown(proposal) == [0]


def test_commenting_replying_and_deleting_keep_the_count(client_request, login_as):
    proposal = make_proposal()
    make_comment(proposal)
    login_as()
    client_request.post("proposals.comment", proposal_id=proposal.id, _data={"body": "Oui, près de l'école."})
    thread = db.session.execute(db.select(Comment).order_by(Comment.id.desc()).limit(1)).scalar_one()
    client_request.post("proposals.comment", proposal_id=proposal.id,
                        _data={"body": "Et du parc.", "parent_id": str(thread.id)})
    assert comments_shown(proposal) == [3]
    client_request.post("proposals.delete_comment", comment_id=thread.id)
    assert comments_shown(proposal) == [2]


def test_hiding_holding_and_putting_back_keep_the_count(ctx, app):
    proposal = make_proposal()
    comment, other = make_comment(proposal), make_comment(proposal)
    moderator = make_user(role=Role.MODERATOR)
    with app.test_request_context():
        moderation.decide(moderator, comment, ModerationKind.HIDE, reason="Hors sujet")
        db.session.commit()
        assert comments_shown(proposal) == [1]
        moderation.decide(moderator, comment, ModerationKind.RESTORE)
        db.session.commit()
        assert comments_shown(proposal) == [2]
        for _ in range(moderation.report_threshold()):
            moderation.report(make_user(), other, ReportReason.SPAM)
        db.session.commit()
        assert db.session.get(Comment, other.id).held_by_reports and comments_shown(proposal) == [1]
        moderation.decide(moderator, other, ModerationKind.KEEP)  # the reports were unfounded
        db.session.commit()
    assert comments_shown(proposal) == [2]


def test_a_merge_keeps_the_comment_counts(client, ctx):
    duplicate, kept = make_proposal(), make_proposal()
    make_comment(duplicate), make_comment(duplicate), make_comment(kept)
    login(client, make_user(role=Role.MODERATOR))
    response = client.post_form(f"/moderation/proposal/{duplicate.id}", {"decision": "merge", "merge_into": str(kept.id)})
    assert response.status_code == 302
    # Wherever the merge leaves the comments, the counts follow them.
    assert sum(comments_shown(duplicate, kept)) == 3
