"""Decisions, their options, who took part, the secret ballots and the published results.

Ballot secrecy starts in the schema: ``Participation`` says who voted, when and through
which channel (and guards one vote per voter with a UNIQUE constraint); ``Ballot`` says
what was chosen and carries no voter, no time, no channel and a random primary key. On
SQLite the ballot table is WITHOUT ROWID, so the storage order is the random key's.
How ballots are written so that the storage itself does not link them to participations
is explained in ``services.cast_ballot``.

What a publication freezes is kept apart from the decision's row, which every page reads:
``Decision.published_at`` says it is published; ``ResultSnapshot`` holds the small facts
(who, which counting code, the ballots file's SHA-256); the files themselves (ballots CSV,
Pabulib .pb, results JSON and CSV, datapackage.json) are ``PublishedFile`` rows whose bytes
are ``PublishedChunk`` rows: in the database, so they are backed up with it and written in
the publication's transaction, and read a chunk at a time by downloads only.
"""
import enum
import hashlib
import hmac
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (BigInteger, Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text,
                        UniqueConstraint, func, insert, select, text, update)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import labels, targets
from ..access import Action
from ..accounts.models import District, User
from ..counters.models import AssistedRecord
from ..db_types import UTCDateTime, enum_column_type, utcnow
from ..extensions import db
from ..privacy.registry import ANONYMISE, KEEP, refers_to_account


class Method(enum.Enum):
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    APPROVAL = "approval"
    MAJORITY_JUDGMENT = "majority_judgment"
    BUDGET = "budget"


# The methods that elect a number of options (Decision.number_of_winners); a yes / no question has an answer,
# a budget funds what its rule chooses.
RANKING_METHODS = (Method.SINGLE_CHOICE, Method.APPROVAL, Method.MAJORITY_JUDGMENT)


class BudgetRule(enum.Enum):
    GREEDY = "greedy"
    EQUAL_SHARES = "equal_shares"


class DecisionState(enum.Enum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class JobKind(enum.Enum):
    COUNT = "count"  # the official's preview of a closed vote's results
    PUBLISH = "publish"


class JobState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobFailure(enum.Enum):
    REFUSED = "refused"  # the decision was no longer closed and unpublished, or the official no longer one
    ERROR = "error"  # anything else: logged, nothing saved
    STOPPED = "stopped"  # the process running it stopped, again and again


decision_district = Table(
    "decision_district",
    db.metadata,
    Column("decision_id", Integer, ForeignKey("decision.id", ondelete="CASCADE"), primary_key=True),
    Column("district_id", Integer, ForeignKey("district.id"), primary_key=True),
)


def state_from_dates(published_at, announced_at, opens_at, closes_at, now):
    """A decision's state at ``now``: derived from its dates, so it can never disagree with them (Decision.state_at,
    and the lists that read these columns without loading a Decision)."""
    if published_at is not None:
        return DecisionState.PUBLISHED
    if announced_at is None:
        return DecisionState.DRAFT
    if now < opens_at:
        return DecisionState.SCHEDULED
    if now < closes_at:
        return DecisionState.OPEN
    return DecisionState.CLOSED


class Decision(db.Model):
    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    question: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[Method] = mapped_column(enum_column_type(Method))
    max_choices: Mapped[int | None]
    budget: Mapped[int | None]
    budget_rule: Mapped[BudgetRule | None] = mapped_column(enum_column_type(BudgetRule))
    voter_cost_limit: Mapped[int | None]
    # How many options win (single choice, approval, majority judgment; civic.voting says how ties are broken).
    number_of_winners: Mapped[int] = mapped_column(default=1, server_default="1")
    # Accounts that could vote, counted once as of closes_at by the first count, publication or clock job after
    # it (services.freeze_electorate): turnout stays what it was, whoever registers later.
    electorate: Mapped[int | None]
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when an official takes the decision out of draft: from then on residents see it.
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Followers were told the vote opened (decisions.services.notify_opened_votes).
    opening_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by the transaction that publishes the results: the state without reading them.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User] = relationship()
    options: Mapped[list["Option"]] = relationship(
        order_by="Option.position, Option.id", cascade="all, delete-orphan", back_populates="decision"
    )
    districts: Mapped[list[District]] = relationship(secondary=decision_district, order_by=District.name)
    snapshot: Mapped["ResultSnapshot | None"] = relationship(back_populates="decision", uselist=False)

    def state_at(self, now):
        return state_from_dates(self.published_at, self.announced_at, self.opens_at, self.closes_at, now)

    @property
    def state(self):
        return self.state_at(utcnow())


