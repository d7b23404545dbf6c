"""One resident's answers sent several times at the same moment (tabs, a double click, a counter and a phone):
one response is recorded, the others are refused by the UNIQUE constraint, never a 500."""
import threading

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from civic.accounts.models import User
from civic.domain import DomainError
from civic.extensions import db
from civic.questionnaires import services
from civic.questionnaires.models import Answer, Questionnaire, Response
from tests.factories import make_user
from tests.questionnaires.helpers import EVERY_KIND, form_for, make_consultation
from tests.test_races import postgresql_only  # noqa: F401 - the fixture

# Its work leaves the test's connection (threads with sessions of their own): see conftest.py.
pytestmark = pytest.mark.real_commits
RECORDED = object()


def test_five_answers_of_one_resident_at_the_same_moment_make_one_response(app, ctx, postgresql_only):  # noqa: F811
    questionnaire = make_consultation(questions=EVERY_KIND)
    resident = make_user()
    ids, form = (questionnaire.id, resident.id), MultiDict(form_for(questionnaire))
    barrier = threading.Barrier(5)
    outcomes = []

    def send():
        with app.test_request_context():
            try:
                target, respondent = db.session.get(Questionnaire, ids[0]), db.session.get(User, ids[1])
                barrier.wait()
                services.answer_questionnaire(target, respondent, form)
                db.session.commit()
                outcomes.append(RECORDED)
            except DomainError as error:
                db.session.rollback()
                outcomes.append(error.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    db.session.commit()
    # Compared by identity: a lazy message is translated only inside a request.
    assert sum(outcome is RECORDED for outcome in outcomes) == 1
    assert sum(outcome is services.ALREADY_ANSWERED for outcome in outcomes) == 4
    assert db.session.execute(select(func.count(Response.id))).scalar_one() == 1
    # Nothing of the refused ones stayed: the answers of one response.
    assert db.session.execute(select(func.count(Answer.id))).scalar_one() == 6
