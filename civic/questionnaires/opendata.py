"""The questionnaires as open data (civic.opendata), without anything that names or links a respondent.

A questionnaire (its introduction, the use of its free texts, its phase's dates) and its questions are public as
soon as their process is (anybody reads them before answering); its number of responses once the phase is over,
its synthesis once published. The counts and the
published free texts are public once the questionnaire phase is over, as the results page is
(results.results_public), the counts of a question only when enough residents answered it (results' docstring). No dataset has a column for a respondent, a response or an answer's number (the
moderation journal's target_id is empty for answers, civic.targets.Kind.key), and none lets one gather the texts
of one respondent: the texts of a question are listed in the alphabetical order of their
words, numbered in that order within the question, and dated to the day they were written, so that neither a
number nor an order follows a respondent from one question to the next. (On a day when a single resident
answered, the texts of that day are theirs; the day is what the page shows of a text, and a re-user learns no
more than a reader.)
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from ..extensions import db
from ..opendata.datasets import Dataset, register
from ..privacy.groups import SMALLEST_GROUP, large_enough
from ..processes.models import PUBLISHED, Phase, PhaseKind, Process
from ..timezones import utc_to_paris
from .models import (CHOICE_KINDS, SCALE, TEXT_KINDS, Answer, Choice, FreeTextUse, Question, QuestionKind,
                     Questionnaire, Response)
from .results import has_ended, public_text, respondents, response_counts, results_public, value_counts


def _positions(questions):
    """{question id: its place in its questionnaire, from 1}, as the pages number them, whatever the stored values."""
    ranked = select(Question.id, func.row_number().over(partition_by=Question.questionnaire_id,
                                                        order_by=(Question.position, Question.id)))
    return dict(db.session.execute(ranked.where(
        Question.questionnaire_id.in_({q.questionnaire_id for q in questions}))).all())


def _question_rows(questions):
    positions = _positions(questions)
    rows = []
    for q in questions:
        rows.append({"id": q.id, "process_id": q.questionnaire.process_id, "questionnaire_id": q.questionnaire_id,
                     "position": positions[q.id], "kind": q.kind.value, "text": q.text, "required": q.required,
                     "free_text_use": q.questionnaire.free_text_use.value if q.kind in TEXT_KINDS else None,
                     "choices": [c.label for c in q.choices] if q.kind in CHOICE_KINDS else None})
    return rows


def _count_rows(questions):
    ids = [q.id for q in questions]
    grouped, answered = value_counts(ids), respondents(ids)
    responses = response_counts({q.questionnaire_id for q in questions})
    rows = []
    for q in questions:
        if not large_enough(answered.get(q.id, 0)):
            continue  # as on the results page: too few residents to publish their choices
        if q.kind in CHOICE_KINDS:
            values = [(n, c.label, grouped.get((q.id, c.id, None), 0)) for n, c in enumerate(q.choices, start=1)]
        else:
            values = [(value, str(value), grouped.get((q.id, None, value), 0)) for value in SCALE]
        for value, label, count in values:
            rows.append({"question_id": q.id, "value": value, "label": label, "count": count, "answered": answered.get(q.id, 0),
                         "responses": responses.get(q.questionnaire_id, 0)})
    return rows


def _text_rows(questions):
    found = db.session.execute(select(Answer.question_id, Answer.text, Response.created_at)
                               .join(Response, Response.id == Answer.response_id)
                               .where(public_text(Answer.question_id.in_([q.id for q in questions])))).all()
    # Sorted here by the text itself (then the day), never by anything stored in the order the answers came.
    found.sort(key=lambda row: (row.question_id, row.text, row.created_at.date()))
    rows, rank, previous = [], 0, None
    for question_id, text, created_at in found:
        rank = rank + 1 if question_id == previous else 1
        previous = question_id
        rows.append({"question_id": question_id, "number": rank, "text": text, "written_on": utc_to_paris(created_at).date()})
    return rows


def _questionnaire_rows(questionnaires):
    """The phase's dates; the number of responses once the phase is over (as the results page), the synthesis once
    published."""
    ended = [q for q in questionnaires if has_ended(q)]
    responses = response_counts({q.id for q in ended})
    rows = []
    for q in questionnaires:
        phase = q.process.phase_of(PhaseKind.QUESTIONNAIRE)
        published = q.synthesis_published_at is not None
        rows.append({"id": q.id, "process_id": q.process_id, "process_title": q.process.title,
                     "introduction": q.introduction or None, "free_text_use": q.free_text_use.value,
                     "starts_on": phase.starts_on, "ends_on": phase.ends_on,
                     "responses": responses.get(q.id, 0) if q in ended else None,
                     "synthesis": q.synthesis if published else None,
                     "synthesis_published_at": q.synthesis_published_at})
    return rows


def _questionnaires():
    # A questionnaire without its phase (removed from its process) has no dates to publish: the process's page
    # does not show it either.
    return (select(Questionnaire).join(Process, Process.id == Questionnaire.process_id)
            .where(PUBLISHED, Questionnaire.process_id.in_(select(Phase.process_id).where(
                Phase.kind == PhaseKind.QUESTIONNAIRE)))
            .options(contains_eager(Questionnaire.process).selectinload(Process.phases)))


def _questions(*kinds, ended=False):
    statement = (select(Question).join(Questionnaire, Questionnaire.id == Question.questionnaire_id)
                 .where(Question.kind.in_(kinds), Questionnaire.process_id.in_(select(Process.id).where(PUBLISHED)))
                 .options(contains_eager(Question.questionnaire), selectinload(Question.choices)))
    return statement.where(results_public()) if ended else statement


register(Dataset(
    name="questionnaires", title=_l("Questionnaires of the consultations"),
    description=_l("Each consultation's questionnaire: its introduction, the use of the free texts, the dates of its "
                   "phase, the number of responses once the phase is over, and the published synthesis."),
    query=_questionnaires, key=Questionnaire.id, serialise=_questionnaire_rows,
    withdrawn_by=(Questionnaire.introduction, Questionnaire.synthesis, Questionnaire.synthesis_published_at,
                  Questionnaire), order=34))
register(Dataset(
    name="questionnaire_questions", title=_l("Questions of the consultations"),
    description=_l("The questions of each consultation's questionnaire: their kind, their text, whether an answer "
                   "was required, the options of the choice questions, and what becomes of the free texts."),
    query=lambda: _questions(*QuestionKind), key=Question.id, serialise=_question_rows,
    withdrawn_by=(Question.text, Question, Choice.label, Choice), order=35))
register(Dataset(
    name="questionnaire_counts", title=_l("Answers to the consultations' questions, counted"),
    description=_l("For each choice and scale question of a closed questionnaire answered by at least %(n)s "
                   "residents (fewer could be recognised), how many residents chose each option or value, how many "
                   "answered the question and how many answered the questionnaire.", n=SMALLEST_GROUP),
    query=lambda: _questions(*CHOICE_KINDS, QuestionKind.SCALE, ended=True), key=Question.id,
    serialise=_count_rows, api=False, order=36))
register(Dataset(
    name="questionnaire_texts", title=_l("Free texts published in the consultations"),
    description=_l("The free-text answers published after moderation, by question, in alphabetical order, dated to "
                   "the day: nothing says who wrote them, nor which texts one resident wrote."),
    query=lambda: _questions(*TEXT_KINDS, ended=True).where(Questionnaire.free_text_use == FreeTextUse.PUBLISHED),
    key=Question.id, serialise=_text_rows, api=False,
    withdrawn_by=(Answer.text_state, Answer.held_by_reports, Answer.text, Answer), order=37))
