"""Questionnaires: the questions a consultation asks during a process's questionnaire phase, and the answers.

A process has at most one questionnaire, answered during its phase of kind QUESTIONNAIRE (the dates are the
phase's). Its questions may change until the first answer arrives; from then on they are what residents
answered and stay as they are. How free-text answers are used (published after moderation, or kept for the
synthesis only) is chosen with the questionnaire and shown before anyone answers.

A resident answers once per questionnaire, online or at a counter (``Response``: the database holds the one
answer per resident); each answered question is one ``Answer`` row, one per chosen option for a multiple choice.
What residents answered is theirs: the open data publishes counts and the free texts moderators published, never
who wrote what.
"""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l, lazy_pgettext
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false, text as sql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import labels
from ..accounts.models import User
from ..codes import random_code
from ..counters.models import AssistedRecord
from ..db_types import UTCDateTime, enum_column_type, utcnow
from ..extensions import db
from ..processes.models import Process

QUESTION_MAX = 300
HINT_MAX = 500
CHOICE_MAX = 200
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5_000
# A synthesis page stays within the page budget with the least compressible text of this length.
SYNTHESIS_MAX = 10_000
SCALE = range(1, 6)  # a scale question is answered from 1 to 5
# A text answer's public name: ids are drawn in the order a response's answers are written, so they would let
# anyone gather one resident's texts; a random code ties nothing to the texts beside it.
ANSWER_CODE_LENGTH = 12


class QuestionKind(enum.Enum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SCALE = "scale"


CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


class FreeTextUse(enum.Enum):
    """What becomes of the free-text answers, chosen with the questionnaire and stated before anyone answers."""

    PUBLISHED = "published"  # published once a moderator has read them (the moderation queue and journal)
    SYNTHESIS = "synthesis"  # read by the services for the synthesis, never published


class TextState(enum.Enum):
    """A free-text answer of a questionnaire whose free texts are PUBLISHED: waiting, published or refused."""

    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


class Questionnaire(db.Model):
    __tablename__ = "questionnaire"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"), unique=True)
    introduction: Mapped[str] = mapped_column(Text, default="")
    free_text_use: Mapped[FreeTextUse] = mapped_column(enum_column_type(FreeTextUse))
    # Written by the services once the answers are read; public from synthesis_published_at.
    synthesis: Mapped[str] = mapped_column(Text, default="")
    synthesis_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When its text last changed: updated_at moves with any edit of the questionnaire, this only with the synthesis.
    synthesis_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    process: Mapped[Process] = relationship()
    questions: Mapped[list["Question"]] = relationship(order_by="Question.position", cascade="all, delete-orphan",
                                                       back_populates="questionnaire")


class Question(db.Model):
    __tablename__ = "questionnaire_question"
    __table_args__ = (Index("ix_questionnaire_question_order", "questionnaire_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[QuestionKind] = mapped_column(enum_column_type(QuestionKind))
    text: Mapped[str] = mapped_column(String(QUESTION_MAX))
    hint: Mapped[str] = mapped_column(String(HINT_MAX), default="")
    required: Mapped[bool] = mapped_column(default=False)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions")
    choices: Mapped[list["Choice"]] = relationship(order_by="Choice.position", cascade="all, delete-orphan",
                                                   back_populates="question")


class Choice(db.Model):
    """One option of a single- or multiple-choice question."""

    __tablename__ = "questionnaire_choice"
    __table_args__ = (Index("ix_questionnaire_choice_order", "question_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_question.id", ondelete="CASCADE"))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(CHOICE_MAX))

    question: Mapped[Question] = relationship(back_populates="choices")


class Response(AssistedRecord, db.Model):
    """One resident's answers to one questionnaire, online or at a counter: one per resident."""

    __tablename__ = "questionnaire_response"
    __table_args__ = (UniqueConstraint("questionnaire_id", "respondent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"))
    # Emptied when the resident's account is erased: the answers stay in the counts, nobody's.
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship()
    respondent: Mapped[User | None] = relationship(foreign_keys=[respondent_id])
    # Named by its module: civic.answers has an Answer too (the officials' answers to proposals).
    answers: Mapped[list["Answer"]] = relationship("civic.questionnaires.models.Answer", cascade="all, delete-orphan",
                                                   back_populates="response")


def _text_code(context):
    """A text answer's public code, drawn as it is written (whoever writes it); choices and scales need none."""
    return random_code(ANSWER_CODE_LENGTH) if context.get_current_parameters().get("text") is not None else None


class Answer(db.Model):
    """The answer to one question: a chosen option (one row per option chosen), a value on the scale, or a text.

    A text of a questionnaire whose free texts are published has a ``text_state`` (the moderation's); a text
    kept for the synthesis has none."""

    __tablename__ = "questionnaire_answer"
    __table_args__ = (
        CheckConstraint("(CASE WHEN choice_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN scale IS NULL THEN 0 ELSE 1 END)"
                        " + (CASE WHEN text IS NULL THEN 0 ELSE 1 END) = 1", name="one_kind_of_answer"),
        CheckConstraint("scale IS NULL OR scale BETWEEN 1 AND 5", name="scale_range"),
        CheckConstraint("text_state IS NULL OR text IS NOT NULL", name="state_of_a_text"),
        # The counts of a question (choices, scale), and the free texts of a question in the order written.
        Index("ix_questionnaire_answer_question", "question_id", "choice_id", "scale"),
        Index("ix_questionnaire_answer_texts", "question_id", "text_state", "id"),
        # One answer per question and response (a scale value or a text), one row per option chosen: whatever
        # writes them, a response counts once in each count.
        Index("uq_questionnaire_answer_question", "response_id", "question_id", unique=True,
              sqlite_where=sql("choice_id IS NULL"), postgresql_where=sql("choice_id IS NULL")),
        Index("uq_questionnaire_answer_choice", "response_id", "choice_id", unique=True,
              sqlite_where=sql("choice_id IS NOT NULL"), postgresql_where=sql("choice_id IS NOT NULL")),
        # Ids are never reused (an erased answer's id would not name another one in a moderator's memory).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_response.id", ondelete="CASCADE"),
                                             index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_question.id", ondelete="CASCADE"))
    choice_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire_choice.id", ondelete="CASCADE"))
    scale: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(String(ANSWER_CODE_LENGTH), unique=True, default=_text_code)
    text_state: Mapped[TextState | None] = mapped_column(enum_column_type(TextState))
    moderation_reason: Mapped[str | None] = mapped_column(Text)
    held_by_reports: Mapped[bool] = mapped_column(default=False, server_default=false())

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    choice: Mapped[Choice | None] = relationship()

    # Moderation tells the author of a text its decision (civic.moderation): the respondent, whom no page names.
    @property
    def author(self):
        return self.response.respondent

    @property
    def author_id(self):
        return self.response.respondent_id


labels.register(QuestionKind, {
    QuestionKind.SINGLE_CHOICE: _l("Single choice"),
    QuestionKind.MULTIPLE_CHOICE: _l("Multiple choice"),
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text"),
    QuestionKind.SCALE: _l("Scale from 1 to 5"),
})
labels.register(TextState, {
    TextState.PENDING: _l("Waiting for moderation"),
    TextState.PUBLISHED: lazy_pgettext("state of a free-text answer", "Published"),
    TextState.REJECTED: _l("Rejected by moderation"),
})
labels.register(FreeTextUse, {
    FreeTextUse.PUBLISHED: _l("Published after moderation"),
    FreeTextUse.SYNTHESIS: _l("Kept for the synthesis, not published"),
})
