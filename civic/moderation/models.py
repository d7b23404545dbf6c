"""Reports, moderation decisions (the public journal) and moderation settings.

Nothing is deleted by moderation: a decision changes a proposal's or comment's state and
is appended to ``ModerationAction``, which the public journal lists without personal data.
"""
import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db_types import UTCDateTime, enum_column_type, utcnow
from ..extensions import db


class ModerationMode(enum.Enum):
    POST = "post"  # published at once, moderated afterwards
    PRE = "pre"    # held until a moderator publishes it


class Setting(db.Model):
    """A few site-wide settings changed by admins (moderation mode, report threshold)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class ReportReason(enum.Enum):
    INSULT = "insult"
    PERSONAL_DATA = "personal_data"
    SPAM = "spam"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


class Report(db.Model):
    """One resident's report of a proposal or comment; a resident reports a thing once."""

    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("reporter_id", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(index=True)
    reason: Mapped[ReportReason] = mapped_column(enum_column_type(ReportReason))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ModerationKind(enum.Enum):
    PUBLISH = "publish"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    HIDE = "hide"
    RESTORE = "restore"
    MERGE = "merge"
    HELD_BY_REPORTS = "held_by_reports"  # automatic: N residents reported it


class ModerationAction(db.Model):
    """The journal: every moderation decision, with its public reason."""

    __tablename__ = "moderation_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    kind: Mapped[ModerationKind] = mapped_column(enum_column_type(ModerationKind))
    public_reason: Mapped[str] = mapped_column(Text, default="")
    # Sent to the author only (a change request explains what to change).
    message_to_author: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None]

    moderator: Mapped[User | None] = relationship()
