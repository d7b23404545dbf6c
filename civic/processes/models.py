"""Participatory processes: a frame with dated phases around proposals and a vote.

A process runs through phases (ideas, study, vote, results, follow-up), each with a first and a last day in
Paris time. Which phase is current is derived from those dates and today's date, never stored, so that it can
never disagree with them; what residents and staff may do follows from it (rules.py). A process is a draft, seen by staff only, until an official publishes it. The process's first and
last moments are kept in the row (``starts_at``, ``ends_at``) from its phases when they are saved, so that the
list of current, upcoming and past processes reads an index.

A proposal joins a process through ``ProcessProposal`` (proposals outside any process have none), which also
holds its technical study: feasibility, estimated cost, the public reason and the department consulted.
"""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from .. import labels, targets
from ..access import Action
from ..accounts.models import District, User
from ..db_types import UTCDateTime, enum_column_type, utcnow
from ..decisions.models import Decision
from ..extensions import db
from ..privacy.registry import ANONYMISE, KEEP, refers_to_account
from ..proposals.models import Proposal
from ..themes.models import Theme
from ..timezones import now_paris

TITLE_MAX = 160
SUMMARY_MAX = 300
DESCRIPTION_MAX = 10_000
DEPARTMENT_MAX = 160
REASON_MAX = 3_000


class PhaseKind(enum.Enum):
    """What a phase is for. A kind comes with its rules (rules.py): a value here, its label, its place in
    KIND_ORDER and the rules that name it."""

    QUESTIONNAIRE = "questionnaire"  # residents answer the process's questions (civic.questionnaires)
    IDEAS = "ideas"
    STUDY = "study"
    VOTE = "vote"
    RESULTS = "results"
    FOLLOW_UP = "follow_up"


# The order the kinds come in within a process: ideas are studied, then voted on, then the results are read and
# what won is built. A consultation asks its questions first, and its results phase publishes the synthesis. A
# process needs not have every kind, and has each at most once.
KIND_ORDER = (PhaseKind.QUESTIONNAIRE, PhaseKind.IDEAS, PhaseKind.STUDY, PhaseKind.VOTE, PhaseKind.RESULTS, PhaseKind.FOLLOW_UP)


class Feasibility(enum.Enum):
    FEASIBLE = "feasible"
    NOT_FEASIBLE = "not_feasible"
    MERGED = "merged"  # into another proposal of the process, studied with it


