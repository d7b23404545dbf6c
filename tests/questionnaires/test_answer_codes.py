"""A free-text answer's number never appears on a public page, URL or dataset: the answers of one response are
written together, so their numbers follow each other and would let anyone gather one resident's texts."""
import re

from sqlalchemy import inspect

from civic.accounts.models import Role
from civic.extensions import db
from civic.opendata import datasets
from civic.questionnaires.models import QuestionKind, TextState
from tests.questionnaires.factories import make_questionnaire, respond

SHORT, LONG = QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT


def test_public_pages_and_urls_name_text_answers_by_a_random_code(client_request, login_as, ctx):
    questionnaire = make_questionnaire()
    response = respond(questionnaire, texts={SHORT: "Des bancs à l’ombre", LONG: "Un long texte " * 60},
                       text_state=TextState.PUBLISHED)
    texts = [a for a in response.answers if a.text is not None]
    assert all(a.code and len(a.code) == 12 for a in texts) and len({a.code for a in texts}) == 2
    assert all(a.code is None for a in response.answers if a.text is None)
    login_as()
    results_page = client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id)
    hrefs = [href for _text, href in results_page.links()]
    long = next(a for a in texts if a.question.kind is LONG)
    assert any(h.endswith(f"/reponses/{long.code}") for h in hrefs)
    assert any(h.endswith(f"/report/answer/{long.code}") for h in hrefs)
    answer_links = [h for h in hrefs if "/reponses/" in h or "/report/answer/" in h]
    assert answer_links and all(re.search(r"/[A-Z0-9]{12}$", h) for h in answer_links)
    whole = client_request.get("questionnaire_results.answer_page", process_id=questionnaire.process_id,
                               code=long.code)
    assert "n°" not in whole.h1 and str(long.id) not in whole.h1
    client_request.get("questionnaire_results.answer_page", process_id=questionnaire.process_id, code=str(long.id),
                       _expected_status=404)
    # The report page is reached by the code only, never by the number.
    client_request.get("moderation.report", target_type="answer", target_id=long.code)
    client_request.get("moderation.report", target_type="answer", target_id=str(long.id), _expected_status=404)


def test_the_journal_and_its_dataset_name_an_answer_without_its_number(client_request, login_as, ctx):
    questionnaire = make_questionnaire()
    answer = next(a for a in respond(questionnaire, texts={SHORT: "Un kiosque"}).answers if a.text)
    login_as(Role.MODERATOR)
    client_request.post("moderation.decide", target_type="answer", target_id=answer.id,
                        _data={"decision": "publish"}, _follow=True)
    client_request.post("accounts.logout")
    journal = client_request.get("moderation.journal")
    assert journal.texts("tbody td[data-label=Contenu]")[0] == "Une réponse à un questionnaire"
    rows = [r for r in datasets.rows(datasets.get("moderation_journal")) if r["target_type"] == "answer"]
    assert rows and all(r["target_id"] is None for r in rows)


def test_answer_ids_are_never_reused_on_sqlite(ctx):
    if db.engine.dialect.name != "sqlite":
        return
    sql = db.session.execute(db.text(
        "SELECT sql FROM sqlite_master WHERE name = 'questionnaire_answer'")).scalar_one()
    assert "AUTOINCREMENT" in sql
    assert "code" in {c["name"] for c in inspect(db.engine).get_columns("questionnaire_answer")}


def test_the_pages_of_a_question_s_texts_resume_from_a_code_never_a_number(client_request, login_as, ctx):
    """Links to the next and previous pages carry a text's code; a number typed there, or the code of another
    question's text, starts the list over rather than telling where that number or text falls among them."""
    questionnaire = make_questionnaire()
    responses = [respond(questionnaire, texts={SHORT: f"Idée courte {n:02}", LONG: f"Idée longue {n:02}"},
                         text_state=TextState.PUBLISHED) for n in range(12)]
    short = next(a for a in responses[0].answers if a.text and a.question.kind is SHORT)
    long_of_last = next(a for a in responses[-1].answers if a.text and a.question.kind is LONG)
    login_as()
    path = dict(process_id=questionnaire.process_id, question_id=short.question_id)
    first = client_request.get("questionnaire_results.texts", **path)
    assert first.texts("ul.texts li blockquote")[0] == "Idée courte 11"
    next_link = next(href for text, href in first.links() if text == "Page suivante")
    shown_codes = {a.code for r in responses for a in r.answers if a.text and a.question.kind is SHORT}
    cursor = re.search(r"after=([^&]+)", next_link).group(1)
    assert cursor in shown_codes
    second = client_request.get("questionnaire_results.texts", **path, after=cursor, page=2)
    assert second.texts("ul.texts li blockquote") == ["Idée courte 01", "Idée courte 00"]
    for forged in (str(long_of_last.id), long_of_last.code):
        again = client_request.get("questionnaire_results.texts", **path, after=forged)
        assert again.texts("ul.texts li blockquote")[0] == "Idée courte 11"
    numbers = {str(a.id) for r in responses for a in r.answers}
    assert not any(re.search(rf"(after|before)={n}\b", href) for _t, href in first.links() + second.links()
                   for n in numbers)
