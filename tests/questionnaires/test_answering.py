"""Residents answer a questionnaire online during its phase: one page, each kind checked, once each."""
from civic.extensions import db
from civic.processes.models import PhaseKind
from civic.questionnaires.models import Answer, Response, TextState
from tests.questionnaires.helpers import EVERY_KIND, form_for, make_consultation, questions_of


def _responses():
    return db.session.execute(db.select(Response)).scalars().all()


def test_the_process_page_shows_the_questionnaire_and_its_use_of_free_texts(client_request, login_as):
    questionnaire = make_consultation(questions=EVERY_KIND)
    login_as()
    page = client_request.get("processes.detail", process_id=questionnaire.process_id)
    part = page.select_one("#questionnaire")
    assert "Dites-nous ce que vous pensez du nouveau marché." in part.get_text()
    assert "publiées après lecture par un modérateur" in part.get_text()
    assert page.links("#questionnaire") == [("Répondre au questionnaire", client_request.url(
        "questionnaires.answer", questionnaire_id=questionnaire.id))]


def test_a_resident_answers_every_kind_and_sees_what_they_answered(client_request, login_as):
    questionnaire = make_consultation(questions=EVERY_KIND)
    resident = login_as()
    page = client_request.get("questionnaires.answer", questionnaire_id=questionnaire.id)
    assert page.h1 == "Questionnaire : Consultation sur le marché"
    page = client_request.post("questionnaires.answer", questionnaire_id=questionnaire.id,
                               _data=form_for(questionnaire), _follow=True)
    assert page.notices == ["Merci : vos réponses sont enregistrées."]
    [response] = _responses()
    assert response.respondent_id == resident.id
    assert page.texts("dd") == ["Mercredi", "Fruits, Fleurs", "4 sur 5", "Vivant", "Plus de bancs."]
    texts = db.session.execute(db.select(Answer).where(Answer.text.is_not(None))).scalars().all()
    assert {a.text_state for a in texts} == {TextState.PENDING}
