"""The staff audit log: every moderation decision, answer, role change and publication, with before/after.

Appended by the services that make those changes, read (and filtered) by admins only.
"""
import json
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts.models import User
from .db_types import UTCDateTime, utcnow
from .extensions import db

class StaffLogEntry(db.Model):
    __tablename__ = "staff_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    area: Mapped[str] = mapped_column(String(20), index=True)
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int | None]
    before: Mapped[str] = mapped_column(Text, default="{}")
    after: Mapped[str] = mapped_column(Text, default="{}")

    actor: Mapped[User | None] = relationship()

    @property
    def before_data(self):
        return json.loads(self.before)

    @property
    def after_data(self):
        return json.loads(self.after)


def record(actor, area, action, object_type, object_id, before=None, after=None):
    db.session.add(StaffLogEntry(
        actor_id=actor.id if actor else None, area=area, action=action, object_type=object_type,
        object_id=object_id, created_at=utcnow(),
        before=json.dumps(before or {}, ensure_ascii=False, sort_keys=True, default=str),
        after=json.dumps(after or {}, ensure_ascii=False, sort_keys=True, default=str)))


def entries(area=None, actor_id=None, since=None, until=None):
    statement = select(StaffLogEntry).order_by(StaffLogEntry.created_at.desc(), StaffLogEntry.id.desc())
    if area:
        statement = statement.where(StaffLogEntry.area == area)
    if actor_id:
        statement = statement.where(StaffLogEntry.actor_id == actor_id)
    if since:
        statement = statement.where(StaffLogEntry.created_at >= since)
    if until:
        statement = statement.where(StaffLogEntry.created_at < until)
    return statement
