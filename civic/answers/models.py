import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l, lazy_pgettext
from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import labels
from ..access import Role
from ..accounts.models import User
from ..db_types import UTCDateTime, enum_column_type, utcnow
from ..extensions import db
from ..privacy.registry import ANONYMISE, KEEP, refers_to_account


class AnswerStatus(enum.Enum):
    UNDER_STUDY = "under_study"
    ACCEPTED = "accepted"
    ACCEPTED_WITH_CHANGES = "accepted_with_changes"
    REJECTED = "rejected"
    DONE = "done"


class Answer(db.Model):
    """The collectivité's current answer to a proposal; the earlier versions are its edits (public), and in the
    staff log with who wrote them."""

    __tablename__ = "proposal_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), unique=True)
    status: Mapped[AnswerStatus] = mapped_column(enum_column_type(AnswerStatus), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The role its author answered in, shown with the answer (an official's account may change role later).
    author_role: Mapped[Role] = mapped_column(enum_column_type(Role))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship()


class AnswerEdit(db.Model):
    """A version of an answer that a later one replaced, shown under the answer: status, text, and since when
    and in which role it was published."""

    __tablename__ = "proposal_answer_edit"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("proposal_answer.id", ondelete="CASCADE"), index=True)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[AnswerStatus] = mapped_column(enum_column_type(AnswerStatus))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_role: Mapped[Role] = mapped_column(enum_column_type(Role))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())


refers_to_account(Answer.author_id, KEEP, ANONYMISE)  # staff acting
refers_to_account(AnswerEdit.author_id, KEEP, ANONYMISE)

labels.register(AnswerStatus, {
    AnswerStatus.UNDER_STUDY: _l("Under study"),
    AnswerStatus.ACCEPTED: lazy_pgettext("answer status", "Accepted"),
    AnswerStatus.ACCEPTED_WITH_CHANGES: _l("Accepted with changes"),
    AnswerStatus.REJECTED: _l("Not retained"),
    AnswerStatus.DONE: lazy_pgettext("answer status", "Done"),
})
