"""Proposals, supports and comments."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, and_, event, false, or_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import labels, targets
from ..access import Action
from ..accounts.models import District, User
from ..counters.models import AssistedRecord
from ..db_types import UTCDateTime, enum_column_type, utcnow
from ..extensions import db
from ..privacy.registry import ANONYMISE, CONTRIBUTION, KEEP, MOVE, move_unless_held, refers_to_account
from ..text import searchable_text
from ..themes.models import Theme

TITLE_MAX = 120
BODY_MAX = 10_000
PLACE_MAX = 200
COMMENT_MAX = 3_000
REASON_MAX = 1_000


class ProposalState(enum.Enum):
    PENDING = "pending"                      # held for review (pre-moderation, or after a change)
    PUBLISHED = "published"
    CHANGES_REQUESTED = "changes_requested"  # back with its author, not public
    REJECTED = "rejected"                    # with a public reason
    HIDDEN = "hidden"                        # with a public reason
    MERGED = "merged"                        # into another proposal (merged_into_id)
    WITHDRAWN = "withdrawn"                  # by its author


# States whose content the public sees (a proposal held by reports is hidden meanwhile).
PUBLIC_STATES = (ProposalState.PUBLISHED, ProposalState.WITHDRAWN)


class Proposal(AssistedRecord, db.Model):
    __tablename__ = "proposal"
    __table_args__ = (
        # The lists: newest first, and most supported first, within a state (see services.list_proposals).
        Index("ix_proposal_state_newest", "state", "created_at", "id"),
        Index("ix_proposal_state_supported", "state", "support_count", "created_at", "id"),
        # A person's own, newest first ("my data").
        Index("ix_proposal_author_time", "author_id", "created_at", "id"),
        # A removed proposal's number is never given again: receipts and the audit log name it (migration 0023).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(String(PLACE_MAX))
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"), index=True)
    # The part of the territory it concerns, when the author says (optional; offered while districts exist).
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    state: Mapped[ProposalState] = mapped_column(enum_column_type(ProposalState), default=ProposalState.PUBLISHED)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    moderation_reason: Mapped[str | None] = mapped_column(Text)   # public
    moderation_message: Mapped[str | None] = mapped_column(Text)  # to the author (change request)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"))
    # Reported by enough residents: hidden until a moderator decides.
    held_by_reports: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The interface language when it was written, so that pages can mark it with lang=""
    # when shown in the other language (screen readers then switch voice).
    language: Mapped[str] = mapped_column(String(8), default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # First shown to the public (None: never, e.g. a duplicate merged while waiting for review,
    # whose text must then stay unpublished). Set on every path by _note_first_publication.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Title and body as searches read them (civic.text.searchable_text: "ecole" finds "École"), kept from
    # them on every write through the ORM (_keep_search_text); see search.py.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # How many support rows name it, and how many of its comments are shown, kept by database triggers
    # (kept_counts.py) in the transaction that changes them: "most supported" then reads an index, not every
    # support, and a list counts no comment.
    support_count: Mapped[int] = mapped_column(default=0, server_default="0")
    comment_count: Mapped[int] = mapped_column(default=0, server_default="0")

    theme: Mapped[Theme] = relationship()
    district: Mapped[District | None] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])

    @hybrid_property
    def is_public(self):
        return self.state in PUBLIC_STATES and not self.held_by_reports

    @is_public.inplace.expression
    @classmethod
    def _is_public_sql(cls):
        # The same condition in SQL, for lists that find public proposals through others (answers, feeds).
        return and_(cls.state.in_(PUBLIC_STATES), cls.held_by_reports.is_(False))

    @hybrid_property
    def readable_by_anyone(self):
        """Its text is public: while public, and once merged if it had been published (its supports and comments
        were public). The rules (PROPOSAL_READ) ask it of one proposal, the open data of all of them in SQL."""
        return self.is_public or (self.state is ProposalState.MERGED and self.published_at is not None)

    @readable_by_anyone.inplace.expression
    @classmethod
    def _readable_by_anyone_sql(cls):
        return or_(cls.is_public, and_(cls.state == ProposalState.MERGED, cls.published_at.is_not(None)))

    @property
    def was_withdrawn(self):
        """Withdrawn by its author, even if moderation hid it since (withdrawing always records a reason,
        maybe empty, and cannot be undone)."""
        return self.withdrawn_reason is not None


@event.listens_for(Proposal, "before_insert")
@event.listens_for(Proposal, "before_update")
def _keep_search_text(_mapper, _connection, proposal):
    proposal.search_text = searchable_text(proposal.title or "", proposal.body or "")


@event.listens_for(Proposal, "before_insert")
@event.listens_for(Proposal, "before_update")
def _note_first_publication(_mapper, _connection, proposal):
    # state None: the column default, PUBLISHED, is about to apply.
    if proposal.published_at is None and proposal.state in (None, ProposalState.PUBLISHED):
        proposal.published_at = utcnow()


class Support(AssistedRecord, db.Model):
    __tablename__ = "support"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),
                      Index("ix_support_user_time", "user_id", "created_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    proposal: Mapped[Proposal] = relationship()


class Comment(AssistedRecord, db.Model):
    __tablename__ = "comment"
    __table_args__ = (
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        # A page of threads of a proposal, and the first replies of each, in the order they were written.
        Index("ix_comment_threads", "proposal_id", "parent_id", "created_at", "id"),
        Index("ix_comment_replies", "parent_id", "created_at", "id"),
        Index("ix_comment_author_time", "author_id", "created_at", "id"),
        {"sqlite_autoincrement": True},  # as proposals
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    moderation_reason: Mapped[str | None] = mapped_column(Text)
    held_by_reports: Mapped[bool] = mapped_column(default=False, server_default=false())

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    proposal: Mapped[Proposal] = relationship()
    replies: Mapped[list["Comment"]] = relationship(order_by="Comment.created_at")

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def is_hidden(self):
        return self.hidden_at is not None or self.held_by_reports

    @property
    def open_for_replies(self):
        """Shown to everyone: a reply form must not display (nor a reply revive) anything else."""
        return not self.is_deleted and not self.is_hidden


labels.register(ProposalState, {
    ProposalState.PENDING: _l("Waiting for a moderator: it will be published once read."),
    ProposalState.PUBLISHED: _l("Published: open for support."),
    ProposalState.CHANGES_REQUESTED: _l("A moderator asked for a change before publishing it."),
    ProposalState.REJECTED: _l("Rejected by moderation."),
    ProposalState.HIDDEN: _l("Hidden by moderation."),
    ProposalState.MERGED: _l("Merged into another proposal"),
    ProposalState.WITHDRAWN: _l("Withdrawn by its author."),
})

targets.register(targets.Kind(
    type=targets.TargetType.PROPOSAL, model=Proposal, numbered=_l("Proposal n° %(n)s"),
    link=lambda p: ("proposals.detail", {"proposal_id": p.id}),
    number_link=lambda n: ("proposals.detail", {"proposal_id": n}), view=Action.PROPOSAL_VIEW))
targets.register(targets.Kind(
    type=targets.TargetType.COMMENT, model=Comment, numbered=_l("Comment n° %(n)s"),
    link=lambda c: ("proposals.comment_link", {"comment_id": c.id}),
    view=Action.COMMENT_VIEW))
targets.register(targets.Kind(
    type=targets.TargetType.SUPPORT, model=Support, numbered=_l("Support n° %(n)s"),
    link=lambda s: ("proposals.detail", {"proposal_id": s.proposal_id, "_anchor": "support"})))

refers_to_account(Proposal.author_id, MOVE, CONTRIBUTION)
refers_to_account(Comment.author_id, MOVE, CONTRIBUTION)
for _model in (Proposal, Support, Comment):
    refers_to_account(_model.assisted_by_id, KEEP, ANONYMISE)  # the agent who entered it


# An erased person's supports stay counted: others supported the proposal alongside them.
refers_to_account(Support.user_id, move_unless_held(Support.proposal_id), ANONYMISE)
