"""Moderation: settings, reports, the queue and the moderators' decisions.

What a decision does to a kind of content is that kind's owner's (moderation.registry); here
are the order of things, the reports, the journal and who is told.
"""
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import (String, and_, bindparam, delete, func, insert, literal, or_, select, type_coerce, union_all,
                        update)

from .. import labels, site_settings, staff_log, targets
from ..access import Action, check
from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..notifications.services import mail_to
from ..pagination import Merged, count, keyset_page
from ..targets import TargetType
from ..transaction import lock_rows, unique_insert
from .models import ModerationAction, ModerationKind, ModerationMode, Report, ReportedItem, ReportReason
from .registry import moderated, registered

# How the staff log reads the moderators' decisions and the settings (civic.staff_log).
_DECIDED = {
    TargetType.PROPOSAL: {
        ModerationKind.PUBLISH: _l("Proposal n° %(n)s published"),
        ModerationKind.REQUEST_CHANGES: _l("Proposal n° %(n)s sent back to its author for a change"),
        ModerationKind.REJECT: _l("Proposal n° %(n)s rejected"),
        ModerationKind.HIDE: _l("Proposal n° %(n)s hidden"),
        ModerationKind.RESTORE: _l("Proposal n° %(n)s restored"),
        ModerationKind.MERGE: _l("Proposal n° %(n)s merged into another"),
        ModerationKind.KEEP: _l("Proposal n° %(n)s kept as it is (unfounded reports)"),
    },
    TargetType.COMMENT: {
        ModerationKind.HIDE: _l("Comment n° %(n)s hidden"),
        ModerationKind.RESTORE: _l("Comment n° %(n)s restored"),
        ModerationKind.KEEP: _l("Comment n° %(n)s kept as it is (unfounded reports)"),
    },
}
for _type, _sentences in _DECIDED.items():
    for _kind, _sentence in _sentences.items():
        staff_log.describe("moderation", _kind.value, _sentence, _type)
staff_log.describe("settings", "moderation", _l("Moderation settings changed"))
staff_log.describe_fields(TargetType.SETTING, "settings", {
    "mode": staff_log.Field(_l("New proposals, by default"), staff_log.enum_value(ModerationMode)),
    "threshold": staff_log.Field(_l("Reports that hide content")),
    # {theme id: its mode, or None when it follows the site's}
    "themes": staff_log.Field(_l("Moderation of each theme"), lambda themes: "; ".join(
        str(_l("theme n° %(n)s: %(mode)s", n=theme,
               mode=labels.label(ModerationMode(mode)) if mode else _l("as the whole site")))
        for theme, mode in themes.items())),
})

DEFAULT_THRESHOLD = 3
NEEDS_REASON = {ModerationKind.REJECT, ModerationKind.HIDE}
# Within the page budget with the longest texts: a queue page of excerpts; the decision page with the content whole
# and the texts of the latest reports (how many there are of each reason says the rest).
QUEUE_PAGE = 10
REPORTS_SHOWN = 3
REPORT_TEXTS_IN_QUEUE = 2
JOURNAL_PAGE = 50
# The journal's page shows the start of each public reason (the page budget with the longest ones); each
# decision's own page shows it whole.
JOURNAL_EXCERPT = 150
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


def reported_by(user, items):
    """{(target type, id)} of ``items`` (the content a page shows) that ``user`` has reported, in one query
    whatever their number: the page says so in place of the link to report it again."""
    if user is None or not user.is_authenticated or not items:
        return set()
    ids = {}
    for item in items:
        ids.setdefault(targets.type_of(item), set()).add(item.id)
    values = {"reporter_id": user.id}
    for n, (target_type, numbers) in enumerate(ids.items()):
        values[f"type_{n}"], values[f"ids_{n}"] = target_type, sorted(numbers)
    rows = db.session.execute(_reports_of(len(ids)), values)
    return {(target_type, target_id) for target_type, target_id in rows}


@cache  # one per number of kinds of content a page shows: a handful
def _reports_of(kinds):
    """reported_by's statement for that many kinds of content, built once: the reader, the kinds and the items'
    ids are bound."""
    return select(Report.target_type, Report.target_id).where(
        Report.reporter_id == bindparam("reporter_id"),
        or_(*(and_(Report.target_type == bindparam(f"type_{n}"),
                   Report.target_id.in_(bindparam(f"ids_{n}", expanding=True))) for n in range(kinds))))