# The decisions residents see, out of draft (DECISION_VIEW), and those whose results they read (RESULTS_READ): the
# SQL of Decision.state_at's first two tests, for the lists and the open data.
ANNOUNCED = Decision.announced_at.is_not(None)
RESULTS_PUBLISHED = Decision.published_at.is_not(None)


class Option(db.Model):
    __tablename__ = "decision_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(160))
    # What the option means, when its name alone does not say it: shown on the ballot and the decision.
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    cost: Mapped[int | None]
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"))

    decision: Mapped[Decision] = relationship(back_populates="options")


class Participation(AssistedRecord, db.Model):
    """Who took part: one row per voter and decision, whatever the channel."""

    __tablename__ = "participation"
    __table_args__ = (UniqueConstraint("decision_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ErasedVoter(db.Model):
    """Someone who took part in a vote still open and erased their account since: a keyed hash of each
    identity they were known by (voter_identities), so that an account made again with any of them cannot
    vote a second time in that vote. Nothing can be read back from it; the rows go once the vote closes
    (services)."""

    __tablename__ = "erased_voter"

    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"), primary_key=True)
    identity: Mapped[str] = mapped_column(String(64), primary_key=True)


def _hashed_identity(value):
    key = hashlib.sha256(b"civic.erased-voter:" + current_app.config["SECRET_KEY"].encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def voter_identities(people):
    """Every identity by which ``people`` (rows with email_normalized, full_name_search and birth_date: one
    person's account and the counter records attached to it) can be found again, hashed: each e-mail, and
    each name with its birth date (as an agent's search finds them). Both, not one or the other: a person
    erased under an account can come back online with the e-mail or at a counter with the name and birth
    date, whichever channel they voted through."""
    identities = set()
    for person in people:
        if person.email_normalized:
            identities.add(_hashed_identity(f"email:{person.email_normalized}"))
        if person.full_name_search and person.birth_date:
            identities.add(_hashed_identity(f"counter:{person.full_name_search}:{person.birth_date.isoformat()}"))
    return identities


def identities_of(user_id):
    """The hashed identities of the account ``user_id`` and of the counter records attached to it."""
    return voter_identities(db.session.execute(
        select(User.email_normalized, User.full_name_search, User.birth_date)
        .where((User.id == user_id) | (User.merged_into_id == user_id))).all())


class Ballot(db.Model):
    """What was chosen, with nothing that leads back to the voter.

    No channel either: with few counter voters, a channel on the ballot would single out
    their ballots for anyone who can read the participation records.
    """

    __tablename__ = "ballot"
    __table_args__ = (
        UniqueConstraint("decision_id", "tracking_code"),
        # Casting picks "the next ballots after a random key" of a decision to rewrite.
        Index("ix_ballot_decision_id_id", "decision_id", "id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"))
    tracking_code: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)


class ResultSnapshot(db.Model):
    """Who published, with which counting code, and the ballots file's SHA-256 (the files: PublishedFile)."""

    __tablename__ = "result_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), unique=True)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    code_version: Mapped[str] = mapped_column(String(40))
    ballots_sha256: Mapped[str] = mapped_column(String(64))

    decision: Mapped[Decision] = relationship(back_populates="snapshot")


class PublishedFile(db.Model):
    """One file of a publication, frozen: its bytes are its chunks, in order."""

    __tablename__ = "published_file"
    __table_args__ = (UniqueConstraint("decision_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"))
    name: Mapped[str] = mapped_column(String(40))
    media_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")


class PublishedChunk(db.Model):
    __tablename__ = "published_chunk"

    file_id: Mapped[int] = mapped_column(ForeignKey("published_file.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ResultPreview(db.Model):
    """The count of a closed vote as officials review it before publishing: counted once per closing."""

    __tablename__ = "result_preview"

    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"), primary_key=True,
                                             autoincrement=False)
    # The closing date it was counted for: a vote closed again later (its date changed) is counted again.
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    results_json: Mapped[str] = mapped_column(Text)


class DecisionJob(db.Model):
    """Counting or publishing a decision's ballots, asked by an official and run outside any request
    (civic.decisions.queue). One unfinished job of a kind per decision: the database says so."""

    __tablename__ = "decision_job"
    __table_args__ = (
        Index("uq_decision_job_unfinished", "decision_id", "kind", unique=True,
              sqlite_where=text("state IN ('queued', 'running')"),
              postgresql_where=text("state IN ('queued', 'running')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"), index=True)
    kind: Mapped[JobKind] = mapped_column(enum_column_type(JobKind))
    state: Mapped[JobState] = mapped_column(enum_column_type(JobState), default=JobState.QUEUED)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    # How many ballots it has to go through, read when it starts: what the official is told to expect.
    ballots: Mapped[int | None]
    failure: Mapped[JobFailure | None] = mapped_column(enum_column_type(JobFailure))

    requested_by: Mapped[User] = relationship()


class DescriptionEdit(db.Model):
    """Typo fixes to an open decision's description: the only change allowed once voting started."""

    __tablename__ = "decision_description_edit"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)


labels.register(Method, {
    Method.YES_NO: _l("Yes / no"),
    Method.SINGLE_CHOICE: _l("Single choice among options"),
    Method.APPROVAL: _l("Approval: choose the options one supports"),
    Method.MAJORITY_JUDGMENT: _l("Majority judgment: grade every option"),
    Method.BUDGET: _l("Participatory budget: choose projects within a budget"),
})
labels.register(BudgetRule, {
    BudgetRule.GREEDY: _l("Most voted projects first, as long as they fit in the budget (greedy)"),
    BudgetRule.EQUAL_SHARES: _l("Method of equal shares (each voter controls an equal share of the budget)"),
})
labels.register(DecisionState, {
    DecisionState.DRAFT: _l("Draft"),
    DecisionState.SCHEDULED: _l("Coming soon"),
    DecisionState.OPEN: _l("Vote open"),
    DecisionState.CLOSED: _l("Vote closed"),
    DecisionState.PUBLISHED: _l("Results published"),
})
labels.register(JobKind, {
    JobKind.COUNT: _l("Counting the ballots"),
    JobKind.PUBLISH: _l("Publishing the results"),
})
labels.register(JobState, {
    JobState.QUEUED: _l("Waiting to start"),
    JobState.RUNNING: _l("Running"),
    JobState.DONE: _l("Finished"),
    JobState.FAILED: _l("Failed"),
})
labels.register(JobFailure, {
    JobFailure.REFUSED: _l("Results can be published once the vote is closed, and only once."),
    JobFailure.ERROR: _l("An unexpected error stopped it: nothing was saved. The error is in the server's log."),
    JobFailure.STOPPED: _l("The server process running it stopped several times: nothing was saved. The "
                           "server's log may say why."),
})

targets.register(targets.Kind(
    type=targets.TargetType.DECISION, model=Decision, numbered=_l("Vote n° %(n)s"),
    link=lambda d: ("decisions.detail", {"decision_id": d.id}),
    number_link=lambda n: ("decisions.detail", {"decision_id": n}), view=Action.DECISION_VIEW))

for _column in (Decision.created_by_id, ResultSnapshot.published_by_id, DescriptionEdit.user_id,
                Participation.assisted_by_id, DecisionJob.requested_by_id):
    refers_to_account(_column, KEEP, ANONYMISE)  # staff acting


def _attach_participations(column, record, account):
    """A vote cast from both stays with the record: both ballots were counted and cannot be told apart.
    Returns how many stayed."""
    voted = select(Participation.decision_id).where(Participation.user_id == account.id)
    db.session.execute(update(Participation).where(column == record.id, Participation.decision_id.not_in(voted))
                       .values(user_id=account.id))
    return db.session.execute(select(func.count(Participation.id)).where(column == record.id)).scalar_one()


def _erase_participations(_column, erasure):
    """A vote stays counted and its row keeps the erased account from voting again; for the votes still
    open, every identity the person was known by (the account's and its attached records': a vote cast
    from a record moved to the account when it was attached) is kept hashed (ErasedVoter), read before the
    accounts are emptied."""
    decisions = db.session.execute(
        select(Participation.decision_id).distinct().join(Decision, Decision.id == Participation.decision_id)
        .where(Participation.user_id.in_(erasure.accounts), Decision.published_at.is_(None),
               Decision.closes_at > utcnow()).order_by(Participation.decision_id)).scalars().all()
    if not decisions:
        return
    identities = voter_identities(db.session.execute(
        select(User.email_normalized, User.full_name_search, User.birth_date)
        .where(User.id.in_(erasure.accounts))).all())
    # Already kept when the same person voted under two accounts (a record and an account never attached,
    # both voting before either went) and the other one was erased first.
    kept = set(db.session.execute(select(ErasedVoter.decision_id, ErasedVoter.identity).where(
        ErasedVoter.decision_id.in_(decisions), ErasedVoter.identity.in_(identities))).all())
    rows = [{"decision_id": d, "identity": i} for d in decisions for i in sorted(identities) if (d, i) not in kept]
    if rows:
        db.session.execute(insert(ErasedVoter), rows)


refers_to_account(Participation.user_id, _attach_participations, _erase_participations)
