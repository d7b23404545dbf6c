"""An official writes the questionnaire of a process: introduction, use of free texts, questions one per form,
moved with buttons; frozen once residents answer; each change in the staff log."""
import pytest

from civic.accounts.models import Role
from civic.processes.models import PhaseKind
from civic.extensions import db
from civic.questionnaires.models import FreeTextUse, Questionnaire, QuestionKind
from civic.staff_log import StaffLogEntry
from civic.targets import TargetType
from tests.processes.helpers import make_process
from tests.questionnaires.helpers import EVERY_KIND, consultation_days, form_for, make_consultation, questions_of

QUESTION = {"text": "Quel jour préférez-vous ?", "hint": "", "kind": "single_choice",
            "choices": "Mercredi\r\nSamedi\r\n\r\n", "required": "y"}


def _log():
    return db.session.execute(db.select(StaffLogEntry.action).where(StaffLogEntry.area == "questionnaire")
                              .order_by(StaffLogEntry.id)).scalars().all()


def _texts(questionnaire):
    db.session.expire_all()
    return [question.text for question in questions_of(questionnaire)]


def test_an_official_creates_the_questionnaire_of_a_consultation(client_request, login_as):
    official = login_as(Role.ELECTED)
    process = make_process(by=official, budget=None, phases=consultation_days())
    page = client_request.get("processes.detail", process_id=process.id)
    assert page.links("#questionnaire") == [("Écrire le questionnaire", client_request.url(
        "questionnaires.new", process_id=process.id))]
    page = client_request.get("questionnaires.new", process_id=process.id)
    assert page.text("#free_text_use-hint") == ("Annoncé aux habitants avant qu’ils répondent. Ce choix ne peut plus "
                                                "changer une fois la première réponse enregistrée.")
    page = client_request.post("questionnaires.new", process_id=process.id, _data={"introduction": "Votre avis."},
                               _expected_status=200)
    assert page.field_error("free_text_use") == "Choisissez ce que deviennent les réponses libres."
    assert page.value("introduction") == "Votre avis."
    page = client_request.post("questionnaires.new", process_id=process.id, _data={"free_text_use": "synthesis"},
                               _expected_status=200)
    assert page.field_error("introduction") == "Écrivez l’introduction : à quoi sert la consultation."
    assert page.select_one("input[name=free_text_use][value=synthesis]").has_attr("checked")
    page = client_request.post("questionnaires.new", process_id=process.id,
                               _data={"introduction": "Votre avis.", "free_text_use": "synthesis"}, _follow=True)
    questionnaire = db.session.execute(db.select(Questionnaire)).scalar_one()
    assert (questionnaire.introduction, questionnaire.free_text_use) == ("Votre avis.", FreeTextUse.SYNTHESIS)
    assert page.h1 == "Préparer le questionnaire : Budget participatif 2027"
    # Once: the address of a second one leads to the first.
    client_request.get("questionnaires.new", process_id=process.id, _expected_status=302,
                       _expected_redirect=client_request.url("questionnaires.setup", questionnaire_id=questionnaire.id))
    assert _log() == ["create"]


def test_a_process_without_questionnaire_phase_has_none(client_request, login_as):
    official = login_as(Role.ELECTED)
    process = make_process(by=official)
    page = client_request.get("processes.detail", process_id=process.id)
    assert not page.has("#questionnaire")
    page = client_request.get("questionnaires.new", process_id=process.id, _expected_status=302, _follow=True)
    assert page.notices == ["Ce processus n’a pas de phase de questionnaire : ajoutez-en une, avec ses dates, avant "
                            "d’écrire son questionnaire."]


