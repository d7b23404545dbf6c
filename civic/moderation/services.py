"""Moderation: settings, reports, the queue and the moderators' decisions."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from .. import staff_log
from ..accounts.models import Role
from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..transaction import lock_rows, unique_insert
from ..following.services import mail_to
from ..proposals.models import Comment, Proposal, ProposalState, Support, Theme
from .models import ModerationAction, ModerationKind, ModerationMode, Report, ReportReason, Setting

DEFAULT_THRESHOLD = 3


# --- Settings --------------------------------------------------------------------------------

def _setting(key, default):
    row = db.session.get(Setting, key)
    return row.value if row else default


def global_mode():
    value = _setting("moderation_mode", ModerationMode.POST.value)
    return ModerationMode(value) if value in {m.value for m in ModerationMode} else ModerationMode.POST


def report_threshold():
    value = _setting("report_threshold", str(DEFAULT_THRESHOLD))
    return int(value) if value.isdigit() and int(value) >= 1 else DEFAULT_THRESHOLD


def mode_for(theme):
    return theme.moderation or global_mode()


def save_settings(admin, mode, threshold, theme_modes):
    """theme_modes: {theme id: ModerationMode or None (the site-wide setting)}."""
    if not 1 <= threshold <= 100:
        raise DomainError(_l("Choose a number of reports between 1 and 100."), field="report_threshold")
    before = {"mode": global_mode().value, "threshold": report_threshold(),
              "themes": {t.id: t.moderation.value if t.moderation else None for t in db.session.scalars(select(Theme))}}
    for key, value in (("moderation_mode", mode.value), ("report_threshold", str(threshold))):
        row = db.session.get(Setting, key)
        if row is None:
            with unique_insert(DomainError(_l("Another administrator changed these settings at the same moment: "
                                              "reload the page and check them."))):
                db.session.add(Setting(key=key, value=value))
        else:
            row.value = value
    for theme_id, theme_mode in theme_modes.items():
        theme = db.session.get(Theme, theme_id)
        if theme is not None:
            theme.moderation = theme_mode
    db.session.flush()
    after = {"mode": mode.value, "threshold": threshold,
             "themes": {t.id: t.moderation.value if t.moderation else None for t in db.session.scalars(select(Theme))}}
    if before != after:
        staff_log.record(admin, "settings", "moderation", "setting", None, before, after)


# --- Targets ---------------------------------------------------------------------------------

def get_target(target_type, target_id):
    model = {"proposal": Proposal, "comment": Comment}.get(target_type)
    return db.session.get(model, target_id) if model else None


def _state(target):
    if isinstance(target, Proposal):
        return {"state": target.state.value, "held_by_reports": target.held_by_reports,
                "reason": target.moderation_reason, "merged_into": target.merged_into_id}
    return {"hidden": target.hidden_at is not None, "held_by_reports": target.held_by_reports,
            "reason": target.moderation_reason}


def target_type_of(target):
    return "proposal" if isinstance(target, Proposal) else "comment"


def reportable(target):
    if isinstance(target, Proposal):
        return target.state is ProposalState.PUBLISHED and not target.held_by_reports
    return not target.is_deleted and not target.is_hidden and target.proposal.is_public


# --- Reports ---------------------------------------------------------------------------------

def report(user, target, reason, text=""):
    """Record one resident's report; at the threshold of distinct residents the content is held."""
    if user.role is not Role.RESIDENT:
        raise DomainError(_l("Only residents report content; moderators act on it directly."))
    if target.author_id == user.id:
        raise DomainError(_l("You cannot report what you wrote yourself."))
    text = (text or "").strip()
    if reason is ReportReason.OTHER and not text:
        raise DomainError(_l("Say in a few words what the problem is."), field="text")
    # Reports arriving together are counted one after the other: only one of them reaches the
    # threshold and hides the content, with one journal entry; the later ones find it hidden.
    lock_rows(target)
    if not reportable(target):
        raise DomainError(_l("This content is already being reviewed or is no longer shown."))
    target_type = target_type_of(target)
    with unique_insert(DomainError(_l("You have already reported this."))):
        db.session.add(Report(reporter_id=user.id, target_type=target_type, target_id=target.id, reason=reason,
                              text=text))
    reporters = db.session.execute(
        select(func.count(func.distinct(Report.reporter_id))).where(
            Report.target_type == target_type, Report.target_id == target.id, Report.resolved_at.is_(None))
    ).scalar_one()
    if reporters >= report_threshold() and not target.held_by_reports:
        target.held_by_reports = True
        db.session.add(ModerationAction(target_type=target_type, target_id=target.id,
                                        kind=ModerationKind.HELD_BY_REPORTS, created_at=utcnow(),
                                        public_reason=str(_l("Reported by %(n)d residents: hidden until a moderator "
                                                             "decides.", n=reporters))))
    db.session.flush()
    return reporters


def open_reports(target_type, target_id):
    return db.session.execute(
        select(Report).where(Report.target_type == target_type, Report.target_id == target_id,
                             Report.resolved_at.is_(None)).order_by(Report.created_at)).scalars().all()


# --- The queue -------------------------------------------------------------------------------

