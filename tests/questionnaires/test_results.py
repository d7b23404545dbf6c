"""A questionnaire's results: counts per option and per value, exact and rounded as the page says, public once the
questionnaire closes (officials preview before) for the questions enough residents answered, at a number of
statements that does not grow with the answers."""
from decimal import Decimal

from civic.accounts.models import Role
from civic.extensions import db
from civic.privacy.groups import SMALLEST_GROUP
from civic.questionnaires import results
from civic.questionnaires.models import FreeTextUse, QuestionKind
from tests.factories import make_user
from tests.client import text_of
from tests.processes.helpers import make_process
from tests.queries import recording
from tests.questionnaires.factories import make_questionnaire, respond

SINGLE, MULTIPLE, SCALE = QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.SCALE
SHORT, LONG = QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT


def _answers(questionnaire):
    respond(questionnaire, choices={SINGLE: [1], MULTIPLE: [1, 2]}, scale=5)
    respond(questionnaire, choices={SINGLE: [1], MULTIPLE: [2, 3]}, scale=4)
    respond(questionnaire, choices={SINGLE: [2], MULTIPLE: [2]}, scale=1)
    respond(questionnaire, choices={MULTIPLE: [4]}, scale=2, texts={SHORT: "Plus d’arbres"})
    respond(questionnaire, texts={SHORT: "Des toilettes"})  # skipped every other question


def _by_kind(data):
    return {r.question.kind: r for r in data["questions"]}


def test_choices_and_the_scale_are_counted_exactly(ctx):
    questionnaire = make_questionnaire()
    _answers(questionnaire)
    data = results.counts(questionnaire, small_groups=True)
    assert data["responses"] == 5
    single, multiple, scale, short = (_by_kind(data)[k] for k in (SINGLE, MULTIPLE, SCALE, SHORT))
    assert (single.answered, single.skipped) == (3, 2)
    # Two thirds of those who answered, rounded to a tenth of a percent, halves up.
    assert single.choices == [("Le vélo", 2, Decimal("0.667")), ("Le bus", 1, Decimal("0.333")),
                              ("La voiture", 0, Decimal("0"))]
    # Percent of the residents who answered, not of the ticks: they add up to more than 100.
    assert (multiple.answered, multiple.skipped) == (4, 1)
    assert [(label, n) for label, n, _share in multiple.choices] == [
        ("Des bancs", 1), ("Des arbres", 3), ("Des jeux", 1), ("De l’ombre", 1)]
    assert multiple.choices[1][2] == Decimal("0.75") and sum(s for _l, _n, s in multiple.choices) > 1
    assert [n for _v, n, _s in scale.scale] == [1, 1, 0, 1, 1]
    assert scale.mean == Decimal("3.0") and scale.median == Decimal("3")  # (1 + 2 + 4 + 5) / 4; between 2 and 4
    assert (short.answered, short.skipped) == (2, 3)


def test_the_mean_is_rounded_halves_up_and_the_median_is_the_middle_answer(ctx):
    questionnaire = make_questionnaire(kinds=(SCALE,))
    for value in (1, 2, 2, 3, 3, 3, 5, 5):  # 24 / 8
        respond(questionnaire, scale=value)
    scale = results.counts(questionnaire, small_groups=True)["questions"][0]
    assert (scale.mean, scale.median) == (Decimal("3.0"), Decimal("3"))
    respond(questionnaire, scale=4)  # 28 / 9 = 3.111...
    scale = results.counts(questionnaire, small_groups=True)["questions"][0]
    assert (scale.mean, scale.median) == (Decimal("3.1"), Decimal("3"))
    assert results.rounded(Decimal("3.25")) == Decimal("3.3")  # halves up, not to even