@pytest.mark.parametrize("data, message", [
    ({"text": ""}, ("text", "Saisissez la question.")),
    ({"text": "x" * 301}, ("text", "Saisissez 300 caractères au plus.")),
    ({"kind": ""}, ("kind", "Choisissez le type de question.")),
    ({"choices": "Mercredi"}, ("choices", "Proposez au moins deux réponses, une par ligne.")),
    ({"choices": "Mercredi\nmercredi "}, ("choices", "« mercredi » est proposée deux fois : proposez chaque réponse "
                                                     "une fois.")),
    ({"choices": "Mercredi\n" + "x" * 201}, ("choices", "Chaque réponse proposée compte au plus 200 caractères : "
                                                        "« xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… » est plus longue.")),
    ({"kind": "scale", "choices": "1\n2"}, ("choices", "Seules les questions à choix unique ou multiple proposent des "
                                                       "réponses : laissez ce champ vide.")),
], ids=["no text", "long text", "no kind", "one choice", "twice", "long choice", "scale with choices"])
def test_each_question_is_checked_and_keeps_what_was_typed(client_request, login_as, data, message):
    questionnaire = make_consultation()
    login_as(Role.ADMIN)
    page = client_request.post("questionnaires.add_question", questionnaire_id=questionnaire.id,
                               _data={**QUESTION, **data}, _expected_status=200)
    field, error = message
    assert page.field_error(field) == error
    assert page.value("text") == {**QUESTION, **data}["text"]
    assert questions_of(questionnaire) == []


def test_questions_are_added_edited_moved_and_removed(client_request, login_as):
    questionnaire = make_consultation()
    login_as(Role.ADMIN)
    client_request.post("questionnaires.add_question", questionnaire_id=questionnaire.id, _data=QUESTION)
    for text, kind in (("Votre avis ?", "long_text"), ("Note ?", "scale")):
        client_request.post("questionnaires.add_question", questionnaire_id=questionnaire.id,
                            _data={"text": text, "kind": kind, "hint": "", "choices": ""})
    first, second, third = questions_of(questionnaire)
    assert [c.label for c in first.choices] == ["Mercredi", "Samedi"] and first.required
    assert (third.kind, third.required, third.choices) == (QuestionKind.SCALE, False, [])
    page = client_request.get("questionnaires.edit_question", questionnaire_id=questionnaire.id, question_id=first.id)
    assert page.select_one("textarea#choices").string.strip() == "Mercredi\nSamedi"
    client_request.post("questionnaires.edit_question", questionnaire_id=questionnaire.id, question_id=first.id,
                        _data={**QUESTION, "text": "Quel jour ?", "choices": "Mercredi\nSamedi\nDimanche"})
    db.session.expire_all()
    assert [c.label for c in first.choices] == ["Mercredi", "Samedi", "Dimanche"]
    page = client_request.get("questionnaires.setup", questionnaire_id=questionnaire.id)
    # The first cannot go up, the last cannot go down; each button says which question it moves.
    assert [text for text in page.texts(f"#question-{first.id} button")] == ["Descendre : Quel jour ?"]
    assert page.texts(f"#question-{third.id} button") == ["Monter : Note ?"]
    # Removing is asked first, on a page of its own (no script).
    remove = client_request.url("questionnaires.remove_question", questionnaire_id=questionnaire.id,
                                question_id=third.id)
    assert ("Retirer : Note ?", remove) in page.links(f"#question-{third.id}")
    client_request.post("questionnaires.move_question", questionnaire_id=questionnaire.id, question_id=third.id,
                        _data={"direction": "up"})
    assert _texts(questionnaire) == ["Quel jour ?", "Note ?", "Votre avis ?"]
    client_request.post("questionnaires.move_question", questionnaire_id=questionnaire.id, question_id=first.id,
                        _data={"direction": "down"})
    assert _texts(questionnaire) == ["Note ?", "Quel jour ?", "Votre avis ?"]
    confirm = client_request.get("questionnaires.remove_question", questionnaire_id=questionnaire.id,
                                 question_id=third.id)
    assert confirm.h1.startswith("Retirer une question") and "Note ?" in confirm.text("blockquote")
    assert _texts(questionnaire) == ["Note ?", "Quel jour ?", "Votre avis ?"]  # nothing removed by reading it
    client_request.post("questionnaires.remove_question", questionnaire_id=questionnaire.id, question_id=third.id)
    assert _texts(questionnaire) == ["Quel jour ?", "Votre avis ?"]
    assert [q.position for q in questions_of(questionnaire)] == [0, 1]
    assert _log() == ["create", "question_add", "question_add", "question_add", "question_edit", "question_move",
                      "question_move", "question_remove"]
    entry = db.session.execute(db.select(StaffLogEntry).where(StaffLogEntry.action == "question_edit")).scalar_one()
    assert (entry.object_type, entry.object_id) == (TargetType.QUESTIONNAIRE, questionnaire.id)
    page = client_request.get("admin.staff_log")
    assert "Question du questionnaire n° %s modifiée" % questionnaire.id in page.text()


