"""Questionnaires in a chosen state and responses written as rows (the answering service is another part's: these
write what it would, so that the counts, the moderation and the open data are tested on their own)."""
from datetime import timedelta

from civic.counters.models import Channel
from civic.extensions import db
from civic.processes.models import PhaseKind
from civic.processes.phases import today
from civic.questionnaires.models import (Answer, Choice, FreeTextUse, Question, QuestionKind, Questionnaire, Response,
                                         TextState)
from tests.factories import make_user
from tests.processes.helpers import _set_days, make_process

CHOICES = {QuestionKind.SINGLE_CHOICE: ["Le vélo", "Le bus", "La voiture"],
           QuestionKind.MULTIPLE_CHOICE: ["Des bancs", "Des arbres", "Des jeux", "De l’ombre"]}
TEXTS = {QuestionKind.SHORT_TEXT: "Que faudrait-il changer en premier ?",
         QuestionKind.LONG_TEXT: "Racontez-nous votre quartier."}


def phases(ended):
    """A questionnaire phase of ten days, then a results phase: under way, or both past."""
    start = today() - timedelta(days=25 if ended else 5)
    return [(PhaseKind.QUESTIONNAIRE, start, start + timedelta(days=9)),
            (PhaseKind.RESULTS, start + timedelta(days=10), start + timedelta(days=19))]


def make_questionnaire(ended=True, free_text_use=FreeTextUse.PUBLISHED, kinds=tuple(QuestionKind),
                       title="Consultation sur la place du marché"):
    """A process with a questionnaire phase (over, or under way), and one question of each of ``kinds``."""
    process = make_process(title=title, budget=None, phases=phases(ended))
    questionnaire = Questionnaire(process_id=process.id, free_text_use=free_text_use, introduction="")
    for position, kind in enumerate(kinds, start=1):
        question = Question(position=position, kind=kind, text=TEXTS.get(kind, f"Question {kind.value}"),
                            required=kind is QuestionKind.SINGLE_CHOICE)
        question.choices = [Choice(position=n, label=label) for n, label in enumerate(CHOICES.get(kind, []), 1)]
        questionnaire.questions.append(question)
    db.session.add(questionnaire)
    db.session.commit()
    return questionnaire


def end_phase(questionnaire):
    _set_days(questionnaire.process, phases(ended=True))


def question(questionnaire, kind):
    return next(q for q in questionnaire.questions if q.kind is kind)


def respond(questionnaire, respondent=None, *, choices=None, scale=None, texts=None, text_state=None,
            channel=Channel.ONLINE, **assisted):
    """One resident's response: ``choices`` {kind: [option positions]}, ``scale`` a value for the scale question,
    ``texts`` {kind: text}. The texts of a questionnaire whose texts are published wait for moderation unless
    ``text_state`` says otherwise; those kept for the synthesis have no state."""
    response = Response(questionnaire_id=questionnaire.id, respondent_id=(respondent or make_user()).id,
                        channel=channel, **assisted)
    if text_state is None and questionnaire.free_text_use is FreeTextUse.PUBLISHED:
        text_state = TextState.PENDING
    for kind, positions in (choices or {}).items():
        q = question(questionnaire, kind)
        for position in positions:
            response.answers.append(Answer(question_id=q.id, choice_id=q.choices[position - 1].id))
    if scale is not None:
        response.answers.append(Answer(question_id=question(questionnaire, QuestionKind.SCALE).id, scale=scale))
    for kind, text in (texts or {}).items():
        response.answers.append(Answer(question_id=question(questionnaire, kind).id, text=text,
                                       text_state=text_state))
    db.session.add(response)
    db.session.commit()
    return response