def test_the_results_page_shows_the_numbers_in_a_table_beside_a_decorative_chart(client_request, ctx):
    questionnaire = make_questionnaire()
    for _ in range(4):  # 12 residents answer the single choice, 16 the others: enough to publish their counts
        _answers(questionnaire)
    page = client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id)
    assert page.h1.startswith("Résultats du questionnaire")
    assert "20 habitants ont répondu au questionnaire" in page.text()
    tables = page.select("table")
    assert len(tables) == 3  # single, multiple, scale
    first = [[text_of(cell) for cell in row.select("th, td")] for row in tables[0].select("tbody tr")]
    assert first == [["Le vélo", "8", "66,7 %"], ["Le bus", "4", "33,3 %"], ["La voiture", "0", "0 %"]]
    assert [figure["aria-hidden"] for figure in page.select("figure.chart")] == ["true"] * 3
    sections = [text_of(s) for s in page.select("main section")]
    assert "leur total dépasse 100 %" in sections[1]  # the multiple choice says how to read its percentages
    assert "Moyenne : 3 sur 5 · médiane : 3" in sections[4]  # the scale is the last kind


def test_a_question_too_few_residents_answered_has_no_public_counts(client_request, login_as, ctx):
    """Three residents' choices are as good as their names to their neighbours: the public learns how many answered
    the question, not what they chose; the officials, who read every answer for the synthesis, see the counts with
    a word saying they are theirs only."""
    questionnaire = make_questionnaire(kinds=(SINGLE, SCALE))
    for n in range(SMALLEST_GROUP):
        respond(questionnaire, choices={SINGLE: [1 + n % 2]}, scale=5 if n < 3 else None)  # 3 answer the scale
    page = client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id)
    single, scale = page.select("main section")
    assert [text_of(td) for td in single.select("tbody td")] == ["5", "50 %", "5", "50 %", "0", "0 %"]
    assert "3 réponses" in text_of(scale) and not scale.select("table, figure") and "Moyenne" not in text_of(scale)
    assert "Moins de 10 habitants ont répondu à cette question : ses chiffres ne sont pas publiés" in text_of(scale)

    login_as(Role.ELECTED)
    page = client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id)
    scale = page.select("main section")[1]
    assert [text_of(td) for td in scale.select("tbody td")][-2:] == ["3", "100 %"]
    assert "ne sont montrés qu’aux élus et services du processus, jamais publiés" in text_of(scale)
    assert "Moins de" not in text_of(page.select("main section")[0])


def test_the_page_costs_the_same_statements_with_ten_times_the_answers(app, client_request, ctx):
    questionnaire = make_questionnaire()
    _answers(questionnaire)
    with recording(app) as few:
        client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id)
    for _ in range(9):
        _answers(questionnaire)
    with recording(app) as many:
        client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id)
    assert len(many) == len(few), many


def test_more_questions_cost_no_more_statements(app, ctx):
    small = make_questionnaire(kinds=(SINGLE, SCALE))
    large = make_questionnaire(kinds=(SINGLE, SCALE, MULTIPLE, SHORT, LONG) * 4, title="Grande consultation")
    with recording(app) as few:
        with app.test_request_context():
            results.counts(db.session.merge(small))
    with recording(app) as many:
        with app.test_request_context():
            results.counts(db.session.merge(large))
    assert len(many) == len(few)


def test_results_are_public_once_the_questionnaire_closes_and_previewed_by_officials(client_request, login_as, ctx):
    questionnaire = make_questionnaire(ended=False)
    page = client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id,
                              _expected_status=302, _follow=True)
    assert page.h1 == questionnaire.process.title
    assert "publiés une fois le questionnaire clos" in " ".join(page.notices)
    login_as(Role.ELECTED)
    page = client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id)
    assert page.text(".notice h2") == "Aperçu"


def test_a_process_without_questionnaire_has_no_results_page(client_request, ctx):
    process = make_process()
    page = client_request.get("questionnaire_results.results_page", process_id=process.id, _expected_status=404)
    assert page.h1 == "Page introuvable"