def test_questions_are_frozen_once_the_first_answer_is_recorded(client_request, login_as, client):
    questionnaire = make_consultation(questions=EVERY_KIND)
    login_as()
    client_request.post("questionnaires.answer", questionnaire_id=questionnaire.id, _data=form_for(questionnaire))
    client.post_form("/logout")
    login_as(Role.ELECTED)
    first = questions_of(questionnaire)[0]
    page = client_request.get("questionnaires.setup", questionnaire_id=questionnaire.id)
    assert not page.has("main form") and not page.has('a[href$="/questions/new"]')
    frozen = ("Des habitants ont commencé à répondre : les questions restent celles auxquelles ils ont répondu, et ne "
              "peuvent plus être ajoutées, modifiées, déplacées ni retirées.")
    for endpoint, extra in (("questionnaires.add_question", {}), ("questionnaires.edit_question", {"question_id": first.id}),
                            ("questionnaires.remove_question", {"question_id": first.id}),
                            ("questionnaires.move_question", {"question_id": first.id})):
        page = client_request.post(endpoint, questionnaire_id=questionnaire.id, _data={**QUESTION, "direction": "down"},
                                   _follow=True, **extra)
        assert page.notices[-1] == frozen
    assert len(questions_of(questionnaire)) == 5
    # The introduction may still be made clearer; the use of free texts stays as stated.
    page = client_request.get("questionnaires.edit", questionnaire_id=questionnaire.id)
    assert not page.has('input[type="radio"]')
    client_request.post("questionnaires.edit", questionnaire_id=questionnaire.id,
                        _data={"introduction": "Plus clair.", "free_text_use": "synthesis"}, _expected_status=200)
    db.session.expire_all()
    assert questionnaire.free_text_use is FreeTextUse.PUBLISHED
    client_request.post("questionnaires.edit", questionnaire_id=questionnaire.id,
                        _data={"introduction": "Plus clair.", "free_text_use": "published"})
    db.session.expire_all()
    assert questionnaire.introduction == "Plus clair."


def test_residents_and_moderators_do_not_set_up(client_request, login_as):
    questionnaire = make_consultation()
    for role in (Role.RESIDENT, Role.MODERATOR, Role.COUNTER_AGENT):
        login_as(role)
        client_request.get("questionnaires.setup", questionnaire_id=questionnaire.id, _expected_status=403)
        client_request.post("questionnaires.add_question", questionnaire_id=questionnaire.id, _data=QUESTION,
                            _expected_status=403)
    assert questions_of(questionnaire) == []


def test_a_questionnaire_stays_as_it_was_once_its_phase_is_over(client_request, login_as):
    official = login_as(Role.ELECTED)
    without = make_process(by=official, budget=None, phases=consultation_days(PhaseKind.RESULTS))
    over = "La phase de questionnaire est terminée : le questionnaire reste tel que les habitants l’ont vu."
    page = client_request.get("questionnaires.new", process_id=without.id, _follow=True, _expected_status=302)
    assert page.notices[-1] == over and db.session.execute(db.select(Questionnaire)).first() is None
    questionnaire = make_consultation(current=PhaseKind.RESULTS, questions=EVERY_KIND)
    login_as(Role.ELECTED)
    first = questions_of(questionnaire)[0]
    for endpoint, extra in (("questionnaires.edit", {}), ("questionnaires.add_question", {}),
                            ("questionnaires.edit_question", {"question_id": first.id}),
                            ("questionnaires.remove_question", {"question_id": first.id})):
        page = client_request.post(endpoint, questionnaire_id=questionnaire.id, _data={**QUESTION, "introduction": "x",
                                                                                       "free_text_use": "published"},
                                   _follow=True, **extra)
        assert page.notices[-1] == over, endpoint
    assert len(questions_of(questionnaire)) == 5
