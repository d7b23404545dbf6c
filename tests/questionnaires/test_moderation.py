"""Free texts of a questionnaire: published ones go through the moderators' queue and journal, are listed under
their question and may be reported; those kept for the synthesis never enter moderation and only the officials
read them."""
from civic.accounts.models import Role
from civic.extensions import db
from civic.moderation.models import ModerationAction
from civic.questionnaires.models import LONG_TEXT_MAX, Answer, FreeTextUse, QuestionKind, TextState
from civic.questionnaires.results import TEXTS_PAGE
from civic.staff_log import StaffLogEntry
from tests.browser.crawling import PAGE_BUDGET
from tests.client import Page
from tests.factories import login, make_user
from tests.growth import weight, words
from tests.questionnaires.factories import make_questionnaire, question, respond

SHORT = QuestionKind.SHORT_TEXT


def _text(response):
    return next(a for a in response.answers if a.text is not None)


def _decide(client_request, answer, decision, **fields):
    return client_request.post("moderation.decide", target_type="answer", target_id=answer.id,
                               _data={"decision": decision, **fields}, _follow=True)


def test_a_published_text_waits_in_the_queue_then_is_shown_under_its_question(client_request, login_as, ctx, outbox):
    questionnaire = make_questionnaire()
    resident = make_user(name="Maryse")
    answer = _text(respond(questionnaire, resident, texts={SHORT: "Un marché couvert le dimanche"}))
    results = client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id)
    assert "Un marché couvert" not in results.text()
    login_as(Role.MODERATOR)
    queue = client_request.get("moderation.queue")
    assert "Une réponse à un questionnaire · en attente de relecture" in queue.texts("main h2")
    assert "Un marché couvert le dimanche" in queue.text()
    assert "Maryse" not in queue.text()  # the template names the question, never the respondent
    _decide(client_request, answer, "publish")
    db.session.refresh(answer)
    assert answer.text_state is TextState.PUBLISHED
    assert outbox[-1]["to"] == resident.email and "Que faudrait-il changer en premier" in outbox[-1]["body"]
    journal = client_request.get("moderation.journal")
    assert journal.texts("tbody td[data-label=Contenu]")[0] == "Une réponse à un questionnaire"
    assert db.session.execute(db.select(StaffLogEntry.action).where(
        StaffLogEntry.object_id == answer.id, StaffLogEntry.area == "moderation")).scalar_one() == "publish"
    client_request.post("accounts.logout")
    results = client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id)
    assert "Un marché couvert le dimanche" in results.text()
    login_as(Role.ADMIN)
    assert f"Réponse n° {answer.id} publiée" in client_request.get("admin.staff_log").text()


def test_a_rejected_text_is_not_shown_and_the_reason_is_public(client_request, login_as, ctx):
    questionnaire = make_questionnaire()
    answer = _text(respond(questionnaire, texts={SHORT: "Propos injurieux"}))
    login_as(Role.MODERATOR)
    page = client_request.post("moderation.decide", target_type="answer", target_id=answer.id,
                               _data={"decision": "reject"}, _expected_status=200)
    assert page.field_error("reason")  # a rejection says why, publicly
    _decide(client_request, answer, "reject", reason="Injurieux")
    db.session.refresh(answer)
    assert (answer.text_state, answer.moderation_reason) == (TextState.REJECTED, "Injurieux")
    page = client_request.get("questionnaire_results.texts", process_id=questionnaire.process_id,
                              question_id=answer.question_id)
    assert "Propos injurieux" not in page.text()


def test_residents_report_a_published_text_and_enough_reports_hold_it(client_request, login_as, ctx):
    questionnaire = make_questionnaire()
    answer = _text(respond(questionnaire, texts={SHORT: "Texte publié"}, text_state=TextState.PUBLISHED))
    for _ in range(3):
        login_as()
        client_request.post("moderation.report", target_type="answer", target_id=answer.code,
                            _data={"reason": "spam"},
                            _expected_redirect=client_request.url("questionnaire_results.texts",
                                                                  process_id=questionnaire.process_id,
                                                                  question_id=answer.question_id))
        client_request.post("accounts.logout")
    db.session.refresh(answer)
    assert answer.held_by_reports
    page = client_request.get("questionnaire_results.texts", process_id=questionnaire.process_id,
                              question_id=answer.question_id)
    assert "Texte publié" not in page.text()
    # Held, it is no longer reportable nor visible to residents: its report page is not there for them.
    login_as()
    page = client_request.get("moderation.report", target_type="answer", target_id=answer.code, _expected_status=404)
    assert page.h1 == "Page introuvable"


def test_the_respondent_cannot_report_their_own_text(client_request, login_as, ctx):
    questionnaire = make_questionnaire()
    resident = make_user()
    answer = _text(respond(questionnaire, resident, texts={SHORT: "Mon texte"}, text_state=TextState.PUBLISHED))
    login(client_request.client, resident)
    page = client_request.get("moderation.report", target_type="answer", target_id=answer.code)
    assert page.errors == ["Vous ne pouvez pas signaler ce que vous avez écrit."]


def test_a_decision_on_the_text_of_an_erased_account_tells_nobody(client_request, login_as, ctx, outbox):
    questionnaire = make_questionnaire()
    response = respond(questionnaire, texts={SHORT: "Sans auteur"})
    response.respondent_id = None
    db.session.commit()
    login_as(Role.MODERATOR)
    _decide(client_request, _text(response), "publish")
    assert outbox == []


