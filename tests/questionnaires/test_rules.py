"""Who may do what with a questionnaire, in which phase: phase x role x action, written out by hand (as
tests/processes/test_phases.py)."""
from datetime import timedelta

import pytest

from civic.access import Action, Role, can, refusal
from civic.extensions import db
from civic.processes.models import PhaseKind
from civic.questionnaires.models import Response
from tests.factories import make_user
from tests.processes.helpers import _set_days, make_process
from tests.questionnaires.helpers import EVERY_KIND, consultation_days, make_consultation

BEFORE, AFTER = "before", "after"
QUESTIONNAIRE, RESULTS = PhaseKind.QUESTIONNAIRE, PhaseKind.RESULTS
PHASES = (BEFORE, QUESTIONNAIRE, RESULTS, AFTER)
EVERY_PHASE = set(PHASES)
OFFICIALS = (Role.ELECTED, Role.ADMIN)

# (action, on) -> role -> the phases in which it is allowed. Not listed: never. "questionnaire" is one nobody
# answered yet.
MATRIX = {
    # Written before and during its phase; once it is over, it stays as residents saw it.
    (Action.QUESTIONNAIRE_MANAGE, "process"): {role: {BEFORE, QUESTIONNAIRE} for role in OFFICIALS},
    (Action.QUESTIONNAIRE_MANAGE, "questionnaire"): {role: {BEFORE, QUESTIONNAIRE} for role in OFFICIALS},
    (Action.QUESTIONNAIRE_QUESTIONS, "questionnaire"): {role: {BEFORE, QUESTIONNAIRE} for role in OFFICIALS},
    (Action.QUESTIONNAIRE_ANSWER, "questionnaire"): {Role.RESIDENT: {QUESTIONNAIRE}},
    (Action.QUESTIONNAIRE_OWN_ANSWERS, "questionnaire"): {Role.RESIDENT: EVERY_PHASE},
}


def _place(questionnaire, phase):
    if phase == AFTER:
        days = [(kind, start - timedelta(days=30), end - timedelta(days=30)) for kind, start, end in
                consultation_days()]
    else:
        days = consultation_days(None if phase == BEFORE else phase)
    _set_days(questionnaire.process, days)


@pytest.mark.parametrize("phase", PHASES, ids=lambda p: getattr(p, "value", p))
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_phase_role_action_matrix(app, ctx, role, phase):
    user = make_user(role=role)
    questionnaire = make_consultation(questions=EVERY_KIND)
    _place(questionnaire, phase)
    things = {"process": questionnaire.process, "questionnaire": questionnaire}
    with app.test_request_context():
        allowed = {key for key in MATRIX if can(user, key[0], things[key[1]])}
        assert allowed == {key for key, roles in MATRIX.items() if phase in roles.get(role, ())}
        assert not any(can(None, action, things[on]) for action, on in MATRIX)


def test_answers_freeze_the_questions_and_an_empty_questionnaire_is_not_answered(app, ctx):
    questionnaire = make_consultation()
    resident, official = make_user(), make_user(role=Role.ELECTED)
    with app.test_request_context():
        assert str(refusal(resident, Action.QUESTIONNAIRE_ANSWER, questionnaire).message) == (
            "Ce questionnaire n’a encore aucune question.")
    answered = make_consultation(questions=EVERY_KIND)
    db.session.add(Response(questionnaire_id=answered.id, respondent_id=resident.id))
    db.session.commit()
    with app.test_request_context():
        assert not can(official, Action.QUESTIONNAIRE_QUESTIONS, answered)
        assert can(official, Action.QUESTIONNAIRE_MANAGE, answered)


def test_a_process_without_questionnaire_phase_gets_no_questionnaire(app, ctx):
    process = make_process()
    with app.test_request_context():
        assert not can(make_user(role=Role.ADMIN), Action.QUESTIONNAIRE_MANAGE, process)