def open_reports(target, limit=REPORTS_SHOWN):
    """The latest ``limit`` reports waiting on ``target``, newest first."""
    return db.session.execute(
        select(Report).where(Report.target_type == targets.type_of(target), Report.target_id == target.id,
                             Report.resolved_at.is_(None))
        .order_by(Report.created_at.desc(), Report.id.desc()).limit(limit)).scalars().all()


def _open_on(keys):
    """The open reports on these (type, id) keys, found through ix_report_open: a type and a list of ids
    each (SQLite scans the whole index for a list of pairs)."""
    ids = {}
    for target_type, target_id in keys:
        ids.setdefault(target_type, []).append(target_id)
    return and_(Report.resolved_at.is_(None),
                or_(*(and_(Report.target_type == target_type, Report.target_id.in_(of_type))
                      for target_type, of_type in ids.items())))


def open_report_reasons(keys):
    """{(target type, target id): [(reason, how many)]} of the reports waiting on these targets."""
    if not keys:
        return {}
    rows = db.session.execute(
        select(Report.target_type, Report.target_id, Report.reason, func.count())
        .where(_open_on(keys))
        .group_by(Report.target_type, Report.target_id, Report.reason)
        .order_by(Report.target_type, Report.target_id, func.count().desc(), Report.reason)).all()
    reasons = {}
    for target_type, target_id, reason, how_many in rows:
        reasons.setdefault((target_type, target_id), []).append((reason, how_many))
    return reasons


def latest_report_texts(keys, per_target=REPORT_TEXTS_IN_QUEUE):
    """{(target type, target id): [report]}: the latest reports that say something, ``per_target`` at most each."""
    if not keys:
        return {}
    rank = func.row_number().over(partition_by=(Report.target_type, Report.target_id),
                                  order_by=(Report.created_at.desc(), Report.id.desc())).label("rank")
    ranked = (select(Report.id, rank)
              .where(_open_on(keys), Report.text != "")
              .subquery())
    texts = {}
    for report in db.session.execute(
            select(Report).join(ranked, ranked.c.id == Report.id).where(ranked.c.rank <= per_target)
            .order_by(Report.created_at.desc(), Report.id.desc())).scalars():
        texts.setdefault((report.target_type, report.target_id), []).append(report)
    return texts


def resolve_reports(target, when=None):
    """The reports waiting on ``target`` are settled (decided on, or the content deleted by its author)."""
    db.session.execute(update(Report).where(Report.target_type == targets.type_of(target),
                                            Report.target_id == target.id, Report.resolved_at.is_(None))
                       .values(resolved_at=when or utcnow()))


# --- The queue -------------------------------------------------------------------------------

# "More than 1,000 items are waiting" tells a moderator as much as the exact number.
COUNT_CAP = 1000


QUEUE_ORDER = ("since", "target_type", "target_id")


def _waiting_items():
    """What waits for a moderator, a row per target: since when (its oldest open report, or the moment it
    began waiting for review), whether it waits for a review, how many reports wait on it. Each part is read
    through its own index in the queue's order: the reported items theirs, each kind of content waiting for
    review its own (one also reported is shown once, as reported)."""
    # The type as plain text: it is part of the pages' key, which links carry as text.
    parts = [select(ReportedItem.oldest_open.label("since"),
                    type_coerce(ReportedItem.target_type, String).label("target_type"),
                    ReportedItem.target_id.label("target_id"), literal(0).label("waiting"),
                    ReportedItem.open_reports.label("reports"))]
    for kind in registered().values():
        if kind.waiting is not None:
            waiting = kind.waiting().subquery()
            reported = select(ReportedItem.target_id).where(ReportedItem.target_type == kind.type,
                                                           ReportedItem.target_id == waiting.c.target_id)
            parts.append(select(waiting.c.since.label("since"), literal(kind.type.value, String).label("target_type"),
                                waiting.c.target_id.label("target_id"), literal(1).label("waiting"),
                                literal(0).label("reports")).where(~reported.exists()))
    return Merged(tuple(parts), QUEUE_ORDER)


def queue(*, page=1, after=None, before=None, per_page=QUEUE_PAGE):
    """What waits for a moderator, oldest first, a page at a time (civic.pagination.Page): its ``items``
    are dicts of the target, its type, since when it waits, whether it waits for a review, the number
    of reports and their reasons, and the latest texts of reports.

    Pages follow one another by the key (since, type, id) of the last item shown: a moderator who
    decides on items meanwhile (or another moderator) neither skips nor sees again the items further on."""
    items = _waiting_items()
    found = keyset_page(items, items.columns(items.parts[0]), page=page, per_page=per_page, after=after,
                        before=before, total=count(union_all(*items.parts), cap=COUNT_CAP), count_cap=COUNT_CAP)
    keys = [(TargetType(row.target_type), row.target_id) for row in found.items]
    loaded = _load_targets(keys)
    reasons, texts = open_report_reasons(keys), latest_report_texts(keys)
    found.items = [
        {"target": loaded[key], "type": key[0], "since": row.since, "waiting": bool(row.waiting),
         "reports": int(row.reports), "reasons": reasons.get(key, []), "texts": texts.get(key, [])}
        for key, row in zip(keys, found.items) if key in loaded]
    return found


