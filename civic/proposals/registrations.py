"""What proposals, comments and supports are to the other packages: how they are moderated (which
decisions each state allows, and what each does), followed, and shown from a receipt."""
from flask_babel import lazy_gettext as _l, lazy_pgettext
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ..db_types import utcnow
from ..extensions import db
from ..counters.lapse import register_lapsed_form
from ..counters.receipts import ReceiptKind, register_receipt
from ..following.services import register_followable
from ..i18n import current_language
from ..moderation.models import ModerationKind
from ..moderation.registry import Moderated, register
from ..opendata import sitemap
from ..staff_log import Field, describe_fields, enum_value, numbered_as
from ..targets import TargetType
from ..themes.services import active_themes
from .forms import CommentForm, ProposalForm
from .models import Comment, Proposal, ProposalState, Support
from .services import is_open

DECISIONS = {
    ProposalState.PENDING: {ModerationKind.PUBLISH, ModerationKind.REQUEST_CHANGES, ModerationKind.REJECT,
                            ModerationKind.MERGE},
    ProposalState.CHANGES_REQUESTED: {ModerationKind.REJECT},
    ProposalState.PUBLISHED: {ModerationKind.HIDE, ModerationKind.REQUEST_CHANGES, ModerationKind.MERGE},
    ProposalState.HIDDEN: {ModerationKind.RESTORE},
    ProposalState.REJECTED: {ModerationKind.RESTORE},
    ProposalState.MERGED: set(),
    ProposalState.WITHDRAWN: {ModerationKind.HIDE},
}


def _proposal_decisions(proposal):
    return set(DECISIONS[proposal.state])


def _apply_to_proposal(proposal, kind, reason, message, merge_into):
    proposal.moderation_reason = reason or None
    if kind is ModerationKind.PUBLISH or kind is ModerationKind.RESTORE:
        # Moderation never undoes the author's own withdrawal.
        proposal.state = ProposalState.WITHDRAWN if proposal.was_withdrawn else ProposalState.PUBLISHED
    elif kind is ModerationKind.REQUEST_CHANGES:
        proposal.state, proposal.moderation_message = ProposalState.CHANGES_REQUESTED, message
    elif kind is ModerationKind.REJECT:
        proposal.state = ProposalState.REJECTED
    elif kind is ModerationKind.HIDE:
        proposal.state = ProposalState.HIDDEN
    elif kind is ModerationKind.MERGE:
        _merge(proposal, merge_into)


def _merge(duplicate, kept):
    """Supports move to the kept proposal, except from residents who already support it: theirs stay on
    the merged one, which no longer counts, so nobody is counted twice and nothing is deleted. One
    statement: a support withdrawn at the same moment is simply not moved."""
    already = select(Support.user_id).where(Support.proposal_id == kept.id)
    db.session.execute(update(Support).where(Support.proposal_id == duplicate.id, Support.user_id.not_in(already))
                       .values(proposal_id=kept.id))
    duplicate.state, duplicate.merged_into_id = ProposalState.MERGED, kept.id


def _can_merge(duplicate, kept):
    return kept.id != duplicate.id and kept.state is ProposalState.PUBLISHED and not kept.held_by_reports


def _waiting():
    return select(Proposal.id.label("target_id"), Proposal.updated_at.label("since")).where(
        Proposal.state == ProposalState.PENDING)


def _comment_decisions(comment):
    if comment.hidden_at is not None:
        return {ModerationKind.RESTORE}
    if comment.is_deleted:
        return set()
    return {ModerationKind.HIDE}


def _apply_to_comment(comment, kind, reason, _message, _merge_into):
    comment.hidden_at = utcnow() if kind is ModerationKind.HIDE else None
    comment.moderation_reason = reason if kind is ModerationKind.HIDE else None


register(Moderated(
    type=TargetType.PROPOSAL, decisions=_proposal_decisions, apply=_apply_to_proposal,
    state=lambda p: {"state": p.state.value, "held_by_reports": p.held_by_reports, "reason": p.moderation_reason,
                     "merged_into": p.merged_into_id},
    reportable=is_open, template="proposals/_moderated_proposal.html", report_title=_l("Report this proposal"),
    reviewed=lambda p: _l("Your proposal “%(title)s” was reviewed by a moderator.", title=p.title),
    waiting=_waiting, eager=(joinedload(Proposal.author),),
    merged_with=lambda _p, number: db.session.get(Proposal, number), can_merge=_can_merge))
register(Moderated(
    type=TargetType.COMMENT, decisions=_comment_decisions, apply=_apply_to_comment,
    state=lambda c: {"hidden": c.hidden_at is not None, "held_by_reports": c.held_by_reports,
                     "reason": c.moderation_reason},
    reportable=lambda c: not c.is_deleted and not c.is_hidden and c.proposal.is_public,
    template="proposals/_moderated_comment.html", report_title=_l("Report this comment"),
    eager=(joinedload(Comment.author), joinedload(Comment.proposal)),
    reviewed=lambda c: _l("Your comment on “%(title)s” was reviewed by a moderator.", title=c.proposal.title)))
# What a moderation decision changed, as the staff log shows it (the ``state`` above).
describe_fields(TargetType.PROPOSAL, "moderation", {
    "state": Field(_l("State"), enum_value(ProposalState)),
    "held_by_reports": Field(_l("Hidden after reports")),
    "reason": Field(_l("Public reason")),
    "merged_into": Field(_l("Merged into"), numbered_as(TargetType.PROPOSAL)),
})
describe_fields(TargetType.COMMENT, "moderation", {
    "hidden": Field(lazy_pgettext("state of a comment", "Hidden")),
    "held_by_reports": Field(_l("Hidden after reports")),
    "reason": Field(_l("Public reason")),
})
register_followable(TargetType.PROPOSAL, lambda proposal: proposal.is_public)
def _on_proposal(proposal):
    return _l("Proposal: %(title)s", title=proposal.title)


# A comment's or a support's receipt names the proposal it is about, and its follow-up shows that proposal too.
register_receipt(ReceiptKind(type=TargetType.PROPOSAL, template="proposals/_follow_up_proposal.html",
                             summary=_on_proposal))
register_receipt(ReceiptKind(type=TargetType.COMMENT, template="proposals/_follow_up_comment.html",
                             summary=lambda comment: _on_proposal(comment.proposal)))
register_receipt(ReceiptKind(type=TargetType.SUPPORT, template="proposals/_follow_up_support.html",
                             summary=lambda support: _on_proposal(support.proposal)))


def _typed_proposal(formdata):
    form = ProposalForm(formdata, meta={"csrf": False})
    form.set_themes(active_themes(), current_language())
    return form


# What an agent typed for a resident whose session ended is shown again, field by field (counters.lapse).
register_lapsed_form("proposals.new", _typed_proposal)
register_lapsed_form("proposals.comment", lambda formdata: CommentForm(formdata, meta={"csrf": False}))

# The public proposals' pages in sitemap.xml: those the public lists show (services.list_proposals).
sitemap.register(sitemap.RecordPages(
    "proposals", "proposals.detail", "proposal_id", order=10,
    query=lambda: select(Proposal.id).where(Proposal.is_public)))
