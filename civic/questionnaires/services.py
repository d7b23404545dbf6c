"""Questionnaire operations: setting one up, its questions, and the answers of one resident. Services flush; the
request commits once.

The questions change until the first answer is recorded: setting up locks the questionnaire's row, answering
holds it shared, so that a question cannot change under an answer being recorded. One response per resident
is the database's (UNIQUE (questionnaire, respondent)): a second one, online, at a counter or sent twice at
once, is refused by the constraint.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import format_number, lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import selectinload

from .. import staff_log
from ..access import Action, check
from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..processes.models import PhaseKind
from ..targets import TargetType
from ..transaction import lock_rows, unique_insert
from .models import (CHOICE_KINDS, CHOICE_MAX, LONG_TEXT_MAX, SCALE, SHORT_TEXT_MAX, Answer, Choice, FreeTextUse,
                     Question, QuestionKind, Questionnaire, Response, TextState)

ALREADY_ANSWERED = _l("You have already answered this questionnaire: one answer per resident, online or at a "
                      "counter.")
ALREADY_CREATED = _l("This process already has its questionnaire.")
USE_FROZEN = _l("Residents have started answering: how their free texts are used was stated to them and can no "
                "longer change.")
TEXT_LIMITS = {QuestionKind.SHORT_TEXT: SHORT_TEXT_MAX, QuestionKind.LONG_TEXT: LONG_TEXT_MAX}


def questionnaire_of(process, with_questions=True):
    """The process's questionnaire or None; ``with_questions`` loads its questions and their choices along."""
    statement = select(Questionnaire).where(Questionnaire.process_id == process.id)
    if with_questions:
        statement = statement.options(selectinload(Questionnaire.questions).selectinload(Question.choices))
    return db.session.execute(statement).scalar()


def is_answered(questionnaire):
    return db.session.execute(select(exists().where(Response.questionnaire_id == questionnaire.id))).scalar()


def response_of(user, questionnaire):
    """``user``'s response with its answers, or None."""
    if user is None or not user.is_authenticated:
        return None
    return db.session.execute(
        select(Response).where(Response.questionnaire_id == questionnaire.id, Response.respondent_id == user.id)
        .options(selectinload(Response.answers))).scalar()


# --- Setting up ------------------------------------------------------------------------------------------------

def _logged(questionnaire):
    return {"introduction": questionnaire.introduction, "free_text_use": questionnaire.free_text_use.value}


def create_questionnaire(process, by, *, introduction, free_text_use):
    check(by, Action.QUESTIONNAIRE_MANAGE, process)
    questionnaire = Questionnaire(process_id=process.id, introduction=introduction.strip(),
                                  free_text_use=free_text_use, synthesis="")
    with unique_insert(DomainError(ALREADY_CREATED)):
        db.session.add(questionnaire)
    staff_log.record(by, "questionnaire", "create", TargetType.QUESTIONNAIRE, questionnaire.id, {},
                     _logged(questionnaire))
    return questionnaire


def update_questionnaire(questionnaire, by, *, introduction, free_text_use):
    """The introduction may be made clearer at any time; how free texts are used, until the first answer."""
    lock_rows(questionnaire)
    check(by, Action.QUESTIONNAIRE_MANAGE, questionnaire)
    if free_text_use is not questionnaire.free_text_use and is_answered(questionnaire):
        raise DomainError(USE_FROZEN, field="free_text_use")
    before = _logged(questionnaire)
    questionnaire.introduction, questionnaire.free_text_use = introduction.strip(), free_text_use
    after = _logged(questionnaire)
    if before == after:
        return False
    questionnaire.updated_at = utcnow()
    db.session.flush()
    staff_log.record(by, "questionnaire", "edit", TargetType.QUESTIONNAIRE, questionnaire.id, before, after)
    return True


