"""The staff audit log: every moderation decision, answer, role change and publication, with before/after.

Appended by the services that make those changes, read (and filtered) by admins only.
"""
import json
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from .db_types import UTCDateTime, utcnow
from .extensions import db
from .log_queries import newest_first
from .privacy.registry import KEEP, refers_to_account
from .targets import TargetType, TargetTypeColumn, type_check

# The log's page shows the start of what was before and after (an answer's text is long); each entry's own
# page shows them whole.
EXCERPT = 100
STAFF_LOGGED_TYPES = (TargetType.PROPOSAL, TargetType.COMMENT, TargetType.DECISION, TargetType.USER, TargetType.COUNTER,
                TargetType.SETTING)


class StaffLogEntry(db.Model):
    __tablename__ = "staff_log"
    __table_args__ = (type_check("object_type", *STAFF_LOGGED_TYPES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    area: Mapped[str] = mapped_column(String(20), index=True)
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[TargetType] = mapped_column(TargetTypeColumn())
    object_id: Mapped[int | None]
    before: Mapped[str] = mapped_column(Text, default="{}")
    after: Mapped[str] = mapped_column(Text, default="{}")

    actor = relationship("User")  # by name: the log sits below the packages whose staff it records

    @property
    def before_data(self):
        return json.loads(self.before)

    @property
    def after_data(self):
        return json.loads(self.after)


refers_to_account(StaffLogEntry.actor_id, KEEP)  # staff acting


def record(actor, area, action, object_type, object_id, before=None, after=None):
    db.session.add(StaffLogEntry(
        actor_id=actor.id if actor else None, area=area, action=action, object_type=object_type,
        object_id=object_id, created_at=utcnow(),
        before=json.dumps(before or {}, ensure_ascii=False, sort_keys=True, default=str),
        after=json.dumps(after or {}, ensure_ascii=False, sort_keys=True, default=str)))


def entries(area=None, actor_id=None, since=None, until=None, **page):
    """A page of the log, newest first (``page``: civic.log_queries.newest_first's)."""
    return newest_first(StaffLogEntry, since, until, area=area, actor_id=actor_id,
                        eager=(joinedload(StaffLogEntry.actor),), **page)
