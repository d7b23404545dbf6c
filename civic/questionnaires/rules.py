"""Who may set a questionnaire up, answer it and read their answers (registered into civic.access).

Answering depends on the process's phase: processes.phases.PHASE_ACTIONS says when (its questionnaire phase)."""
from flask_babel import lazy_gettext as _l

from ..access import ANYONE, Action, Role, register, register_visibility
from ..processes.models import PhaseKind
from ..processes.phases import phase_refusal, today
from ..processes.rules import NOT_PUBLISHED, viewable
from .models import Questionnaire
from .services import has_questions, is_answered

OFFICIALS = {Role.ELECTED, Role.ADMIN}

NO_QUESTIONNAIRE_PHASE = _l("This process has no questionnaire phase: add one, with its dates, before writing its "
                            "questionnaire.")
FROZEN = _l("Residents have started answering: the questions stay as they answered them, and can no longer be "
            "added, changed, moved or removed.")
NO_QUESTION = _l("This questionnaire has no question yet.")
PHASE_OVER = _l("The questionnaire phase is over: the questionnaire stays as residents saw it.")


def _process_of(thing):
    return thing.process if isinstance(thing, Questionnaire) else thing


def _over(process):
    phase = process.phase_of(PhaseKind.QUESTIONNAIRE)
    return PHASE_OVER if phase is not None and phase.ends_on < today() else None


def _has_phase(_user, thing):
    """A questionnaire is written for its phase, and stays as it was once the phase is over (its results read it)."""
    process = _process_of(thing)
    if process.phase_of(PhaseKind.QUESTIONNAIRE) is None:
        return NO_QUESTIONNAIRE_PHASE
    return _over(process)


def _not_answered(_user, questionnaire):
    return _over(questionnaire.process) or (FROZEN if is_answered(questionnaire) else None)


def _may_answer(_user, questionnaire):
    if questionnaire.process.is_draft:
        return NOT_PUBLISHED
    return phase_refusal(questionnaire.process, Action.QUESTIONNAIRE_ANSWER) or (
        None if has_questions(questionnaire) else NO_QUESTION)


# A draft process's questionnaire is the staff's, as the process is: every page that loads one answers 404.
register(Action.QUESTIONNAIRE_VIEW, ANYONE, check=lambda user, questionnaire: viewable(user, questionnaire.process),
         hides=True)
register_visibility(Questionnaire, Action.QUESTIONNAIRE_VIEW)
# On a process (creating its questionnaire) or on its questionnaire (its introduction, how free texts are used).
register(Action.QUESTIONNAIRE_MANAGE, OFFICIALS, check=_has_phase)
register(Action.QUESTIONNAIRE_QUESTIONS, OFFICIALS, check=_not_answered)
register(Action.QUESTIONNAIRE_ANSWER, {Role.RESIDENT}, assistable=True, check=_may_answer)
# What one answered, read at any time by its author; not by an agent at a counter, who enters answers for the
# resident but has no reason to read those given online.
register(Action.QUESTIONNAIRE_OWN_ANSWERS, {Role.RESIDENT})
