from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db_types import UTCDateTime, utcnow
from ..extensions import db
from ..privacy.registry import ERASE, move_unless_held, refers_to_account
from ..targets import TargetType, TargetTypeColumn, type_check

FOLLOWABLE_TYPES = (TargetType.PROPOSAL, TargetType.DECISION, TargetType.IMPLEMENTATION)


class Follow(db.Model):
    """A resident follows a proposal or a decision: e-mail when it is answered, opens, publishes results."""

    __tablename__ = "follow"
    __table_args__ = (UniqueConstraint("user_id", "target_type", "target_id"),
                      type_check("target_type", *FOLLOWABLE_TYPES))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    target_type: Mapped[TargetType] = mapped_column(TargetTypeColumn())
    target_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


refers_to_account(Follow.user_id, move_unless_held(Follow.target_type, Follow.target_id), ERASE)
