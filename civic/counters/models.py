"""Mediation counters, their agents, assisted sessions and the log of what agents entered.

An agent at a counter opens an *assisted session* for one resident who is present;
what they enter during it belongs to the resident (author = the resident) and also
records the agent, the counter and the channel "counter" (``AssistedRecord``). Every
assisted action is appended to ``AssistedAction``, the audit log, which also carries
the follow-up code printed on the receipt. Nothing in the interface edits or deletes it.
"""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DDL, ForeignKey, Index, String, Text, UniqueConstraint, delete, event, select, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from .. import labels, targets
from ..accounts.models import User
from ..db_types import UniquelyNamed, UTCDateTime, enum_column_type, utcnow
from ..extensions import db
from ..privacy.registry import ANONYMISE, ERASE, KEEP, holds_personal_data, refers_to_account
from ..targets import Kind, TargetType, TargetTypeColumn, type_check

# What the audit log names: what was entered, or for a registration or an attachment the resident.
AUDITED_TYPES = (TargetType.PROPOSAL, TargetType.COMMENT, TargetType.SUPPORT, TargetType.DECISION, TargetType.USER,
                 TargetType.QUESTIONNAIRE)


class Channel(enum.Enum):
    ONLINE = "online"
    COUNTER = "counter"


class ReceiptLayout(enum.Enum):
    A4 = "a4"
    TICKET = "ticket"  # 80 mm receipt printer


class Counter(UniquelyNamed, db.Model):
    """A mediation desk (mairie annexe, France Services, médiathèque)."""

    __tablename__ = "counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(300), default="")
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    receipt_layout: Mapped[ReceiptLayout] = mapped_column(enum_column_type(ReceiptLayout), default=ReceiptLayout.A4)
    active: Mapped[bool] = mapped_column(default=True)

    agents: Mapped[list[User]] = relationship(secondary="counter_assignment", order_by=User.display_name)


class CounterAssignment(db.Model):
    __tablename__ = "counter_assignment"

    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id", ondelete="CASCADE"), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)


class IdentityCheck(enum.Enum):
    DOCUMENT = "document"
    PERSONALLY_KNOWN = "personally_known"
    NONE = "none"


class SessionEnd(enum.Enum):
    BUTTON = "button"
    LOGOUT = "logout"
    TIMEOUT = "timeout"
    # The agent was taken off the counter, or the counter closed, while the session was open.
    WITHDRAWN = "withdrawn"


class AssistedSession(db.Model):
    """One agent acting for one resident at one counter, from opening to end."""

    __tablename__ = "assisted_session"
    __table_args__ = (
        # One session at a time per agent: at most one row without an end.
        Index("uq_assisted_session_open_agent", "agent_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counter.id"), index=True)
    identity_check: Mapped[IdentityCheck] = mapped_column(enum_column_type(IdentityCheck))
    consent_version: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[SessionEnd | None] = mapped_column(enum_column_type(SessionEnd))

    agent: Mapped[User] = relationship(foreign_keys=[agent_id])
    resident: Mapped[User] = relationship(foreign_keys=[resident_id])
    counter: Mapped[Counter] = relationship()


class AssistedActionKind(enum.Enum):
    RESIDENT_REGISTERED = "resident_registered"
    SESSION_OPENED = "session_opened"
    SESSION_ENDED = "session_ended"
    PROPOSAL_CREATED = "proposal_created"
    COMMENT_CREATED = "comment_created"
    SUPPORT_ADDED = "support_added"
    SUPPORT_WITHDRAWN = "support_withdrawn"
    VOTE_CAST = "vote_cast"
    QUESTIONNAIRE_ANSWERED = "questionnaire_answered"
    CONTRIBUTIONS_ATTACHED = "contributions_attached"
    ACCOUNT_ERASED = "account_erased"


class AssistedAction(db.Model):
    """The audit log: one row per assisted action, appended, never edited.

    ``object_type``/``object_id`` name what was entered (a vote names the decision,
    never the ballot). ``follow_up_code`` is printed on the receipt.
    """

    __tablename__ = "assisted_action"
    __table_args__ = (UniqueConstraint("follow_up_code"), type_check("object_type", *AUDITED_TYPES))

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    kind: Mapped[AssistedActionKind] = mapped_column(enum_column_type(AssistedActionKind, length=32))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("assisted_session.id"))
    object_type: Mapped[TargetType | None] = mapped_column(TargetTypeColumn())
    object_id: Mapped[int | None]
    follow_up_code: Mapped[str | None] = mapped_column(String(12))

    agent: Mapped[User | None] = relationship(foreign_keys=[agent_id])
    resident: Mapped[User] = relationship(foreign_keys=[resident_id])
    counter: Mapped[Counter | None] = relationship()


