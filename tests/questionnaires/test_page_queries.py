"""The questionnaire's pages cost the same SQL statements with ten times the questions, choices and responses."""
import pytest
from werkzeug.datastructures import MultiDict

from civic.accounts.models import Role
from civic.extensions import db
from civic.questionnaires import services
from civic.questionnaires.models import QuestionKind, Questionnaire
from tests.conftest import shared_app
from tests.factories import login, make_user
from tests.queries import recording
from tests.questionnaires.helpers import make_consultation, questions_of


def _consultation(app, scale, responses=True):
    """4 x scale questions (each kind but the long text), choices growing with the scale, 3 x scale responses
    (none for the pages of questions, which answers freeze)."""
    choices = tuple(f"Réponse {n}" for n in range(2 + scale))
    questions = [(kind, f"Question {kind.value} {n}", False, choices if kind in (QuestionKind.SINGLE_CHOICE,
                                                                                  QuestionKind.MULTIPLE_CHOICE) else ())
                 for n in range(scale) for kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE,
                                                    QuestionKind.SCALE, QuestionKind.SHORT_TEXT)]
    questionnaire = make_consultation(questions=questions)
    for _ in range(3 * scale if responses else 0):
        _answer(app, questionnaire, make_user())
    return questionnaire


def _form(questionnaire):
    data = {}
    for question in questions_of(questionnaire):
        if question.kind is QuestionKind.SINGLE_CHOICE:
            data[f"q{question.id}"] = str(question.choices[0].id)
        elif question.kind is QuestionKind.MULTIPLE_CHOICE:
            data[f"q{question.id}"] = [str(c.id) for c in question.choices]
        elif question.kind is QuestionKind.SCALE:
            data[f"q{question.id}"] = "3"
        else:
            data[f"q{question.id}"] = "Oui"
    return data


def _answer(app, questionnaire, user):
    with app.test_request_context():
        services.answer_questionnaire(questionnaire, user, MultiDict(_form(questionnaire)))
    db.session.commit()


# name: (role, answered by the visitor, method, path, form data for a POST)
PAGES = {
    "process, anonymous": (None, False, "GET", lambda q: f"/processus/{q.process_id}", None),
    "process, resident": (Role.RESIDENT, False, "GET", lambda q: f"/processus/{q.process_id}", None),
    "process, answered": (Role.RESIDENT, True, "GET", lambda q: f"/processus/{q.process_id}", None),
    "process, official": (Role.ELECTED, False, "GET", lambda q: f"/processus/{q.process_id}", None),
    "answer": (Role.RESIDENT, False, "GET", lambda q: f"/processus/questionnaires/{q.id}/answer", None),
    "answer with errors": (Role.RESIDENT, False, "POST", lambda q: f"/processus/questionnaires/{q.id}/answer",
                           lambda q: {key: "forged" for key in _form(q)}),
    "answered": (Role.RESIDENT, True, "GET", lambda q: f"/processus/questionnaires/{q.id}/my-answers", None),
    "setup": (Role.ELECTED, False, "GET", lambda q: f"/processus/questionnaires/{q.id}/setup", None),
    "edit": (Role.ELECTED, False, "GET", lambda q: f"/processus/questionnaires/{q.id}/edit", None),
    "question": (Role.ELECTED, False, "GET",
                 lambda q: f"/processus/questionnaires/{q.id}/questions/{q.questions[-1].id}/edit", None),
}

# A question is edited before anyone answers.
ANSWERS_FREEZE = {"question"}


SCALES = (1, 10)


def _build(app):
    """The consultations of every test, built once for the session: each scale with its responses, and without (the
    pages of questions)."""
    with app.app_context():
        for scale in SCALES:
            for responses in (True, False):
                _consultation(app, scale, responses)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """An app whose database holds the consultations (shared_app, tests/conftest.py): each test adds its visitor in
    its rolled-back transaction, rather than building ten times the questions and responses again (some 35 answers
    through the service) for each page."""
    yield from shared_app(tmp_path_factory, "consultations", _build)


def _built(scale, responses):
    """The questionnaire _build made at this scale, with responses or without."""
    built = db.session.execute(db.select(Questionnaire).order_by(Questionnaire.id)).scalars().all()
    order = [(scale, responses) for scale in SCALES for responses in (True, False)]
    assert len(built) == len(order)
    return built[order.index((scale, responses))]


def _statements(app, client, role, answered, method, path, data, scale, questions_page=False):
    questionnaire = _built(scale, responses=not questions_page)
    if role is not None:
        user = make_user(role=role)
        if answered:
            _answer(app, questionnaire, user)
        login(client, user)
        token = client.csrf_token()
    address, sent = path(questionnaire), data(questionnaire) if data else None
    with recording(app) as statements:
        if method == "GET":
            response = client.get(address)
        else:
            response = client.post(address, data={"csrf_token": token, **sent})
    assert response.status_code == 200 and response.get_data()
    if role is not None:
        client.post_form("/logout")
    return statements


@pytest.mark.parametrize("name", PAGES)
def test_a_page_costs_the_same_statements_with_ten_times_the_data(app, client, ctx, name):
    role, answered, method, path, data = PAGES[name]
    small = _statements(app, client, role, answered, method, path, data, 1, name in ANSWERS_FREEZE)
    large = _statements(app, client, role, answered, method, path, data, 10, name in ANSWERS_FREEZE)
    assert len(small) == len(large), f"{name}:\n{small}\n---\n{large}"
