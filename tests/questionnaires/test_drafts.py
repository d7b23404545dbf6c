"""A draft process's questionnaire is the staff's, as the process is: nobody answers it, reads its results or
finds its questions in the open data before the process is published."""
import pytest

from civic.accounts.models import Role
from civic.extensions import db
from civic.opendata import datasets
from civic.processes.models import PhaseKind
from tests.questionnaires.helpers import EVERY_KIND, form_for, make_consultation


def _as_draft(questionnaire):
    questionnaire.process.published_at = None
    db.session.commit()
    return questionnaire


def test_nobody_answers_the_questionnaire_of_a_draft(client_request, login_as):
    questionnaire = _as_draft(make_consultation(questions=EVERY_KIND))
    login_as()
    page = client_request.post("questionnaires.answer", questionnaire_id=questionnaire.id,
                               _data=form_for(questionnaire), _expected_status=404)
    assert "Merci" not in page.text()
    assert db.session.execute(db.text("SELECT count(*) FROM questionnaire_response")).scalar() == 0


@pytest.mark.parametrize("role, status", [(Role.RESIDENT, 404), (Role.COUNTER_AGENT, 404), (Role.MODERATOR, 200), (Role.ELECTED, 200)])
def test_the_results_of_a_draft_are_the_staffs(client_request, login_as, role, status):
    questionnaire = _as_draft(make_consultation(PhaseKind.RESULTS, questions=EVERY_KIND))
    login_as(role)
    client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id,
                       _expected_status=status)


def test_the_questions_of_a_draft_are_not_open_data(ctx):
    published = make_consultation(questions=EVERY_KIND)
    draft = _as_draft(make_consultation(questions=EVERY_KIND))
    rows = list(datasets.rows(datasets.get("questionnaire_questions")))
    assert {row["questionnaire_id"] for row in rows} == {published.id}, rows
    assert draft.id != published.id
