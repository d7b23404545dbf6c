"""The proposals and their comments as open data (civic.opendata): what their pages show to anybody.

A proposal is published when anyone may read its page (Proposal.readable_by_anyone, which the rules ask
too): pending, rejected, hidden, held and sent-back ones never appear; withdrawn and merged ones do, as
their pages show them. Its comments appear as its page lists them: a deleted or hidden one keeps its place
in the thread (replies name it) and says why, without its text, author or date.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..answers.models import Answer
from ..extensions import db
from ..opendata.datasets import Dataset, register
from .models import Comment, Proposal, ProposalState


def public_names(user_ids):
    """{account id: the name its contributions are signed with}; None for an erased account (its pages say
    "Deleted participant", in the reader's language). One query for a batch."""
    rows = db.session.execute(select(User.id, User._display_name, User.erased_at).where(User.id.in_(set(user_ids))))
    return {user_id: None if erased_at is not None else name for user_id, name, erased_at in rows}


def _readable(ids):
    """Which of these proposals anybody may read, in one query."""
    return set(db.session.execute(select(Proposal.id).where(Proposal.id.in_(set(ids)), Proposal.readable_by_anyone))
               .scalars())


def _proposal_rows(proposals):
    answers = {a.proposal_id: a for a in db.session.execute(
        select(Answer).where(Answer.proposal_id.in_([p.id for p in proposals]))).scalars()}
    # A merge target hidden since is not shown: its page says the proposal went into one "not shown at the moment".
    targets = _readable(p.merged_into_id for p in proposals if p.merged_into_id is not None)
    rows = []
    for p in proposals:
        answer = answers.get(p.id)
        rows.append({
            "id": p.id, "title": p.title, "body": p.body, "theme_id": p.theme_id, "place": p.place,
            "district_id": p.district_id,
            "state": p.state.value,
            "withdrawal_reason": p.withdrawn_reason if p.state is ProposalState.WITHDRAWN else None,
            "merged_into_id": p.merged_into_id if p.merged_into_id in targets else None,
            "language": p.language, "channel": p.channel.value,
            "created_at": p.created_at, "published_at": p.published_at,
            "support_count": p.support_count, "comment_count": p.comment_count,
            "answer_status": answer.status.value if answer else None,
            "answered_at": answer.created_at if answer else None,
            "answer_updated_at": answer.updated_at if answer else None,
        })
    return rows


def _status(comment):
    """What the page shows of a comment: the macro comment_article of templates/components/proposals.html, in words."""
    if comment.is_deleted:
        return "deleted"
    if comment.hidden_at is not None:
        return "hidden"
    if comment.held_by_reports:
        return "held"
    return "shown"


def _comment_rows(comments):
    names = public_names(c.author_id for c in comments if c.open_for_replies)
    rows = []
    for c in comments:
        status, shown = _status(c), c.open_for_replies
        rows.append({
            "id": c.id, "proposal_id": c.proposal_id, "parent_id": c.parent_id, "status": status,
            "author_name": names[c.author_id] if shown else None, "body": c.body if shown else None,
            "language": c.language if shown else None, "channel": c.channel.value if shown else None,
            "created_at": c.created_at if shown else None,
            "moderation_reason": (c.moderation_reason or None) if status == "hidden" else None,
        })
    return rows


# Hidden, held, sent back, corrected by its author, or removed with its author's contributions: not comments, supports
# or a merge, which leave the text as it was (a day's delay on a count is the update frequency).
_PROPOSAL_WITHDRAWN = (Proposal.state, Proposal.held_by_reports, Proposal.title, Proposal.body, Proposal)

register(Dataset(
    name="proposals", title=_l("Proposals"),
    description=_l("The residents' proposals that anybody can read, with their supports, comments and answers."),
    query=lambda: select(Proposal).where(Proposal.readable_by_anyone), key=Proposal.id, serialise=_proposal_rows,
    withdrawn_by=_PROPOSAL_WITHDRAWN, order=10))
register(Dataset(
    name="comments", title=_l("Comments"),
    description=_l("The comments on those proposals; a deleted or hidden one keeps its place without its text."),
    query=lambda: select(Comment).join(Proposal, Proposal.id == Comment.proposal_id).where(Proposal.readable_by_anyone),
    key=Comment.id, serialise=_comment_rows,
    # Its author's name too: an erased account's or a renamed one's (pages show the name of today).
    withdrawn_by=_PROPOSAL_WITHDRAWN + (Comment.deleted_at, Comment.hidden_at, Comment.held_by_reports, Comment.body,
                                        Comment, User._display_name, User.erased_at),
    order=20))
