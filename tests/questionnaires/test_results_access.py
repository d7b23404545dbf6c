"""Who may read a questionnaire's results and texts and write its synthesis, by phase and by a text's state: the
matrix (written out by hand, not derived from the rules)."""
import pytest

from civic.access import Action, Role, can
from civic.questionnaires.models import FreeTextUse, QuestionKind, TextState
from tests.factories import make_user
from tests.questionnaires.factories import make_questionnaire, respond

PEOPLE = ("anonymous", "respondent", "resident", "agent", "moderator", "elected", "admin")
ALL = set(PEOPLE)
OFFICIALS = {"elected", "admin"}
MODERATORS = {"moderator", "admin"}
NOBODY = set()
# (phase, what the text is) -> action -> who may
MATRIX = {
    ("open", "pending"): {Action.QUESTIONNAIRE_RESULTS: OFFICIALS,
                          Action.QUESTIONNAIRE_TEXT_VIEW: MODERATORS | OFFICIALS,
                          Action.QUESTIONNAIRE_TEXTS_READ: OFFICIALS, Action.QUESTIONNAIRE_SYNTHESIS: NOBODY,
                          Action.REPORT: NOBODY, Action.MODERATE: MODERATORS},
    ("open", "published"): {Action.QUESTIONNAIRE_RESULTS: OFFICIALS,
                            Action.QUESTIONNAIRE_TEXT_VIEW: MODERATORS | OFFICIALS,
                            Action.QUESTIONNAIRE_TEXTS_READ: OFFICIALS, Action.QUESTIONNAIRE_SYNTHESIS: NOBODY,
                            Action.REPORT: NOBODY, Action.MODERATE: MODERATORS},
    ("ended", "published"): {Action.QUESTIONNAIRE_RESULTS: ALL, Action.QUESTIONNAIRE_TEXT_VIEW: ALL,
                             Action.QUESTIONNAIRE_TEXTS_READ: OFFICIALS, Action.QUESTIONNAIRE_SYNTHESIS: OFFICIALS,
                             Action.REPORT: {"resident"}, Action.MODERATE: MODERATORS},
    ("ended", "held"): {Action.QUESTIONNAIRE_RESULTS: ALL, Action.QUESTIONNAIRE_TEXT_VIEW: MODERATORS | OFFICIALS,
                        Action.QUESTIONNAIRE_TEXTS_READ: OFFICIALS, Action.QUESTIONNAIRE_SYNTHESIS: OFFICIALS,
                        Action.REPORT: NOBODY, Action.MODERATE: MODERATORS},
    ("ended", "rejected"): {Action.QUESTIONNAIRE_RESULTS: ALL,
                            Action.QUESTIONNAIRE_TEXT_VIEW: MODERATORS | OFFICIALS,
                            Action.QUESTIONNAIRE_TEXTS_READ: OFFICIALS, Action.QUESTIONNAIRE_SYNTHESIS: OFFICIALS,
                            Action.REPORT: NOBODY, Action.MODERATE: MODERATORS},
    ("ended", "kept for the synthesis"): {
        Action.QUESTIONNAIRE_RESULTS: ALL, Action.QUESTIONNAIRE_TEXT_VIEW: OFFICIALS,
        Action.QUESTIONNAIRE_TEXTS_READ: OFFICIALS, Action.QUESTIONNAIRE_SYNTHESIS: OFFICIALS,
        Action.REPORT: NOBODY, Action.MODERATE: NOBODY},
}
STATES = {"pending": TextState.PENDING, "published": TextState.PUBLISHED, "held": TextState.PUBLISHED,
          "rejected": TextState.REJECTED, "kept for the synthesis": None}


@pytest.mark.parametrize("phase, state", MATRIX)
def test_who_may_read_the_results_and_texts_and_write_the_synthesis(app, ctx, phase, state):
    synthesis = state == "kept for the synthesis"
    questionnaire = make_questionnaire(ended=phase == "ended",
                                       free_text_use=FreeTextUse.SYNTHESIS if synthesis else FreeTextUse.PUBLISHED)
    respondent = make_user()
    response = respond(questionnaire, respondent, texts={QuestionKind.SHORT_TEXT: "Un texte"},
                       text_state=STATES[state])
    answer = response.answers[0]
    answer.held_by_reports = state == "held"
    people = {"anonymous": None, "respondent": respondent, "resident": make_user(),
              "agent": make_user(role=Role.COUNTER_AGENT), "moderator": make_user(role=Role.MODERATOR),
              "elected": make_user(role=Role.ELECTED), "admin": make_user(role=Role.ADMIN)}
    with app.test_request_context():  # a refusal says the date in the reader's language
        for action, allowed in MATRIX[(phase, state)].items():
            target = answer if action in (Action.QUESTIONNAIRE_TEXT_VIEW, Action.REPORT, Action.MODERATE) \
                else questionnaire
            may = {who for who, user in people.items() if can(user, action, target)}
            assert may == allowed, (action, may)