def choice_lines(text):
    """The options typed one per line, blank lines left out."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _check_choices(kind, labels):
    if kind not in CHOICE_KINDS:
        if labels:
            raise DomainError(_l("Only single- and multiple-choice questions have answers to choose from: leave this "
                                 "field empty."), field="choices")
        return
    if len(labels) < 2:
        raise DomainError(_l("Give at least two answers to choose from, one per line."), field="choices")
    seen = set()
    for label in labels:
        if len(label) > CHOICE_MAX:
            raise DomainError(_l("Each answer to choose from has at most %(max)d characters: “%(label)s” is longer.",
                                 max=CHOICE_MAX, label=label[:40] + "…"), field="choices")
        if label.casefold() in seen:
            raise DomainError(_l("“%(label)s” is given twice: give each answer once.", label=label),
                              field="choices")
        seen.add(label.casefold())


def _question_fields(question):
    return {"kind": question.kind.value, "text": question.text, "hint": question.hint, "required": question.required,
            "choices": [choice.label for choice in question.choices]}


def _before_questions(questionnaire, by):
    """Questions change one at a time, and not once answers arrive (held until the request ends)."""
    lock_rows(questionnaire)
    check(by, Action.QUESTIONNAIRE_QUESTIONS, questionnaire)


def save_question(questionnaire, question, by, *, kind, text, hint, required, choices):
    """Add (question=None) or change a question; ``choices``: the options' labels, in order."""
    _before_questions(questionnaire, by)
    _check_choices(kind, choices)
    before = _question_fields(question) if question is not None else {}
    if question is None:
        position = db.session.execute(select(func.max(Question.position))
                                      .where(Question.questionnaire_id == questionnaire.id)).scalar()
        question = Question(position=0 if position is None else position + 1)
        questionnaire.questions.append(question)
    question.kind, question.text, question.hint, question.required = kind, text.strip(), hint.strip(), required
    if [choice.label for choice in question.choices] != choices:
        question.choices = [Choice(position=n, label=label) for n, label in enumerate(choices)]
    after = _question_fields(question)
    if before == after:
        return question
    questionnaire.updated_at = utcnow()
    db.session.flush()
    staff_log.record(by, "questionnaire", "question_edit" if before else "question_add", TargetType.QUESTIONNAIRE,
                     questionnaire.id, before, after)
    return question


def remove_question(question, by):
    questionnaire = question.questionnaire
    _before_questions(questionnaire, by)
    before = _question_fields(question)
    position = question.position
    db.session.delete(question)
    db.session.flush()
    # The ones below move up a place, in one statement: no gap for the next one added at the end.
    db.session.execute(update(Question).where(Question.questionnaire_id == questionnaire.id,
                                              Question.position > position)
                       .values(position=Question.position - 1).execution_options(synchronize_session=False))
    db.session.expire(questionnaire, ["questions"])
    questionnaire.updated_at = utcnow()
    db.session.flush()
    staff_log.record(by, "questionnaire", "question_remove", TargetType.QUESTIONNAIRE, questionnaire.id, before, {})


def has_questions(questionnaire):
    """Whether ``questionnaire`` has a question, without loading them."""
    return db.session.execute(select(exists().where(Question.questionnaire_id == questionnaire.id))).scalar()


# How long before its questionnaire phase opens a questionnaire without questions is worth a warning.
EMPTY_WARNING_DAYS = 7


def opens_empty(questionnaire, day):
    """Whether residents find (or will within EMPTY_WARNING_DAYS of ``day``) an open questionnaire with nothing to
    answer: its phase is under way or about to start, and it has no question."""
    phase = questionnaire.process.phase_of(PhaseKind.QUESTIONNAIRE)
    return (phase is not None and not questionnaire.questions and day <= phase.ends_on
            and phase.starts_on <= day + timedelta(days=EMPTY_WARNING_DAYS))


UP, DOWN = "up", "down"


def move_question(question, by, direction):
    """Swap ``question`` with the one above (UP) or below (DOWN); at the top or bottom already, nothing moves."""
    questionnaire = question.questionnaire
    _before_questions(questionnaire, by)
    questions = list(questionnaire.questions)
    index = questions.index(question)
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(questions):
        return False
    questions[index].position, questions[other].position = questions[other].position, questions[index].position
    questionnaire.updated_at = utcnow()
    db.session.flush()
    staff_log.record(by, "questionnaire", "question_move", TargetType.QUESTIONNAIRE, questionnaire.id,
                     {"position": index + 1, "text": question.text}, {"position": other + 1, "text": question.text})
    return True


QUESTION_ADDED, QUESTION_CHANGED = _l("Question added to questionnaire n° %(n)s"), _l("Question of questionnaire n° %(n)s changed")
staff_log.describe("questionnaire", "create", _l("Questionnaire n° %(n)s created"))
staff_log.describe("questionnaire", "edit", _l("Questionnaire n° %(n)s changed"))
staff_log.describe("questionnaire", "question_add", QUESTION_ADDED)
staff_log.describe("questionnaire", "question_edit", QUESTION_CHANGED)
staff_log.describe("questionnaire", "question_remove", _l("Question removed from questionnaire n° %(n)s"))
staff_log.describe("questionnaire", "question_move", _l("Question of questionnaire n° %(n)s moved"))
staff_log.describe_fields(TargetType.QUESTIONNAIRE, "questionnaire", {
    "introduction": staff_log.Field(_l("Introduction")),
    "free_text_use": staff_log.Field(_l("Use of the free-text answers"), staff_log.enum_value(FreeTextUse)),
    "kind": staff_log.Field(_l("Kind of question"), staff_log.enum_value(QuestionKind)),
    "text": staff_log.Field(_l("Question")),
    "hint": staff_log.Field(_l("Hint")),
    "required": staff_log.Field(_l("Required")),
    "choices": staff_log.Field(_l("Answers to choose from")),
    "position": staff_log.Field(_l("Position")),
})


