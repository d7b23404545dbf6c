"""Who may read a questionnaire's results and free texts, and write its synthesis (registered into civic.access).

The results are public once the questionnaire phase is over, when no answer can change them any more; the
officials who run the process may read them before (a preview). The free texts kept for the synthesis are read by
those officials only, whenever they want; a free text published after moderation is read by anybody with the
results (and by moderators, who decide on it, always).
"""
from flask_babel import lazy_gettext as _l

from ..access import ANYONE, NOT_ALLOWED, Action, can, register, register_visibility
from ..i18n import current_language
from ..processes.rules import OFFICIALS
from ..typography import long_date
from .models import Answer, TextState
from .results import answering_phase, has_ended

NO_PHASE = _l("This process has no questionnaire phase: its results are never published.")


def _official(user):
    return user is not None and user.is_authenticated and can(user, Action.PROCESS_MANAGE)


def _results_readable(user, questionnaire):
    phase = answering_phase(questionnaire)
    if phase is None:
        return NO_PHASE
    if has_ended(questionnaire) or _official(user):
        return None
    return _l("The results are published once the questionnaire closes, after %(day)s.",
              day=long_date(phase.ends_on, current_language()))


def _synthesis_writable(_user, questionnaire):
    phase = answering_phase(questionnaire)
    if phase is None:
        return NO_PHASE
    if not has_ended(questionnaire):
        return _l("The synthesis is written once the questionnaire closes, after %(day)s.",
                  day=long_date(phase.ends_on, current_language()))
    return None


def _text_visible(user, answer):
    """A text published (and not held after reports) once the results are; moderators see every one they decide on,
    never one kept for the synthesis (it has no state: it never enters moderation), which the officials who write
    the synthesis read."""
    if _official(user):
        return None
    if answer.text_state is None:
        return NOT_ALLOWED
    if user is not None and user.is_authenticated and can(user, Action.MODERATE):
        return None
    if answer.text_state is TextState.PUBLISHED and not answer.held_by_reports and \
            _results_readable(user, answer.response.questionnaire) is None:
        return None
    return NOT_ALLOWED


register(Action.QUESTIONNAIRE_RESULTS, ANYONE, check=_results_readable)
register(Action.QUESTIONNAIRE_TEXT_VIEW, ANYONE, check=_text_visible, hides=True)
register(Action.QUESTIONNAIRE_TEXTS_READ, OFFICIALS)
register(Action.QUESTIONNAIRE_SYNTHESIS, OFFICIALS, check=_synthesis_writable)
register_visibility(Answer, Action.QUESTIONNAIRE_TEXT_VIEW)
