"""Residents answer a questionnaire online during its phase: one page, each kind checked, once each."""
import pytest
from werkzeug.datastructures import MultiDict

from civic.accounts.models import Role
from civic.domain import DomainError
from civic.extensions import db
from civic.processes.models import PhaseKind
from civic.questionnaires import services
from civic.questionnaires.models import Answer, QuestionKind, Response, TextState
from tests.factories import make_user
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


def _answer(client_request, questionnaire, data, status=200):
    return client_request.post("questionnaires.answer", questionnaire_id=questionnaire.id, _data=data,
                               _expected_status=status)


def test_each_kind_is_checked_and_what_was_typed_is_kept(client_request, login_as):
    questionnaire = make_consultation(questions=EVERY_KIND)
    login_as()
    one, many, level, word, text = questions_of(questionnaire)
    data = {**form_for(questionnaire), f"q{level.id}": "6", f"q{word.id}": "x" * 201, f"q{text.id}": "y" * 5001}
    page = _answer(client_request, questionnaire, data)
    assert page.title.startswith("Erreur : ")
    level_error = "Question 3 (Êtes-vous satisfait du marché actuel ?) : choisissez une valeur de 1 à 5."
    word_error = "Question 4 (En un mot ?) : saisissez 200 caractères au plus (vous en avez saisi 201)."
    # Numbers in the reader’s language: 5 000 grouped (the page reads its no-break spaces as spaces).
    text_error = ("Question 5 (Que faudrait-il changer ?) : saisissez 5 000 caractères au plus"
                  " (vous en avez saisi 5 001).")
    assert page.field_error(f"q{level.id}") == level_error
    assert page.field_error(f"q{word.id}") == word_error
    assert page.field_error(f"q{text.id}") == text_error
    assert page.errors == [level_error, word_error, text_error]
    # Everything typed is there again, the choices ticked as they were.
    assert page.value(f"q{word.id}") == "x" * 201 and page.value(f"q{text.id}") == "y" * 5001
    assert page.select_one(f"#q{one.id}").has_attr("checked")
    assert [box["value"] for box in page.select(f'input[name="q{many.id}"][checked]')] == [
        str(many.choices[0].id), str(many.choices[2].id)]
    # Each error is tied to its question's fieldset.
    fieldset = page.select_one(f"#q{level.id}-error").find_parent("fieldset")
    assert f"q{level.id}-error" in fieldset["aria-describedby"].split()
    # A text question is one field with its label (its hint and error read once, with it), and no maxlength to
    # cut a paste short: the server says how long it may be.
    assert page.select_one(f'label[for="q{word.id}"]') is not None
    assert page.select_one(f"#q{word.id}").find_parent("fieldset") is None
    assert f"q{word.id}-error" in page.select_one(f"#q{word.id}")["aria-describedby"].split()
    assert not page.select("[maxlength]")
    assert _responses() == []


def test_a_choice_of_another_question_is_refused(client_request, login_as):
    questionnaire = make_consultation(questions=EVERY_KIND)
    login_as()
    one, many, *_ = questions_of(questionnaire)
    forged = {**form_for(questionnaire), f"q{one.id}": str(many.choices[0].id),
              f"q{many.id}": [str(many.choices[0].id), str(one.choices[1].id)]}
    page = _answer(client_request, questionnaire, forged)
    offered = "choisissez parmi les réponses proposées."
    assert page.field_error(f"q{one.id}") == f"Question 1 (Quel jour préférez-vous ?) : {offered}"
    assert page.field_error(f"q{many.id}") == f"Question 2 (Qu’y achetez-vous ?) : {offered}"
    page = _answer(client_request, questionnaire, {**form_for(questionnaire), f"q{one.id}": "nonsense"})
    assert page.field_error(f"q{one.id}") == f"Question 1 (Quel jour préférez-vous ?) : {offered}"
    assert _responses() == []


def test_required_questions_are_marked_in_words_and_must_be_answered(client_request, login_as):
    questionnaire = make_consultation(questions=EVERY_KIND)
    login_as()
    one, many, level, word, text = questions_of(questionnaire)
    page = client_request.get("questionnaires.answer", questionnaire_id=questionnaire.id)
    assert page.text(f"#q{one.id}-legend") == "Quel jour préférez-vous ? (réponse obligatoire)"
    assert page.text(f"#q{many.id}-legend") == "Qu’y achetez-vous ? (facultatif)"
    # The ends of the scale are said.
    assert page.text(f'label[for="q{level.id}"]') == "1, le plus bas"
    assert page.text(f'label[for="q{level.id}-5"]') == "5, le plus haut"
    page = _answer(client_request, questionnaire, {f"q{word.id}": "Calme"})
    # Each message names its question: the summary tells them apart.
    assert page.errors == ["Question 1 (Quel jour préférez-vous ?) : choisissez une réponse.",
                           "Question 3 (Êtes-vous satisfait du marché actuel ?) : choisissez une réponse."]
    assert page.field_error(f"q{one.id}") == page.errors[0] and page.field_error(f"q{level.id}") == page.errors[1]
    assert page.value(f"q{word.id}") == "Calme"
    # The optional ones may stay empty.
    data = form_for(questionnaire)
    for optional in (many, word, text):
        del data[f"q{optional.id}"]
    client_request.post("questionnaires.answer", questionnaire_id=questionnaire.id, _data=data)
    [response] = _responses()
    assert {answer.question_id for answer in response.answers} == {one.id, level.id}


