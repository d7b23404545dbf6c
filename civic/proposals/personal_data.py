"""What "my data" shows of proposals, comments and supports (privacy.registry)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..counters.models import assisted_fields
from ..privacy.registry import Section, register_section
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