class ReceiptBallotCode(db.Model):
    """A ballot's tracking code, kept only while the session that cast it is open, for its receipt.

    It would tell the ballot of a named resident to whoever reads it: the session cookie is signed,
    not encrypted, so it stays here, and ending the session deletes it (sessions.end_session)."""

    __tablename__ = "receipt_ballot_code"

    assisted_action_id: Mapped[int] = mapped_column(ForeignKey("assisted_action.id"), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("assisted_session.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))


class AssistedRecord:
    """Columns of anything a resident can enter at a counter: the channel, and who helped where."""

    @declared_attr
    def channel(cls) -> Mapped[Channel]:
        return mapped_column(enum_column_type(Channel), default=Channel.ONLINE, server_default="online")

    @declared_attr
    def assisted_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("user_account.id"))

    @declared_attr
    def counter_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("counter.id"))

    @declared_attr
    def counter(cls) -> Mapped[Counter | None]:
        return relationship(Counter, foreign_keys=[cls.counter_id])

    @property
    def was_assisted(self):
        return self.channel is Channel.COUNTER


# The audit log is append-only below the application too: the database refuses to change a row, with one
# exception: unlinking an entry from its assisted session (a session_id set to NULL), so that the retention of
# sessions (counters.retention) removes them while the entries, and the receipt codes they carry, stay.
# SQLite compares no whole rows: its trigger names every other column (a new column must be added to it).
_KEPT_COLUMNS = ("id", "created_at", "kind", "agent_id", "counter_id", "resident_id", "object_type", "object_id",
                 "follow_up_code")
_APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER assisted_action_append_only BEFORE UPDATE ON assisted_action "
    "WHEN OLD.session_id IS NULL OR NEW.session_id IS NOT NULL OR NOT ("
    + " AND ".join(f"NEW.{column} IS OLD.{column}" for column in _KEPT_COLUMNS) + ") "
    "BEGIN SELECT RAISE(ABORT, 'assisted_action is append-only'); END")
_APPEND_ONLY_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION civic_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'this table is append-only'; END $$; "
    "CREATE TRIGGER assisted_action_append_only BEFORE UPDATE ON assisted_action FOR EACH ROW "
    "WHEN (OLD.session_id IS NULL OR NEW.session_id IS NOT NULL "
    "OR to_jsonb(NEW) - 'session_id' IS DISTINCT FROM to_jsonb(OLD) - 'session_id') "
    "EXECUTE FUNCTION civic_append_only()")
event.listen(AssistedAction.__table__, "after_create", DDL(_APPEND_ONLY_SQLITE).execute_if(dialect="sqlite"))
event.listen(AssistedAction.__table__, "after_create", DDL(_APPEND_ONLY_POSTGRESQL).execute_if(dialect="postgresql"))


def assisted_fields(record):
    """Where a record was entered, for exports: the channel, and the counter for an assisted one."""
    return {"channel": record.channel.value, "counter": record.counter.name if record.counter else None}


refers_to_account(CounterAssignment.agent_id, KEEP, ERASE)
for _column in (AssistedSession.agent_id, AssistedAction.agent_id):
    refers_to_account(_column, KEEP, ANONYMISE)  # staff acting
# The audit log is append-only: an attached record's actions stay its own, and "my data" lists them
# for the account it was attached to. Erased, it keeps what was done, when, where and by which agent,
# for the person nobody can name any more.
refers_to_account(AssistedSession.resident_id, KEEP, ANONYMISE)
refers_to_account(AssistedAction.resident_id, KEEP, ANONYMISE)


def _erase_ballot_codes(_column, erasure):
    """A ballot's code beside the named resident's session: it would tell their ballot."""
    sessions = select(AssistedSession.id).where(AssistedSession.resident_id.in_(erasure.accounts))
    db.session.execute(delete(ReceiptBallotCode).where(ReceiptBallotCode.session_id.in_(sessions)))


holds_personal_data(ReceiptBallotCode.code, _erase_ballot_codes)

labels.register(ReceiptLayout, {ReceiptLayout.A4: _l("A4 page"), ReceiptLayout.TICKET: _l("80 mm ticket")})
labels.register(IdentityCheck, {
    IdentityCheck.DOCUMENT: _l("Identity document seen"),
    IdentityCheck.PERSONALLY_KNOWN: _l("Known personally by the agent"),
    IdentityCheck.NONE: _l("Not checked"),
})
labels.register(AssistedActionKind, {
    AssistedActionKind.RESIDENT_REGISTERED: _l("Resident registered"),
    AssistedActionKind.SESSION_OPENED: _l("Session opened"),
    AssistedActionKind.SESSION_ENDED: _l("Session ended"),
    AssistedActionKind.PROPOSAL_CREATED: _l("Proposal entered"),
    AssistedActionKind.COMMENT_CREATED: _l("Comment entered"),
    AssistedActionKind.SUPPORT_ADDED: _l("Support given"),
    AssistedActionKind.SUPPORT_WITHDRAWN: _l("Support withdrawn"),
    AssistedActionKind.VOTE_CAST: _l("Vote cast"),
    AssistedActionKind.QUESTIONNAIRE_ANSWERED: _l("Questionnaire answered"),
    AssistedActionKind.CONTRIBUTIONS_ATTACHED: _l("Counter contributions attached to an account"),
    AssistedActionKind.ACCOUNT_ERASED: _l("Account deleted at the resident's request"),
})

targets.register(Kind(type=TargetType.COUNTER, model=Counter, numbered=_l("Counter n° %(n)s")))
