"""Consultations: a process with a questionnaire phase, its questionnaire and questions."""
from datetime import timedelta

from werkzeug.datastructures import MultiDict

from civic.accounts.models import Role, User
from civic.extensions import db
from civic.processes.models import PhaseKind
from civic.processes.phases import today
from civic.questionnaires import services
from civic.questionnaires.models import FreeTextUse, Question, QuestionKind
from tests.factories import make_user
from tests.processes.helpers import _set_days, make_process

KINDS = (PhaseKind.QUESTIONNAIRE, PhaseKind.RESULTS)


def consultation_days(current=PhaseKind.QUESTIONNAIRE):
    """A questionnaire phase then a results phase, ten days each, the one of ``current`` under way (None: both to
    come)."""
    index = KINDS.index(current) if current is not None else -1
    first = today() - timedelta(days=10 * index + 5) if current is not None else today() + timedelta(days=3)
    return [(kind, first + timedelta(days=10 * n), first + timedelta(days=10 * n + 9)) for n, kind in enumerate(KINDS)]


def make_consultation(current=PhaseKind.QUESTIONNAIRE, questions=(), free_text_use=FreeTextUse.PUBLISHED,
                      introduction="Dites-nous ce que vous pensez du nouveau marché."):
    """A process with a questionnaire; ``questions``: (kind, text, required, choices) each."""
    official = make_user(role=Role.ELECTED)
    # Written before its phase (a questionnaire stays as it was once its phase is over), then the days go by.
    process = make_process(title="Consultation sur le marché", budget=None, by=official,
                           phases=consultation_days(None))
    questionnaire = services.create_questionnaire(process, official, introduction=introduction,
                                                  free_text_use=free_text_use)
    for kind, text, required, choices in questions:
        services.save_question(questionnaire, None, official, kind=kind, text=text, hint="", required=required,
                               choices=list(choices))
    if current is not None:
        _set_days(process, consultation_days(current))
    db.session.commit()
    return questionnaire


EVERY_KIND = (
    (QuestionKind.SINGLE_CHOICE, "Quel jour préférez-vous ?", True, ("Mercredi", "Samedi", "Dimanche")),
    (QuestionKind.MULTIPLE_CHOICE, "Qu’y achetez-vous ?", False, ("Fruits", "Fromage", "Fleurs")),
    (QuestionKind.SCALE, "Êtes-vous satisfait du marché actuel ?", True, ()),
    (QuestionKind.SHORT_TEXT, "En un mot ?", False, ()),
    (QuestionKind.LONG_TEXT, "Que faudrait-il changer ?", False, ()),
)


def questions_of(questionnaire):
    return db.session.execute(db.select(Question).where(Question.questionnaire_id == questionnaire.id)
                              .order_by(Question.position)).scalars().all()


def form_for(questionnaire, single=0, multiple=(0, 2), scale="4", short="Vivant", long="Plus de bancs."):
    """A complete answer to EVERY_KIND's questionnaire: choices by their index."""
    one, many, level, word, text = questions_of(questionnaire)
    return {f"q{one.id}": str(one.choices[single].id), f"q{many.id}": [str(many.choices[i].id) for i in multiple],
            f"q{level.id}": scale, f"q{word.id}": short, f"q{text.id}": long}


def seed_consultations(responses, answering):
    """For the crawl of the whole site (tests/test_query_counts.py): a consultation that ``answering`` (an
    account) answered with ``responses`` others, and one nobody answered yet, both in their questionnaire phase."""
    answered, waiting = make_consultation(questions=EVERY_KIND), make_consultation(questions=EVERY_KIND)
    residents = db.session.execute(db.select(User).where(User.role == Role.RESIDENT, User.id != answering.id)
                                   .order_by(User.id).limit(responses)).scalars().all()
    for resident in [answering, *residents]:
        services.answer_questionnaire(answered, resident, MultiDict(form_for(answered)))
    db.session.commit()
    return answered, waiting