def test_required_text_and_an_empty_answer(client_request, login_as):
    questionnaire = make_consultation(questions=[(QuestionKind.LONG_TEXT, "Votre avis ?", True, ()),
                                                 (QuestionKind.MULTIPLE_CHOICE, "Quoi ?", False, ("A", "B"))])
    login_as()
    text, many = questions_of(questionnaire)
    page = _answer(client_request, questionnaire, {f"q{text.id}": "   "})
    assert page.field_error(f"q{text.id}") == "Question 1 (Votre avis ?) : répondez à cette question."
    optional_only = make_consultation(questions=[(QuestionKind.SHORT_TEXT, "Un mot ?", False, ())])
    page = _answer(client_request, optional_only, {})
    assert page.errors == ["Répondez à au moins une question avant d’envoyer."]
    assert _responses() == []


def test_one_answer_per_resident(client_request, login_as):
    questionnaire = make_consultation(questions=EVERY_KIND)
    login_as()
    client_request.post("questionnaires.answer", questionnaire_id=questionnaire.id, _data=form_for(questionnaire))
    # Sent again (a second tab, the back button): refused, with the way to what was answered.
    page = client_request.post("questionnaires.answer", questionnaire_id=questionnaire.id,
                               _data=form_for(questionnaire, single=1), _follow=True)
    assert page.notices[-1] == ("Vous avez déjà répondu à ce questionnaire : une réponse par habitant, en ligne ou à "
                                "un guichet.")
    assert page.h1 == "Vos réponses : Consultation sur le marché"
    assert page.texts("dd")[0] == "Mercredi"
    page = client_request.get("questionnaires.answer", questionnaire_id=questionnaire.id, _expected_status=302,
                              _follow=True)
    assert page.h1 == "Vos réponses : Consultation sur le marché"
    assert len(_responses()) == 1
    # The process page says it, with the link.
    page = client_request.get("processes.detail", process_id=questionnaire.process_id)
    assert ("Voir vos réponses", client_request.url("questionnaires.answered", questionnaire_id=questionnaire.id)) in (
        page.links("#questionnaire"))


def test_the_constraint_holds_one_response_per_resident(app, ctx):
    """The check before it aside, the database refuses a second response (the service's savepoint turns it into
    the refusal)."""
    questionnaire = make_consultation(questions=EVERY_KIND)
    resident = make_user()
    with app.test_request_context():
        services.answer_questionnaire(questionnaire, resident, MultiDict(form_for(questionnaire)))
        db.session.commit()
        with pytest.raises(DomainError) as refused:
            services.answer_questionnaire(questionnaire, resident, MultiDict(form_for(questionnaire)))
    assert refused.value.message is services.ALREADY_ANSWERED
    db.session.rollback()
    assert len(_responses()) == 1


@pytest.mark.parametrize("phase", [None, PhaseKind.RESULTS], ids=["before", "after"])
def test_outside_its_phase_the_questionnaire_is_not_answered(client_request, login_as, phase):
    questionnaire = make_consultation(phase, questions=EVERY_KIND)
    login_as()
    page = client_request.get("processes.detail", process_id=questionnaire.process_id)
    assert not page.has('#questionnaire a[href$="/answer"]')
    assert "On répond au questionnaire du " in page.text("#questionnaire")
    page = client_request.post("questionnaires.answer", questionnaire_id=questionnaire.id,
                               _data=form_for(questionnaire), _follow=True)
    assert page.notices == ["On répond au questionnaire de ce processus pendant sa phase de questionnaire seulement."]
    assert _responses() == []


def test_visitors_are_asked_to_log_in_and_staff_do_not_answer(client_request, login_as):
    questionnaire = make_consultation(questions=EVERY_KIND)
    page = client_request.get("processes.detail", process_id=questionnaire.process_id)
    assert page.links("#questionnaire")[0][0] == "Se connecter pour répondre au questionnaire"
    login_as(Role.MODERATOR)
    page = client_request.get("questionnaires.answer", questionnaire_id=questionnaire.id, _expected_status=403)
    assert "Vous n’avez pas l’autorisation de voir cette page ou de faire cette action." in page.text()
