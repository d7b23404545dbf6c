"""Implementation records: what became of a winning project or an accepted proposal, and the public history of
every change made to one.

A record is opened by the publication of a vote's results (each winning project) or by an official answer
accepting a proposal (services). It keeps, as of its opening, the title, the cost voted and where it comes
from, so that it reads the same when its source changes later; theme and district are its own (the services
that build it know better than a vote where it stands) and filter the lists through indexes.

The history (``RecordChange``) is one row per field changed, written by the service that changes the record,
signed with the role the official acted in (as official answers are), never a name: who it was is in the staff
log. The database refuses to change or remove a row of it.
"""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l, lazy_pgettext
from sqlalchemy import DDL, CheckConstraint, Date, ForeignKey, Index, String, Text, event, exists, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import labels, targets
from ..access import Role
from ..accounts.models import District
from ..db_types import UTCDateTime, enum_column_type, utcnow
from ..decisions.models import Decision, Option
from ..extensions import db
from ..proposals.models import Proposal
from ..themes.models import Theme

TITLE_MAX = 160
# What the public reads instead of the title of a project whose proposal moderation took off the pages.
WITHDRAWN_TITLE = _l("Project withdrawn by moderation")
REASON_MAX = 2000
MILESTONE_MAX = 300


class ImplementationStatus(enum.Enum):
    TO_DO = "to_do"
    UNDER_WAY = "under_way"
    DONE = "done"
    ABANDONED = "abandoned"


class ChangedField(enum.Enum):
    """What a row of the history changed; OPENED is the record's first row (its status as opened)."""
    OPENED = "opened"
    STATUS = "status"
    PROGRESS = "progress"
    ACTUAL_COST = "actual_cost"
    REASON = "reason"
    MILESTONE = "milestone"


class ImplementationRecord(db.Model):
    __tablename__ = "implementation_record"
    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
        CheckConstraint("actual_cost IS NULL OR actual_cost >= 0", name="actual_cost_positive"),
        # Abandoning says why, in public.
        CheckConstraint("status <> 'abandoned' OR reason <> ''", name="abandoned_with_reason"),
        # One record per accepted proposal outside a vote: a proposal that won a vote has its option's.
        Index("uq_implementation_record_answered_proposal", "proposal_id", unique=True,
              sqlite_where=text("option_id IS NULL"), postgresql_where=text("option_id IS NULL")),
        # The lists: newest first, within a status or not.
        Index("ix_implementation_record_status_newest", "status", "opened_at", "id"),
        Index("ix_implementation_record_newest", "opened_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    option_id: Mapped[int | None] = mapped_column(ForeignKey("decision_option.id"), unique=True)
    # A proposal removed with its author's account leaves the record: the project was decided all the same.
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="SET NULL"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    status: Mapped[ImplementationStatus] = mapped_column(enum_column_type(ImplementationStatus),
                                                         default=ImplementationStatus.TO_DO)
    progress: Mapped[int] = mapped_column(default=0, server_default="0")
    # The cost the vote carried (the option's), in euros; None for an accepted proposal, which had none.
    voted_cost: Mapped[int | None]
    actual_cost: Mapped[int | None]
    # Why it was abandoned (public); kept when it starts again, to read with the history.
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    decision: Mapped[Decision | None] = relationship()
    option: Mapped[Option | None] = relationship()
    proposal: Mapped[Proposal | None] = relationship()
    theme: Mapped[Theme | None] = relationship()
    district: Mapped[District | None] = relationship()

    @hybrid_property
    def title_withdrawn(self):
        """Its proposal was taken off the pages since (hidden or rejected by moderation, held by reports): the
        title, its proposal's, is no longer shown. The record stays: what was decided and spent is accounted
        for."""
        return self.proposal is not None and not self.proposal.readable_by_anyone

    @title_withdrawn.inplace.expression
    @classmethod
    def _title_withdrawn_sql(cls):
        # The same in SQL, for the pages that read their records as columns (services.RecordLink).
        return exists().where(Proposal.id == cls.proposal_id, ~Proposal.readable_by_anyone)

    @property
    def public_title(self):
        return public_title(self.title, self.title_withdrawn)


def public_title(title, withdrawn):
    """A record's title as the pages show it."""
    return WITHDRAWN_TITLE if withdrawn else title


class Milestone(db.Model):
    """A dated step of the work, told in a sentence ("Permis déposé", "Travaux commencés")."""

    __tablename__ = "implementation_milestone"
    __table_args__ = (Index("ix_implementation_milestone_record_day", "record_id", "day", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("implementation_record.id"))
    day: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(String(MILESTONE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecordChange(db.Model):
    """One field of a record changed: before and after as text (a status's value, a number, a reason), or the
    milestone added; when, and in which role."""

    __tablename__ = "implementation_change"
    __table_args__ = (Index("ix_implementation_change_record_time", "record_id", "changed_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("implementation_record.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    field: Mapped[ChangedField] = mapped_column(enum_column_type(ChangedField))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("implementation_milestone.id"))
    # The role the official acted in (publishing, answering, changing), shown with the change; None: the
    # server's operator (`flask` commands, the demo).
    author_role: Mapped[Role | None] = mapped_column(enum_column_type(Role))

    milestone: Mapped[Milestone | None] = relationship()


# The history is append-only below the application too: the database refuses to change or remove a row.
APPEND_ONLY_SQLITE = tuple(
    f"CREATE TRIGGER implementation_change_no_{change.lower()} BEFORE {change} ON implementation_change "
    "BEGIN SELECT RAISE(ABORT, 'implementation_change is append-only'); END" for change in ("UPDATE", "DELETE"))
APPEND_ONLY_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION civic_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'this table is append-only'; END $$; "
    "CREATE TRIGGER implementation_change_append_only BEFORE UPDATE OR DELETE ON implementation_change "
    "FOR EACH ROW EXECUTE FUNCTION civic_append_only()")
for _statement in APPEND_ONLY_SQLITE:
    event.listen(RecordChange.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
event.listen(RecordChange.__table__, "after_create", DDL(APPEND_ONLY_POSTGRESQL).execute_if(dialect="postgresql"))


labels.register(ImplementationStatus, {
    ImplementationStatus.TO_DO: _l("To do"),
    ImplementationStatus.UNDER_WAY: _l("Under way"),
    ImplementationStatus.DONE: lazy_pgettext("implementation status", "Done"),
    ImplementationStatus.ABANDONED: _l("Abandoned"),
})
labels.register(ChangedField, {
    ChangedField.OPENED: _l("Follow-up opened"),
    ChangedField.STATUS: _l("Status"),
    ChangedField.PROGRESS: _l("Progress"),
    ChangedField.ACTUAL_COST: _l("Actual cost"),
    ChangedField.REASON: _l("Reason for abandoning"),
    ChangedField.MILESTONE: _l("Milestone"),
})

targets.register(targets.Kind(
    type=targets.TargetType.IMPLEMENTATION, model=ImplementationRecord, numbered=_l("Project follow-up n° %(n)s"),
    link=lambda r: ("followup.detail", {"implementation_record_id": r.id}),
    number_link=lambda n: ("followup.detail", {"implementation_record_id": n})))
