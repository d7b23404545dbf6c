"""What questionnaires are to the other packages: a part of their process's page, a kind of thing logs and
receipts name, what refers to an account (attached, erased, shown in "my data"), the form a lapsed counter
session shows again."""
from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload, selectinload
from wtforms import Form, StringField, TextAreaField

from .. import targets
from ..access import Action
from ..counters.acting import actor
from ..counters.lapse import register_lapsed_form
from ..counters.models import assisted_fields
from ..counters.receipts import ReceiptKind, register_receipt
from ..db_types import utcnow
from ..extensions import db
from ..moderation.models import Report
from ..privacy.registry import ANONYMISE, KEEP, Section, move_unless_held, refers_to_account, register_section
from ..processes import sections
from ..processes.models import PhaseKind, Process
from ..processes.phases import current_phase, today
from . import results
from .models import Answer, QuestionKind, Questionnaire, Response
from .services import field_name, has_questions, questionnaire_of, response_of

targets.register(targets.Kind(
    type=targets.TargetType.QUESTIONNAIRE, model=Questionnaire, numbered=_l("Questionnaire n° %(n)s"),
    link=lambda q: ("questionnaires.detail", {"questionnaire_id": q.id}),
    number_link=lambda n: ("questionnaires.detail", {"questionnaire_id": n}), view=Action.PROCESS_VIEW))


def _process_part(process):
    """The questionnaire on its process's page: for a process with a questionnaire phase."""
    phase = process.phase_of(PhaseKind.QUESTIONNAIRE)
    if phase is None:
        return None
    questionnaire = questionnaire_of(process, with_questions=False)
    if questionnaire is None:
        return {"questionnaire": None, "response": None, "summary": None, "over": phase.ends_on < today()}
    current = current_phase(process)
    is_open = current is not None and current.kind is PhaseKind.QUESTIONNAIRE
    return {"questionnaire": questionnaire, "response": response_of(actor(), questionnaire),
            # Open without a question: residents are told why there is nothing to answer.
            "empty": is_open and not has_questions(questionnaire), "summary": results.summary(questionnaire)}


sections.register(sections.Section(key="questionnaire", order=10, template="questionnaires/_process_part.html",
                                   values=_process_part))

register_receipt(ReceiptKind(type=targets.TargetType.QUESTIONNAIRE, template="questionnaires/_follow_up.html",
                             summary=lambda q: _l("Questionnaire: %(title)s", title=q.process.title)))


def _erase_respondents(column, erasure):
    """The answers stay in the counts and the synthesis, nobody's (the model's comment). A resident who chose to
    remove their contributions takes their free texts with them, waiting reports on them settled; their choices
    and scale values stay counted, as a support does. (Not a CONTRIBUTION with ``removes_contributions``: the
    registry calls a remover only for those, whose rows otherwise keep pointing to the erased account, and a
    response is emptied of its respondent whatever the choice.)"""
    if erasure.remove_contributions:
        texts = (select(Answer.id).join(Response, Response.id == Answer.response_id)
                 .where(column.in_(erasure.accounts), Answer.text.is_not(None)))
        ids = db.session.execute(texts).scalars().all()
        if ids:
            db.session.execute(update(Report).where(Report.target_type == targets.TargetType.ANSWER,
                                                    Report.target_id.in_(ids), Report.resolved_at.is_(None))
                               .values(resolved_at=utcnow()))
            db.session.execute(delete(Answer).where(Answer.id.in_(ids)).execution_options(synchronize_session=False))
    db.session.execute(update(Response).where(column.in_(erasure.accounts)).values({column.key: None}))


# A resident who answered at a counter and online before attaching the counter record to the account keeps
# the account's response, the one they gave themself; the record's is deleted with its answers, so that the
# counts hold one response per person.
refers_to_account(Response.respondent_id, move_unless_held(Response.questionnaire_id), _erase_respondents)
refers_to_account(Response.assisted_by_id, KEEP, ANONYMISE)  # staff acting

register_section(Section(
    key="questionnaires", title=_l("Questionnaires you answered"), order=45,
    template="questionnaires/_my_answers.html",
    rows=lambda people: select(Response, Process.title).join(Questionnaire, Questionnaire.id == Response.questionnaire_id)
    .join(Process, Process.id == Questionnaire.process_id).where(Response.respondent_id.in_(people))
    .options(joinedload(Response.counter),
             selectinload(Response.answers).options(joinedload(Answer.question), joinedload(Answer.choice))),
    time=(Response.created_at, Response.id),
    as_json=lambda row: {
        "questionnaire_id": row.Response.questionnaire_id, "process_title": row.title,
        "answered_at": row.Response.created_at.isoformat(), **assisted_fields(row.Response),
        "answers": [{"question": answer.question.text,
                     "answer": answer.choice.label if answer.choice else answer.scale if answer.scale is not None else answer.text}
                    for answer in sorted(row.Response.answers, key=lambda a: (a.question.position, a.id))]}))


def _typed_answers(formdata):
    """The free texts an agent typed, shown again with their questions (the choices are carried as they were)."""
    questionnaire = db.session.get(Questionnaire, request.view_args["questionnaire_id"])

    class TypedAnswers(Form):
        pass

    for question in questionnaire.questions if questionnaire is not None else ():
        if question.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            kind = StringField if question.kind is QuestionKind.SHORT_TEXT else TextAreaField
            setattr(TypedAnswers, field_name(question), kind(question.text))
    return TypedAnswers(formdata, meta={"csrf": False})


register_lapsed_form("questionnaires.answer", _typed_answers)
