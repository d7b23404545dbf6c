"""An agent answers a questionnaire for a resident in an assisted session: receipt, audit, channel, and one
answer per resident whatever the channel."""
from civic.accounts.models import Role
from civic.counters.models import AssistedAction, AssistedActionKind, Channel
from civic.counters.sessions import FORM_TOKEN_FIELD
from civic.extensions import db
from civic.questionnaires.models import Response
from civic.targets import TargetType
from tests.client import Page
from tests.counters.helpers import follow_up_code, make_counter, open_session
from tests.counters.test_session_lapse import post_page_form
from tests.factories import login, make_user
from tests.questionnaires.helpers import EVERY_KIND, form_for, make_consultation, questions_of


def _responses():
    return db.session.execute(db.select(Response)).scalars().all()


def _answer_at_the_desk(client, questionnaire, data):
    page = Page(client.get(f"/processus/questionnaires/{questionnaire.id}/answer"))
    return client.post_form(f"/processus/questionnaires/{questionnaire.id}/answer",
                            {**data, FORM_TOKEN_FIELD: page.value(FORM_TOKEN_FIELD)})


def test_an_agent_answers_for_the_resident_and_prints_a_receipt(client, ctx):
    questionnaire = make_consultation(questions=EVERY_KIND)
    agent, resident = make_user(role=Role.COUNTER_AGENT), make_user()
    counter = make_counter(agent)
    login(client, agent)
    open_session(client, resident)
    assert ("Trouver le processus dans la liste", "/processus") in Page(client.get("/desk/session")).links()
    process_page = Page(client.get(f"/processus/{questionnaire.process_id}"))
    assert process_page.links("#questionnaire")[0][0] == "Répondre au questionnaire"
    response = _answer_at_the_desk(client, questionnaire, form_for(questionnaire))
    assert response.status_code == 302 and "/desk/receipts/" in response.location
    [recorded] = _responses()
    assert (recorded.respondent_id, recorded.channel, recorded.assisted_by_id, recorded.counter_id) == (
        resident.id, Channel.COUNTER, agent.id, counter.id)
    [audit] = db.session.execute(db.select(AssistedAction).where(
        AssistedAction.kind == AssistedActionKind.QUESTIONNAIRE_ANSWERED)).scalars().all()
    # The audit names the questionnaire, never the answers.
    assert (audit.resident_id, audit.agent_id, audit.object_type, audit.object_id) == (
        resident.id, agent.id, TargetType.QUESTIONNAIRE, questionnaire.id)
    receipt = Page(client.get(response.location))
    assert receipt.text(".receipt .receipt-what") == "Questionnaire rempli"
    assert "Questionnaire : Consultation sur le marché" in receipt.text(".receipt")
    assert "Mercredi" not in receipt.text(".receipt")
    # The follow-up code shows anyone that the answers are recorded, not what they are.
    code = follow_up_code(client.get(response.location))
    client.post_form("/desk/session/end")
    client.post_form("/logout")
    follow_up = Page(client.get(f"/c/{code}"))
    assert "Les réponses au questionnaire sont enregistrées." in follow_up.text()
    assert "Mercredi" not in follow_up.text()


def test_one_answer_per_resident_whatever_the_channel(client, ctx):
    questionnaire = make_consultation(questions=EVERY_KIND)
    agent = make_user(role=Role.COUNTER_AGENT)
    make_counter(agent)
    online = make_user()
    login(client, online)
    client.post_form(f"/processus/questionnaires/{questionnaire.id}/answer", form_for(questionnaire))
    client.post_form("/logout")
    # Answered online, refused at the counter: the agent is told, without reading what was answered.
    login(client, agent)
    open_session(client, online)
    response = client.get(f"/processus/questionnaires/{questionnaire.id}/answer")
    assert response.location == f"/processus/{questionnaire.process_id}"
    process_page = Page(client.get(response.location))
    assert "Cet habitant a répondu à ce questionnaire le " in process_page.text("#questionnaire")
    assert process_page.links("#questionnaire") == []
    response = client.post_form(f"/processus/questionnaires/{questionnaire.id}/answer", form_for(questionnaire))
    page = Page(client.get(response.location))
    assert page.notices[-1] == ("Cet habitant a déjà répondu à ce questionnaire, en ligne ou à un guichet : une "
                                "réponse par habitant.")
    assert client.get(f"/processus/questionnaires/{questionnaire.id}/my-answers").status_code == 403
    client.post_form("/desk/session/end")
    # Answered at the counter, refused online.
    at_the_counter = make_user()
    open_session(client, at_the_counter)
    _answer_at_the_desk(client, questionnaire, form_for(questionnaire))
    client.post_form("/desk/session/end")
    client.post_form("/logout")
    login(client, at_the_counter)
    page = Page(client.get(client.post_form(f"/processus/questionnaires/{questionnaire.id}/answer",
                                            form_for(questionnaire, single=2)).location))
    assert page.notices[-1].startswith("Vous avez déjà répondu à ce questionnaire")
    assert page.texts("dd")[0] == "Mercredi"
    assert "Saisies à un guichet" in page.text("main")
    assert len(_responses()) == 2


def test_answers_typed_for_a_resident_whose_session_ended_are_kept_and_sent_on_reopening(client, ctx):
    questionnaire = make_consultation(questions=EVERY_KIND)
    agent, resident = make_user(role=Role.COUNTER_AGENT), make_user()
    make_counter(agent)
    login(client, agent)
    open_session(client, resident)
    page = Page(client.get(f"/processus/questionnaires/{questionnaire.id}/answer"))
    client.post_form("/desk/session/end")  # in another tab
    data = {**form_for(questionnaire), FORM_TOKEN_FIELD: page.value(FORM_TOKEN_FIELD)}
    lapsed = Page(client.post_form(f"/processus/questionnaires/{questionnaire.id}/answer", data))
    assert lapsed.h1 == "La session accompagnée a pris fin" and _responses() == []
    # The free texts are shown again under their questions; the choices are carried as they were.
    one, _many, _level, word, text = questions_of(questionnaire)
    assert lapsed.text(f'label[for="q{word.id}"]') == "En un mot ?" and lapsed.value(f"q{word.id}") == "Vivant"
    assert lapsed.value(f"q{text.id}") == "Plus de bancs."
    assert lapsed.select_one(f'input[type="hidden"][name="q{one.id}"]')["value"] == str(one.choices[0].id)
    sent = post_page_form(client, lapsed, "main form", **{"reopen-identity_check": "document", "reopen-consent": "y"})
    assert "/desk/receipts/" in sent.location
    [response] = _responses()
    assert response.respondent_id == resident.id and len(response.answers) == 6