process_theme = Table(
    "process_theme",
    db.metadata,
    Column("process_id", Integer, ForeignKey("process.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", Integer, ForeignKey("theme.id"), primary_key=True),
)

process_district = Table(
    "process_district",
    db.metadata,
    Column("process_id", Integer, ForeignKey("process.id", ondelete="CASCADE"), primary_key=True),
    Column("district_id", Integer, ForeignKey("district.id"), primary_key=True),
)


class Process(db.Model):
    __tablename__ = "process"
    __table_args__ = (
        # /processus: current ones by nearest end, upcoming by nearest start, past by latest end.
        Index("ix_process_ends", "ends_at", "id"),
        Index("ix_process_starts", "starts_at", "id"),
        CheckConstraint("budget IS NULL OR budget >= 0", name="budget_positive"),
        CheckConstraint("starts_at < ends_at", name="starts_before_it_ends"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    # A drawing sanitised as the logo is (civic.legal.logo), served from its own address.
    illustration: Mapped[str | None] = mapped_column(Text)
    budget: Mapped[int | None]
    # The first moment of its first phase and the one after its last phase's last day (UTC), from the phases.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The vote built from its feasible projects (services.build_vote): one per process, the database says so.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # None while an official prepares it (a draft): only staff see it until it is published (services.publish).
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    phases: Mapped[list["Phase"]] = relationship(order_by="Phase.position", cascade="all, delete-orphan",
                                                 back_populates="process")
    themes: Mapped[list[Theme]] = relationship(secondary=process_theme, order_by=Theme.name)
    districts: Mapped[list[District]] = relationship(secondary=process_district, order_by=District.name)
    decision: Mapped[Decision | None] = relationship()
    created_by: Mapped[User] = relationship()

    def phase_on(self, day):
        """The phase whose days include ``day``, or None (before, after, or between two phases)."""
        return next((p for p in self.phases if p.starts_on <= day <= p.ends_on), None)

    @property
    def current_phase(self):
        """The phase of today, in Paris."""
        return self.phase_on(now_paris().date())

    def phase_of(self, kind):
        return next((p for p in self.phases if p.kind is kind), None)

    @property
    def is_draft(self):
        return self.published_at is None


# The processes anybody sees: the lists, the home page, sitemap.xml and the open data read them through it.
PUBLISHED = Process.published_at.is_not(None)


class Phase(db.Model):
    __tablename__ = "process_phase"
    __table_args__ = (UniqueConstraint("process_id", "position"), UniqueConstraint("process_id", "kind"),
                      CheckConstraint("starts_on <= ends_on", name="starts_before_it_ends"))

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[PhaseKind] = mapped_column(enum_column_type(PhaseKind))
    # Whole days in Paris time, both included.
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    process: Mapped[Process] = relationship(back_populates="phases")


class ProcessProposal(db.Model):
    """A proposal submitted into a process, and its technical study once made."""

    __tablename__ = "process_proposal"
    __table_args__ = (
        # The process page's proposals (newest first) and the study queue (oldest first): by number within it.
        Index("ix_process_proposal_process", "process_id", "proposal_id"),
        # The study's rules (services.study), below the application too. Merged names the proposal it went into,
        # never itself; the other way round only, since that proposal's removal (with its author's account) sets
        # merged_into_id to NULL, and the study, read with its reason, stays.
        CheckConstraint("merged_into_id IS NULL OR (feasibility = 'merged' AND merged_into_id <> proposal_id)",
                        name="merged_into_when_merged"),
        # A feasible project has the cost the vote carries.
        CheckConstraint("feasibility IS NULL OR feasibility <> 'feasible' OR estimated_cost IS NOT NULL",
                        name="feasible_with_cost"),
        # Whatever the feasibility, residents read why.
        CheckConstraint("feasibility IS NULL OR (study_reason IS NOT NULL AND study_reason <> '')",
                        name="studied_with_reason"),
        CheckConstraint("cost_estimate IS NULL OR cost_estimate >= 0", name="cost_estimate_positive"),
        CheckConstraint("estimated_cost IS NULL OR estimated_cost >= 0", name="estimated_cost_positive"),
    )

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True,
                                             autoincrement=False)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id"))
    # What its author thinks it costs, in euros (optional); the study's estimate is the one a vote carries.
    cost_estimate: Mapped[int | None]
    feasibility: Mapped[Feasibility | None] = mapped_column(enum_column_type(Feasibility))
    estimated_cost: Mapped[int | None]
    study_reason: Mapped[str | None] = mapped_column(Text)  # public
    department: Mapped[str | None] = mapped_column(String(DEPARTMENT_MAX))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="SET NULL"))
    studied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    studied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    # The backref reads a proposal's process once per loaded proposal (then it is kept on the object): the rules of
    # supports and comments ask it several times for one page.
    proposal: Mapped[Proposal] = relationship(
        foreign_keys=[proposal_id], backref=backref("process_entry", uselist=False, lazy="select"))
    process: Mapped[Process] = relationship()
    merged_into: Mapped[Proposal | None] = relationship(foreign_keys=[merged_into_id])

    @property
    def studied(self):
        return self.feasibility is not None


labels.register(PhaseKind, {
    PhaseKind.QUESTIONNAIRE: _l("questionnaire"),
    PhaseKind.IDEAS: _l("ideas"),
    PhaseKind.STUDY: _l("technical study"),
    PhaseKind.VOTE: _l("vote"),
    PhaseKind.RESULTS: _l("results"),
    PhaseKind.FOLLOW_UP: _l("follow-up of the projects"),
})
labels.register(Feasibility, {
    Feasibility.FEASIBLE: _l("Feasible"),
    Feasibility.NOT_FEASIBLE: _l("Not feasible"),
    Feasibility.MERGED: _l("Merged into another proposal"),
})

refers_to_account(Process.created_by_id, KEEP, ANONYMISE)  # staff acting
refers_to_account(ProcessProposal.studied_by_id, KEEP, ANONYMISE)  # staff acting

targets.register(targets.Kind(
    type=targets.TargetType.PROCESS, model=Process, numbered=_l("Process n° %(n)s"),
    link=lambda p: ("processes.detail", {"process_id": p.id}),
    number_link=lambda n: ("processes.detail", {"process_id": n}), view=Action.PROCESS_VIEW))