def miscounted_items():
    """[(type, id, (open reports, oldest) as kept, (open reports, oldest) counted)] wherever the reported items
    differ from the open reports themselves (`flask check-counts`, and the tests after every path)."""
    counted = {(row.target_type, row.target_id): (row.open_reports, row.oldest_open) for row in db.session.execute(
        select(Report.target_type, Report.target_id, func.count().label("open_reports"),
               func.min(Report.created_at).label("oldest_open"))
        .where(Report.resolved_at.is_(None)).group_by(Report.target_type, Report.target_id))}
    kept = {(item.target_type, item.target_id): (item.open_reports, item.oldest_open)
            for item in db.session.execute(select(ReportedItem)).scalars()}
    return [(*key, kept.get(key), counted.get(key)) for key in sorted(set(counted) | set(kept), key=str)
            if kept.get(key) != counted.get(key)]


def repair_items():
    """The reported items made again from the open reports."""
    db.session.execute(delete(ReportedItem))
    db.session.execute(insert(ReportedItem).from_select(
        ["target_type", "target_id", "open_reports", "oldest_open"],
        select(Report.target_type, Report.target_id, func.count(), func.min(Report.created_at))
        .where(Report.resolved_at.is_(None)).group_by(Report.target_type, Report.target_id)))


def _load_targets(keys):
    """{(type, id): target} of these keys, one query per type, with what moderators see of each loaded. Every type
    is asked, even when none of the keys is of it: a page of the queue costs the same whatever kinds of content
    it happens to show."""
    loaded = {}
    for target_type, kind in registered().items():
        ids = [target_id for key_type, target_id in keys if key_type is target_type]
        model = targets.kind(target_type).model
        for target in db.session.execute(select(model).where(model.id.in_(ids)).options(*kind.eager)).scalars():
            loaded[(target_type, target.id)] = target
    return loaded


# --- Decisions -------------------------------------------------------------------------------

def is_reported(target):
    """Whether reports still wait on ``target`` (or held it: a held item always has its reports)."""
    return target.held_by_reports or db.session.get(ReportedItem, (targets.type_of(target), target.id)) is not None


def allowed_kinds(target, reported=None):
    """The decisions possible on ``target`` now; ``reported``: whether reports wait on it, when the caller
    knows (the queue does, for a whole page), else it is looked up. Any reported item may be kept as it is."""
    kinds = set(moderated(target).decisions(target))
    if kinds and (is_reported(target) if reported is None else reported):
        kinds.add(ModerationKind.KEEP)
    return kinds


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
    was_held, target.held_by_reports = target.held_by_reports, False
    if kind is not ModerationKind.KEEP:  # kept: only its reports are settled, and it is shown again if held
        behaviour.apply(target, kind, reason, message, merge_into)
    now = utcnow()
    resolve_reports(target, now)
    db.session.add(ModerationAction(moderator_id=moderator.id, target_type=target_type, target_id=target.id,
                                    kind=kind, public_reason=reason, message_to_author=message, created_at=now,
                                    merged_into_id=merge_into.id if merge_into else None))
    db.session.flush()
    staff_log.record(moderator, "moderation", kind.value, target_type, target.id, before, behaviour.state(target))
    if kind is ModerationKind.KEEP and not was_held:
        return  # its author never saw a change: nothing to tell
    if target.author is None:
        return  # an answer to a questionnaire whose respondent erased their account: nobody to tell
    mail_to(target.author, "mail/moderated.txt", _l("Moderation of your contribution"),
            reviewed=behaviour.reviewed(target), link=targets.public_link(target), kind=kind, reason=reason,
            message=message, merge_into=merge_into)


def journal(*, page=1, after=None, before=None, per_page=JOURNAL_PAGE):
    """The public journal, newest first, a page at a time (each row: what the journal shows of a
    ModerationAction, its columns as attributes; a page's rows are read without building objects)."""
    action = ModerationAction
    order = (action.created_at, action.id)
    return keyset_page(select(action.target_type, action.target_id, action.kind, action.public_reason,
                              action.merged_into_id, *order),
                       order, page=page, per_page=per_page, after=after, before=before, descending=True)
