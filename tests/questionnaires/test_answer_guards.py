"""The database holds one answer per question and response (a scale value or a text), and one row per option
chosen, whatever writes them."""
import pytest
from sqlalchemy.exc import IntegrityError

from civic.extensions import db
from civic.questionnaires.models import Answer, QuestionKind
from tests.questionnaires.factories import make_questionnaire, question, respond


def _add_twice(response, **values):
    response.answers.append(Answer(**values))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_response_answers_a_question_once_and_chooses_an_option_once(ctx):
    questionnaire = make_questionnaire()
    response = respond(questionnaire, choices={QuestionKind.MULTIPLE_CHOICE: [1, 2]}, scale=3,
                       texts={QuestionKind.SHORT_TEXT: "Un mot"})
    response_id = response.id
    many = question(questionnaire, QuestionKind.MULTIPLE_CHOICE)
    _add_twice(response, question_id=question(questionnaire, QuestionKind.SCALE).id, scale=4)
    response = db.session.get(type(response), response_id)
    _add_twice(response, question_id=question(questionnaire, QuestionKind.SHORT_TEXT).id, text="Un autre")
    response = db.session.get(type(response), response_id)
    _add_twice(response, question_id=many.id, choice_id=many.choices[0].id)
    # Another option of the same multiple choice is one more row, as it should be.
    response = db.session.get(type(response), response_id)
    response.answers.append(Answer(question_id=many.id, choice_id=many.choices[2].id))
    db.session.commit()