def queue():
    """What waits for a moderator, oldest first: proposals held for review, and reported content."""
    items = {}
    for proposal in db.session.execute(select(Proposal).where(Proposal.state == ProposalState.PENDING)).scalars():
        items[("proposal", proposal.id)] = {"target": proposal, "type": "proposal", "since": proposal.updated_at,
                                            "reports": []}
    for row in db.session.execute(select(Report).where(Report.resolved_at.is_(None))
                                  .order_by(Report.created_at)).scalars():
        key = (row.target_type, row.target_id)
        if key not in items:
            target = get_target(*key)
            if target is None:
                continue
            items[key] = {"target": target, "type": row.target_type, "since": row.created_at, "reports": []}
        items[key]["reports"].append(row)
        items[key]["since"] = min(items[key]["since"], row.created_at)
    return sorted(items.values(), key=lambda item: (item["since"], item["type"], item["target"].id))


# --- Decisions -------------------------------------------------------------------------------

ALLOWED = {
    # proposal state (or "held") -> what a moderator may do
    ProposalState.PENDING: {ModerationKind.PUBLISH, ModerationKind.REQUEST_CHANGES, ModerationKind.REJECT,
                            ModerationKind.MERGE},
    ProposalState.CHANGES_REQUESTED: {ModerationKind.REJECT},
    ProposalState.PUBLISHED: {ModerationKind.HIDE, ModerationKind.REQUEST_CHANGES, ModerationKind.MERGE},
    ProposalState.HIDDEN: {ModerationKind.RESTORE},
    ProposalState.REJECTED: {ModerationKind.RESTORE},
    ProposalState.MERGED: set(),
    ProposalState.WITHDRAWN: {ModerationKind.HIDE},
}


def allowed_kinds(target):
    if isinstance(target, Proposal):
        kinds = set(ALLOWED[target.state])
        if target.held_by_reports:
            kinds |= {ModerationKind.RESTORE}  # keep it published: the reports were unfounded
        return kinds
    if target.hidden_at is not None:
        return {ModerationKind.RESTORE}
    if target.is_deleted:
        return set()
    return {ModerationKind.HIDE} | ({ModerationKind.RESTORE} if target.held_by_reports else set())


NEEDS_REASON = {ModerationKind.REJECT, ModerationKind.HIDE}


def decide(moderator, target, kind, reason="", message="", merge_into=None):
    """Apply a moderation decision, log it publicly and for staff, and tell the author."""
    # Two moderators deciding at once: the second sees the first's decision (and merging A into B
    # while another merges B into A, the second finds A merged).
    lock_rows(target, *([merge_into] if isinstance(merge_into, Proposal) and kind is ModerationKind.MERGE else []))
    if kind not in allowed_kinds(target):
        raise DomainError(_l("This action is not possible in the content's current state."))
    reason, message = (reason or "").strip(), (message or "").strip()
    if kind in NEEDS_REASON and not reason:
        raise DomainError(_l("Give the public reason: it is shown in place of the content and in the journal."),
                          field="reason")
    if kind is ModerationKind.REQUEST_CHANGES and not message:
        raise DomainError(_l("Tell the author what to change."), field="message")
    if kind is ModerationKind.MERGE:
        _check_merge(target, merge_into)
    before, target_type = _state(target), target_type_of(target)
    if isinstance(target, Proposal):
        _decide_proposal(target, kind, reason, message, merge_into)
    else:
        target.held_by_reports = False
        target.hidden_at = utcnow() if kind is ModerationKind.HIDE else None
        target.moderation_reason = reason if kind is ModerationKind.HIDE else None
    now = utcnow()
    for row in open_reports(target_type, target.id):
        row.resolved_at = now
    db.session.add(ModerationAction(moderator_id=moderator.id, target_type=target_type, target_id=target.id,
                                    kind=kind, public_reason=reason, message_to_author=message, created_at=now,
                                    merged_into_id=merge_into.id if merge_into else None))
    db.session.flush()
    staff_log.record(moderator, "moderation", kind.value, target_type, target.id, before, _state(target))
    mail_to(target.author, "mail/moderated.txt", _l("Moderation of your contribution"), target=target,
            target_type=target_type, kind=kind.value, reason=reason, message=message, merge_into=merge_into)


def _decide_proposal(proposal, kind, reason, message, merge_into):
    proposal.held_by_reports = False
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


def _check_merge(duplicate, kept):
    if (not isinstance(duplicate, Proposal) or kept is None or kept.id == duplicate.id
            or kept.state is not ProposalState.PUBLISHED or kept.held_by_reports):
        raise DomainError(_l("Give the number of a published proposal to merge this one into."), field="merge_into")


def _merge(duplicate, kept):
    """Supports move to the kept proposal, except from residents who already support it: theirs stay on
    the merged one, which no longer counts, so nobody is counted twice and nothing is deleted. One
    statement: a support withdrawn at the same moment is simply not moved."""
    already = select(Support.user_id).where(Support.proposal_id == kept.id)
    db.session.execute(update(Support).where(Support.proposal_id == duplicate.id, Support.user_id.not_in(already))
                       .values(proposal_id=kept.id))
    duplicate.state, duplicate.merged_into_id = ProposalState.MERGED, kept.id


def author_edited(proposal):
    """A proposal sent back for changes goes back to the queue when its author edits it."""
    if proposal.state is ProposalState.CHANGES_REQUESTED:
        proposal.state = ProposalState.PENDING


def journal():
    return select(ModerationAction).order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
