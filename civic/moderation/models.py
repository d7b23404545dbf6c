"""Reports, moderation decisions (the public journal) and how new proposals are moderated.

Nothing is deleted by moderation: a decision changes a proposal's or comment's state and
is appended to ``ModerationAction``, which the public journal lists without personal data.
"""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l, lazy_pgettext
from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import labels
from ..accounts.models import User
from ..db_objects import create_with
from ..db_types import UTCDateTime, enum_column_type, utcnow
from ..extensions import db
from ..privacy.registry import ANONYMISE, KEEP, move_unless_held, refers_to_account
from ..targets import TargetType, TargetTypeColumn, type_check

# What residents report and moderators act on.
MODERATED_TYPES = (TargetType.PROPOSAL, TargetType.COMMENT, TargetType.ANSWER)


class ModerationMode(enum.Enum):
    POST = "post"  # published at once, moderated afterwards
    PRE = "pre"    # held until a moderator publishes it


class ReportReason(enum.Enum):
    INSULT = "insult"
    PERSONAL_DATA = "personal_data"
    SPAM = "spam"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


class Report(db.Model):
    """One resident's report of a proposal or comment; a resident reports a thing once."""

    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("reporter_id", "target_type", "target_id"),
                      type_check("target_type", *MODERATED_TYPES),
                      # The queue groups the reports still waiting by what they report.
                      Index("ix_report_open", "target_type", "target_id", "created_at",
                            sqlite_where=text("resolved_at IS NULL"), postgresql_where=text("resolved_at IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    target_type: Mapped[TargetType] = mapped_column(TargetTypeColumn())
    target_id: Mapped[int] = mapped_column(index=True)
    reason: Mapped[ReportReason] = mapped_column(enum_column_type(ReportReason))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReportedItem(db.Model):
    """One row per proposal or comment with reports still waiting: how many, and since when (the oldest).

    Kept by database triggers on ``report`` in the same transaction as the reports, whatever changes them
    (a report, a decision settling them, an author deleting a comment, an erased account's cascade): the
    queue then reads a page of these rows through their index instead of grouping every open report.
    ``services.miscounted_items`` compares them with the reports themselves (flask check-counts)."""

    __tablename__ = "reported_item"
    __table_args__ = (type_check("target_type", *MODERATED_TYPES),
                      Index("ix_reported_item_queue", "oldest_open", "target_type", "target_id"))

    target_type: Mapped[TargetType] = mapped_column(TargetTypeColumn(), primary_key=True)
    target_id: Mapped[int] = mapped_column(primary_key=True)
    open_reports: Mapped[int]
    oldest_open: Mapped[datetime] = mapped_column(UTCDateTime())


# The same statements are in the migration that created them (0018). A settled or deleted report takes one
# off its item, which goes when none is left, and the oldest open report is looked up again through
# ix_report_open; the reports of one target are written under its row lock (services.report, decide).
_ITEM = "target_type = {row}.target_type AND target_id = {row}.target_id"
_TAKE_OFF = (
    "UPDATE reported_item SET open_reports = open_reports - 1, oldest_open = coalesce("
    "(SELECT min(created_at) FROM report WHERE " + _ITEM.format(row="OLD") + " AND resolved_at IS NULL), "
    "oldest_open) WHERE " + _ITEM.format(row="OLD") + "; "
    "DELETE FROM reported_item WHERE " + _ITEM.format(row="OLD") + " AND open_reports <= 0;")
SQLITE_TRIGGERS = (
    "CREATE TRIGGER reported_item_add AFTER INSERT ON report WHEN NEW.resolved_at IS NULL BEGIN "
    "INSERT OR IGNORE INTO reported_item (target_type, target_id, open_reports, oldest_open) "
    "VALUES (NEW.target_type, NEW.target_id, 0, NEW.created_at); "
    "UPDATE reported_item SET open_reports = open_reports + 1, oldest_open = min(oldest_open, NEW.created_at) "
    "WHERE " + _ITEM.format(row="NEW") + "; END",
    "CREATE TRIGGER reported_item_settle AFTER UPDATE OF resolved_at ON report "
    "WHEN OLD.resolved_at IS NULL AND NEW.resolved_at IS NOT NULL BEGIN " + _TAKE_OFF + " END",
    "CREATE TRIGGER reported_item_delete AFTER DELETE ON report WHEN OLD.resolved_at IS NULL BEGIN "
    + _TAKE_OFF + " END",
)
POSTGRESQL_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION civic_reported_item() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'DELETE' AND OLD.resolved_at IS NULL "
    "OR TG_OP = 'UPDATE' AND OLD.resolved_at IS NULL AND NEW.resolved_at IS NOT NULL THEN " + _TAKE_OFF + " END IF; "
    "IF TG_OP = 'INSERT' AND NEW.resolved_at IS NULL THEN "
    "INSERT INTO reported_item AS item (target_type, target_id, open_reports, oldest_open) "
    "VALUES (NEW.target_type, NEW.target_id, 1, NEW.created_at) ON CONFLICT (target_type, target_id) DO UPDATE "
    "SET open_reports = item.open_reports + 1, oldest_open = least(item.oldest_open, EXCLUDED.oldest_open); "
    "END IF; RETURN NULL; END $$",
    "CREATE TRIGGER reported_item AFTER INSERT OR DELETE OR UPDATE OF resolved_at ON report "
    "FOR EACH ROW EXECUTE FUNCTION civic_reported_item()",
)
create_with(Report.__table__, "sqlite", *SQLITE_TRIGGERS)
create_with(Report.__table__, "postgresql", *POSTGRESQL_TRIGGERS)


class ModerationKind(enum.Enum):
    PUBLISH = "publish"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    HIDE = "hide"
    RESTORE = "restore"
    MERGE = "merge"
    HELD_BY_REPORTS = "held_by_reports"  # automatic: N residents reported it
    KEEP = "keep"  # the reports were unfounded: settled, the content stays as it is


# What a moderator chooses from (HELD_BY_REPORTS is never chosen: the reports do it).
DECISIONS = tuple(k for k in ModerationKind if k is not ModerationKind.HELD_BY_REPORTS)


class ModerationAction(db.Model):
    """The journal: every moderation decision, with its public reason."""

    __tablename__ = "moderation_action"
    __table_args__ = (type_check("target_type", *MODERATED_TYPES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    target_type: Mapped[TargetType] = mapped_column(TargetTypeColumn())
    target_id: Mapped[int]
    kind: Mapped[ModerationKind] = mapped_column(enum_column_type(ModerationKind))
    public_reason: Mapped[str] = mapped_column(Text, default="")
    # Sent to the author only (a change request explains what to change).
    message_to_author: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None]

    moderator: Mapped[User | None] = relationship()


# A report stays, from nobody: moderators may still have to decide on it.
refers_to_account(Report.reporter_id, move_unless_held(Report.target_type, Report.target_id), ANONYMISE)
refers_to_account(ModerationAction.moderator_id, KEEP, ANONYMISE)  # staff acting

_REPORT_REASONS = {
    ReportReason.INSULT: _l("Insult or harassment"),
    ReportReason.PERSONAL_DATA: _l("Personal data about someone"),
    ReportReason.SPAM: _l("Spam or advertising"),
    ReportReason.OFF_TOPIC: _l("Off topic"),
}
# A reported reason reads "Other" (with the reporter's words beside it); only the form's choice asks for them.
labels.register(ReportReason, {**_REPORT_REASONS, ReportReason.OTHER: lazy_pgettext("report reason", "Other")})
labels.register(ReportReason, {**_REPORT_REASONS, ReportReason.OTHER: _l("Other (say what)")}, variant="choice")
labels.register(ModerationKind, {
    ModerationKind.PUBLISH: lazy_pgettext("moderation journal", "Published"),
    ModerationKind.REQUEST_CHANGES: _l("Sent back to its author for a change"),
    ModerationKind.REJECT: lazy_pgettext("moderation journal", "Rejected"),
    ModerationKind.HIDE: lazy_pgettext("moderation journal", "Hidden"),
    ModerationKind.RESTORE: lazy_pgettext("moderation journal", "Restored"),
    ModerationKind.MERGE: _l("Merged into another proposal"),
    ModerationKind.HELD_BY_REPORTS: _l("Hidden after reports, until a moderator decides"),
    ModerationKind.KEEP: _l("Kept as it is: the reports were unfounded"),
})
labels.register(ModerationKind, {
    ModerationKind.PUBLISH: lazy_pgettext("moderation decision", "Publish"),
    ModerationKind.REQUEST_CHANGES: lazy_pgettext("moderation decision", "Ask the author for a change"),
    ModerationKind.REJECT: lazy_pgettext("moderation decision", "Reject"),
    ModerationKind.HIDE: lazy_pgettext("moderation decision", "Hide"),
    ModerationKind.RESTORE: lazy_pgettext("moderation decision", "Restore (show it again)"),
    ModerationKind.MERGE: lazy_pgettext("moderation decision", "Merge into another proposal"),
    ModerationKind.KEEP: lazy_pgettext("moderation decision", "Keep it (unfounded reports)"),
}, variant="verb", members=DECISIONS)
labels.register(ModerationMode, {
    ModerationMode.POST: _l("Published at once, moderated afterwards"),
    ModerationMode.PRE: _l("Held until a moderator publishes it"),
})
