"""What "my data" shows of proposals, comments and supports, and what erasing their author removes when
they choose so (privacy.registry)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import aliased, joinedload

from ..answers.models import Answer
from ..counters.models import assisted_fields
from ..db_types import utcnow
from ..decisions.models import Option
from ..processes.models import ProcessProposal
from ..extensions import db
from ..following.models import Follow
from ..moderation.models import Report
from ..privacy.registry import Section, register_section, removes_contributions
from ..targets import TargetType
from .models import Comment, Proposal, Support


def _when(value):
    return value.isoformat() if value else None


def _comment(c):
    return {"id": c.id, "proposal_id": c.proposal_id, "body": None if c.is_deleted else c.body,
            "created_at": _when(c.created_at), "deleted_at": _when(c.deleted_at), "hidden": c.is_hidden,
            "moderation_reason": c.moderation_reason, **assisted_fields(c)}


register_section(Section(
    key="proposals", title=_l("Proposals"), order=10, template="proposals/_my_proposals.html",
    rows=lambda people: select(Proposal).where(Proposal.author_id.in_(people)).options(joinedload(Proposal.counter)),
    time=(Proposal.created_at, Proposal.id),
    as_json=lambda p: {"id": p.id, "title": p.title, "body": p.body, "place": p.place, "state": p.state.value,
                       "moderation_reason": p.moderation_reason, "created_at": _when(p.created_at),
                       **assisted_fields(p)}))
register_section(Section(
    key="comments", title=_l("Comments"), order=20, template="proposals/_my_comments.html",
    rows=lambda people: select(Comment, Proposal.title).join(Proposal, Proposal.id == Comment.proposal_id)
    .where(Comment.author_id.in_(people)).options(joinedload(Comment.counter)),
    time=(Comment.created_at, Comment.id),
    as_json=lambda row: _comment(row.Comment)))
register_section(Section(
    key="supports", title=_l("Supports"), order=30, template="proposals/_my_supports.html",
    rows=lambda people: select(Support, Proposal.title).join(Proposal, Proposal.id == Support.proposal_id)
    .where(Support.user_id.in_(people)).options(joinedload(Support.counter)),
    time=(Support.created_at, Support.id),
    as_json=lambda row: {"proposal_id": row.Support.proposal_id, "proposal_title": row.title,
                         "created_at": _when(row.Support.created_at), **assisted_fields(row.Support)}))



def _settle_reports(target_type, ids):
    """Reports waiting on what is removed: there is nothing left for a moderator to decide."""
    db.session.execute(update(Report).where(Report.target_type == target_type, Report.target_id.in_(ids),
                                            Report.resolved_at.is_(None)).values(resolved_at=utcnow()))


def _remove_comments(column, erasure):
    """Deleted as their author deletes one, the text wiped too: a comment others replied to stays in its
    thread as "deleted", so that the replies keep their place."""
    mine = select(Comment.id).where(column.in_(erasure.accounts))
    _settle_reports(TargetType.COMMENT, mine)
    db.session.execute(update(Comment).where(Comment.id.in_(mine), Comment.deleted_at.is_(None))
                       .values(deleted_at=utcnow()).execution_options(synchronize_session=False))
    db.session.execute(update(Comment).where(Comment.id.in_(mine)).values(body="")
                       .execution_options(synchronize_session=False))


def _remove_proposals(column, erasure):
    """Removed when nothing else depends on them: no support nor comment from anyone else, no official
    answer nor technical study, not an option of a vote, nothing merged into it nor it into another. The others
    stay, under "Deleted participant": other residents supported or discussed them, a vote, an answer or a study
    refers to them."""
    merged = aliased(Proposal)
    removable = select(Proposal.id).where(
        column.in_(erasure.accounts), Proposal.merged_into_id.is_(None),
        ~exists().where(Support.proposal_id == Proposal.id, Support.user_id.not_in(erasure.accounts)),
        ~exists().where(Comment.proposal_id == Proposal.id, Comment.author_id.not_in(erasure.accounts)),
        ~exists().where(Answer.proposal_id == Proposal.id),
        ~exists().where(Option.proposal_id == Proposal.id),
        ~exists().where(merged.merged_into_id == Proposal.id),
        ~exists().where(ProcessProposal.proposal_id == Proposal.id, ProcessProposal.feasibility.is_not(None)),
        ~exists().where(ProcessProposal.merged_into_id == Proposal.id))
    ids = db.session.execute(removable).scalars().all()
    if not ids:
        return
    comments = select(Comment.id).where(Comment.proposal_id.in_(ids))
    _settle_reports(TargetType.COMMENT, comments)
    _settle_reports(TargetType.PROPOSAL, ids)
    db.session.execute(delete(Follow).where(Follow.target_type == TargetType.PROPOSAL, Follow.target_id.in_(ids)))
    db.session.execute(delete(Support).where(Support.proposal_id.in_(ids)))
    db.session.execute(delete(Comment).where(Comment.proposal_id.in_(ids)))
    db.session.execute(delete(Proposal).where(Proposal.id.in_(ids)).execution_options(synchronize_session=False))


removes_contributions(Comment.author_id, _remove_comments)
removes_contributions(Proposal.author_id, _remove_proposals)