def test_the_public_list_of_a_question_pages_newest_or_oldest_first(client_request, ctx):
    questionnaire = make_questionnaire()
    for n in range(15):
        respond(questionnaire, texts={SHORT: f"Idée numéro {n:02d}"}, text_state=TextState.PUBLISHED)
    first = client_request.get("questionnaire_results.texts", process_id=questionnaire.process_id,
                               question_id=question(questionnaire, SHORT).id)
    texts = first.texts("ul.texts blockquote")
    assert (len(texts), texts[0], texts[-1]) == (TEXTS_PAGE, "Idée numéro 14", "Idée numéro 05")
    next_link = first.select_one("a[rel=next]")["href"]
    second = Page(client_request.client.get(next_link))
    assert second.texts("ul.texts blockquote") == [f"Idée numéro {n:02d}" for n in range(4, -1, -1)]
    oldest = client_request.get("questionnaire_results.texts", process_id=questionnaire.process_id,
                                question_id=question(questionnaire, SHORT).id, _query={"order": "oldest"})
    assert oldest.texts("ul.texts blockquote")[0] == "Idée numéro 00"
    # The results page shows the latest three and links to them all.
    results = client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id)
    assert results.texts("ul.texts blockquote") == ["Idée numéro 14", "Idée numéro 13", "Idée numéro 12"]


def test_texts_kept_for_the_synthesis_never_enter_moderation_nor_the_public_pages(client_request, login_as, ctx):
    questionnaire = make_questionnaire(free_text_use=FreeTextUse.SYNTHESIS)
    answer = _text(respond(questionnaire, texts={SHORT: "Pour la synthèse seulement"}))
    assert answer.text_state is None
    results = client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id)
    assert "Pour la synthèse seulement" not in results.text()
    assert "ne sont pas publiées" in results.text()
    client_request.get("questionnaire_results.texts", process_id=questionnaire.process_id,
                       question_id=answer.question_id, _expected_status=404)
    login_as(Role.MODERATOR)
    assert "Pour la synthèse" not in client_request.get("moderation.queue").text()
    page = client_request.get("moderation.decide", target_type="answer", target_id=answer.id, _expected_status=404)
    assert page.h1 == "Page introuvable"
    page = client_request.get("questionnaire_results.synthesis_texts", process_id=questionnaire.process_id,
                              question_id=answer.question_id, _expected_status=403)
    assert page.h1 == "Accès refusé"
    client_request.post("accounts.logout")
    login_as(Role.ELECTED)
    page = client_request.get("questionnaire_results.synthesis_texts", process_id=questionnaire.process_id,
                              question_id=answer.question_id)
    assert page.texts("ul.texts blockquote") == ["Pour la synthèse seulement"]
    assert db.session.execute(db.select(ModerationAction)).first() is None


def test_the_staff_page_pages_every_text_whatever_its_state(client_request, login_as, ctx):
    questionnaire = make_questionnaire(free_text_use=FreeTextUse.SYNTHESIS)
    for n in range(13):
        respond(questionnaire, texts={SHORT: f"Avis {n:02d}"})
    login_as(Role.ELECTED)
    page = client_request.get("questionnaire_results.synthesis_texts", process_id=questionnaire.process_id,
                              question_id=question(questionnaire, SHORT).id, _query={"order": "oldest"})
    assert page.texts("ul.texts blockquote")[:2] == ["Avis 00", "Avis 01"]
    assert len(page.texts("ul.texts blockquote")) == TEXTS_PAGE and page.has("a[rel=next]")




def test_a_list_of_the_longest_texts_fits_the_page_budget_and_each_text_has_its_page(client_request, login_as, ctx):
    questionnaire = make_questionnaire()
    long_question = question(questionnaire, QuestionKind.LONG_TEXT)
    for n in range(12):
        respond(questionnaire, texts={QuestionKind.LONG_TEXT: words(2000, n)[:LONG_TEXT_MAX]},
                text_state=TextState.PUBLISHED)
    page = client_request.get("questionnaire_results.texts", process_id=questionnaire.process_id,
                              question_id=long_question.id)
    assert weight(page) <= PAGE_BUDGET, weight(page)
    assert len(page.texts("ul.texts blockquote")) == TEXTS_PAGE
    results = client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id)
    assert weight(results) <= PAGE_BUDGET, weight(results)
    whole = page.select_one("ul.texts li a[href*='/reponses/']")["href"]
    answer = db.session.execute(db.select(Answer).where(Answer.code == whole.rsplit("/", 1)[1])).scalar_one()
    text = Page(client_request.client.get(whole))
    assert answer.text[-40:] in text.text() and weight(text) <= PAGE_BUDGET


def test_an_answer_page_is_there_for_whom_may_read_the_text(client_request, login_as, ctx):
    questionnaire = make_questionnaire(free_text_use=FreeTextUse.SYNTHESIS)
    answer = _text(respond(questionnaire, texts={SHORT: "Pour la synthèse"}))
    page = client_request.get("questionnaire_results.answer_page", process_id=questionnaire.process_id,
                              code=answer.code, _expected_status=404)
    assert page.h1 == "Page introuvable"
    login_as(Role.ELECTED)
    page = client_request.get("questionnaire_results.answer_page", process_id=questionnaire.process_id,
                              code=answer.code)
    assert page.text("blockquote") == "Pour la synthèse" and "Gardée pour la synthèse" in page.text()
    other = make_questionnaire(title="Autre consultation")
    client_request.get("questionnaire_results.answer_page", process_id=other.process_id, code=answer.code,
                       _expected_status=404)