# --- Answering -------------------------------------------------------------------------------------------------

@dataclass
class Typed:
    """What a resident sent: each question's value as typed (to show it again), and the errors by question id."""

    values: dict = field(default_factory=dict)  # question id -> str, or list of str for a multiple choice
    errors: dict = field(default_factory=dict)  # question id -> message
    answers: list = field(default_factory=list)  # the Answer rows to record, when there is no error


def field_name(question):
    return f"q{question.id}"


def _choice_ids(question, sent):
    ids = {str(choice.id): choice.id for choice in question.choices}
    return [ids.get(value) for value in sent]


# A question's text as an error message names it, short enough for the summary on a phone.
NAMED_QUESTION_MAX = 60


def _named(question, number, message):
    """``message`` prefixed with the question it is about: the summary lists several, and "choose an answer"
    three times would not say which questions to go back to."""
    text = question.text if len(question.text) <= NAMED_QUESTION_MAX else question.text[:NAMED_QUESTION_MAX - 1] + "…"
    return _l("Question %(n)s (%(question)s): %(error)s", n=LazyString(format_number, number), question=text,
              error=message)


def _read(question, form, typed):
    """One question's answer, into ``typed``: its Answer rows, or what is wrong (a message to name it with)."""
    name = field_name(question)
    if question.kind is QuestionKind.MULTIPLE_CHOICE:
        sent = list(dict.fromkeys(value for value in form.getlist(name) if value))
        typed.values[question.id] = sent
        chosen = _choice_ids(question, sent)
        if None in chosen:
            return _l("choose among the answers offered.")
        if not chosen:
            return _l("tick at least one answer.") if question.required else None
        typed.answers += [Answer(question_id=question.id, choice_id=choice_id) for choice_id in chosen]
        return None
    sent = (form.get(name) or "").replace("\r\n", "\n").strip()
    typed.values[question.id] = sent
    if not sent:
        if not question.required:
            return None
        return _l("choose an answer.") if question.kind in (*CHOICE_KINDS, QuestionKind.SCALE) else _l(
            "answer this question.")
    if question.kind is QuestionKind.SINGLE_CHOICE:
        [choice_id] = _choice_ids(question, [sent])
        if choice_id is None:
            return _l("choose among the answers offered.")
        typed.answers.append(Answer(question_id=question.id, choice_id=choice_id))
    elif question.kind is QuestionKind.SCALE:
        if not sent.isdigit() or int(sent) not in SCALE:
            return _l("choose a value from 1 to 5.")
        typed.answers.append(Answer(question_id=question.id, scale=int(sent)))
    else:
        limit = TEXT_LIMITS[question.kind]
        if len(sent) > limit:
            return _l("enter at most %(max)s characters (you entered %(count)s).",
                      max=LazyString(format_number, limit), count=LazyString(format_number, len(sent)))
        typed.answers.append(Answer(question_id=question.id, text=sent))
    return None


def answers_by_question(response):
    """{question id: [its Answer rows]} of ``response``."""
    answers = {}
    for answer in response.answers:
        answers.setdefault(answer.question_id, []).append(answer)
    return answers


NOTHING_ANSWERED = _l("Answer at least one question before sending.")


def read_answers(questionnaire, form):
    """The answers in ``form`` (a posted MultiDict), checked question by question: a choice must be one of its
    question's, a scale from 1 to 5, a text within its length, a required question answered."""
    typed = Typed()
    questions = db.session.execute(select(Question).where(Question.questionnaire_id == questionnaire.id)
                                   .order_by(Question.position).options(selectinload(Question.choices))).scalars()
    for number, question in enumerate(questions, start=1):
        error = _read(question, form, typed)
        if error is not None:
            typed.errors[question.id] = _named(question, number, error)
    if not typed.errors and not typed.answers:
        typed.errors[None] = NOTHING_ANSWERED
    return typed


def answer_questionnaire(questionnaire, respondent, form):
    """Read ``respondent``'s answers from ``form`` (a posted MultiDict) and record them, once. Returns what was
    typed and the Response, or None when the answers have errors (then nothing is recorded)."""
    lock_rows(questionnaire, shared=True)  # its questions cannot change while the answers are read and recorded
    check(respondent, Action.QUESTIONNAIRE_ANSWER, questionnaire)
    typed = read_answers(questionnaire, form)
    if typed.errors:
        return typed, None
    published = questionnaire.free_text_use is FreeTextUse.PUBLISHED
    for answer in typed.answers:
        if answer.text is not None and published:
            answer.text_state = TextState.PENDING
    response = Response(questionnaire_id=questionnaire.id, respondent_id=respondent.id, answers=typed.answers)
    with unique_insert(DomainError(ALREADY_ANSWERED)):
        db.session.add(response)
    return typed, response
