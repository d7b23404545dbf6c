"""Moderation: settings, reports, the queue and the moderators' decisions.

What a decision does to a kind of content is that kind's owner's (moderation.registry); here
are the order of things, the reports, the journal and who is told.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from .. import site_settings, staff_log, targets
from ..access import Action, check
from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..notifications.services import mail_to
from ..transaction import lock_rows, unique_insert
from .models import ModerationAction, ModerationKind, ModerationMode, Report, ReportReason
from .registry import moderated, registered

DEFAULT_THRESHOLD = 3
NEEDS_REASON = {ModerationKind.REJECT, ModerationKind.HIDE}
ALREADY_UNDER_REVIEW = _l("This content is already being reviewed or is no longer shown.")


# --- Settings --------------------------------------------------------------------------------

def global_mode():
    value = site_settings.get("moderation_mode", ModerationMode.POST.value)
    return ModerationMode(value) if value in {m.value for m in ModerationMode} else ModerationMode.POST


def report_threshold():
    value = site_settings.get("report_threshold", str(DEFAULT_THRESHOLD))
    return int(value) if value.isdigit() and int(value) >= 1 else DEFAULT_THRESHOLD


def mode_for(theme):
    """Pre- or post-moderation of the proposals of ``theme`` (its own setting, else the site's)."""
    return theme.moderation or global_mode()


def save_settings(admin, mode, threshold, theme_modes):
    """theme_modes: {theme: ModerationMode or None (the site-wide setting)}."""
    if not 1 <= threshold <= 100:
        raise DomainError(_l("Choose a number of reports between 1 and 100."), field="report_threshold")

    def state():
        return {"mode": global_mode().value, "threshold": report_threshold(),
                "themes": {t.id: t.moderation.value if t.moderation else None for t in theme_modes}}

    before = state()
    conflict = DomainError(_l("Another administrator changed these settings at the same moment: reload the page "
                              "and check them."))
    site_settings.put("moderation_mode", mode.value, conflict)
    site_settings.put("report_threshold", str(threshold), conflict)
    for theme, theme_mode in theme_modes.items():
        theme.moderation = theme_mode
    db.session.flush()
    after = state()
    if before != after:
        staff_log.record(admin, "settings", "moderation", targets.TargetType.SETTING, None, before, after)


# --- Reports ---------------------------------------------------------------------------------

def report(user, target, reason, text=""):
    """Record one resident's report; at the threshold of distinct residents the content is held."""
    check(user, Action.REPORT, target)
    text = (text or "").strip()
    if reason is ReportReason.OTHER and not text:
        raise DomainError(_l("Say in a few words what the problem is."), field="text")
    # Reports arriving together are counted one after the other: only one of them reaches the
    # threshold and hides the content, with one journal entry; the later ones find it hidden.
    lock_rows(target)
    if not moderated(target).reportable(target):
        raise DomainError(ALREADY_UNDER_REVIEW)
    target_type = targets.type_of(target)
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


def open_reports(target):
    return db.session.execute(
        select(Report).where(Report.target_type == targets.type_of(target), Report.target_id == target.id,
                             Report.resolved_at.is_(None)).order_by(Report.created_at)).scalars().all()


def resolve_reports(target, when=None):
    """The reports waiting on ``target`` are settled (decided on, or the content deleted by its author)."""
    db.session.execute(update(Report).where(Report.target_type == targets.type_of(target),
                                            Report.target_id == target.id, Report.resolved_at.is_(None))
                       .values(resolved_at=when or utcnow()))


# --- The queue -------------------------------------------------------------------------------

def queue():
    """What waits for a moderator, oldest first: content waiting for review, and reported content."""
    items = {}
    for kind in registered().values():
        for target, since in (kind.waiting() if kind.waiting else ()):
            items[(kind.type, target.id)] = {"target": target, "type": kind.type, "since": since, "reports": [],
                                             "waiting": True}
    for row in db.session.execute(select(Report).where(Report.resolved_at.is_(None))
                                  .order_by(Report.created_at)).scalars():
        key = (row.target_type, row.target_id)
        if key not in items:
            target = targets.get(*key)
            if target is None:
                continue
            items[key] = {"target": target, "type": row.target_type, "since": row.created_at, "reports": [],
                          "waiting": False}
        items[key]["reports"].append(row)
        items[key]["since"] = min(items[key]["since"], row.created_at)
    return sorted(items.values(), key=lambda item: (item["since"], item["type"].value, item["target"].id))


# --- Decisions -------------------------------------------------------------------------------

def allowed_kinds(target):
    return set(moderated(target).decisions(target))


def decide(moderator, target, kind, reason="", message="", merge_number=None):
    """Apply a moderation decision, log it publicly and for staff, and tell the author."""
    behaviour = moderated(target)
    merge_into = None
    if kind is ModerationKind.MERGE and merge_number and behaviour.merged_with:
        merge_into = behaviour.merged_with(target, merge_number)
    # Two moderators deciding at once: the second sees the first's decision (and merging A into B
    # while another merges B into A, the second finds A merged).
    lock_rows(target, *([merge_into] if merge_into is not None else []))
    if kind not in allowed_kinds(target):
        raise DomainError(_l("This action is not possible in the content's current state."))
    reason, message = (reason or "").strip(), (message or "").strip()
    if kind in NEEDS_REASON and not reason:
        raise DomainError(_l("Give the public reason: it is shown in place of the content and in the journal."),
                          field="reason")
    if kind is ModerationKind.REQUEST_CHANGES and not message:
        raise DomainError(_l("Tell the author what to change."), field="message")
    if kind is ModerationKind.MERGE and (merge_into is None or not behaviour.can_merge(target, merge_into)):
        raise DomainError(_l("Give the number of a published proposal to merge this one into."), field="merge_into")
    before, target_type = behaviour.state(target), behaviour.type
    target.held_by_reports = False
    behaviour.apply(target, kind, reason, message, merge_into)
    now = utcnow()
    resolve_reports(target, now)
    db.session.add(ModerationAction(moderator_id=moderator.id, target_type=target_type, target_id=target.id,
                                    kind=kind, public_reason=reason, message_to_author=message, created_at=now,
                                    merged_into_id=merge_into.id if merge_into else None))
    db.session.flush()
    staff_log.record(moderator, "moderation", kind.value, target_type, target.id, before, behaviour.state(target))
    mail_to(target.author, "mail/moderated.txt", _l("Moderation of your contribution"),
            reviewed=behaviour.reviewed(target), link=targets.public_link(target), kind=kind, reason=reason,
            message=message, merge_into=merge_into)


def journal():
    return select(ModerationAction).order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
