"""The questionnaires' open data: the questions, the counts once the questionnaire closes (the same as the results
page), the published free texts without anything that names or links a respondent."""

import civic.app  # noqa: F401 - the factory imports every package's views, which register the datasets
from civic import site_settings
from civic.extensions import db
from civic.opendata.staleness import STALE_SINCE
from civic.opendata import datasets
from civic.privacy.groups import SMALLEST_GROUP
from civic.questionnaires import results
from civic.processes.models import PhaseKind
from civic.questionnaires.models import FreeTextUse, QuestionKind, TextState
from civic.timezones import utc_to_paris
from tests.questionnaires.factories import end_phase, make_questionnaire, question, respond

SINGLE, MULTIPLE, SCALE = QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.SCALE
SHORT, LONG = QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT
NAMES = ("questionnaire_questions", "questionnaire_counts", "questionnaire_texts")


def _rows(name):
    return list(datasets.rows(datasets.get(name)))


def test_no_column_names_a_person_a_response_or_an_answer():
    for name in NAMES:
        fields = datasets.get(name).fields
        assert not [f for f in fields if any(word in f for word in ("respondent", "response_id", "answer_id", "user", "name",
                                                                    "author", "agent", "counter_id", "channel"))], name
        assert "id" not in fields or name == "questionnaire_questions"  # a question's number, nobody's


def test_the_questions_are_published_with_their_choices(ctx):
    questionnaire = make_questionnaire(ended=False)
    rows = [r for r in _rows("questionnaire_questions") if r["questionnaire_id"] == questionnaire.id]
    assert [(r["position"], r["kind"]) for r in rows] == [(n, k.value) for n, k in enumerate(QuestionKind, 1)]
    single = rows[0]
    assert single["choices"] == ["Le vélo", "Le bus", "La voiture"] and single["required"] is True
    assert rows[2]["choices"] is None and rows[2]["free_text_use"] == "published"


def test_counts_are_published_once_the_phase_ended_and_match_the_results_page(ctx):
    questionnaire = make_questionnaire(ended=False)
    for n in range(SMALLEST_GROUP - 1):
        respond(questionnaire, choices={SINGLE: [1 + n % 2], MULTIPLE: [1, 3] if n < 2 else []}, scale=4)
    respond(questionnaire, scale=1)
    assert _rows("questionnaire_counts") == []
    end_phase(questionnaire)
    rows = _rows("questionnaire_counts")
    by_question = {}
    for row in rows:
        by_question.setdefault(row["question_id"], []).append((row["label"], row["count"]))
        assert row["responses"] == SMALLEST_GROUP
    public = results.counts(questionnaire)["questions"]
    for result in public:
        shown = [(str(label), n) for label, n, _share in result.choices or result.scale]
        assert by_question.get(result.question.id, []) == shown
    # The scale, answered by every resident, is published; the single choice (9) and the multiple (2) are not,
    # on the page as in the files.
    assert set(by_question) == {question(questionnaire, SCALE).id}
    assert {r.question.kind for r in public if r.withheld} == {SINGLE, MULTIPLE}
    assert {row["answered"] for row in rows} == {SMALLEST_GROUP}


def test_published_texts_only_sorted_by_their_words_and_dated_to_the_day(ctx):
    questionnaire = make_questionnaire()
    first = respond(questionnaire, texts={SHORT: "Zèbre", LONG: "Avant tout"}, text_state=TextState.PUBLISHED)
    respond(questionnaire, texts={SHORT: "Arbres", LONG: "Ce que je pense"}, text_state=TextState.PUBLISHED)
    respond(questionnaire, texts={SHORT: "Refusé"}, text_state=TextState.REJECTED)
    respond(questionnaire, texts={SHORT: "En attente"})
    held = respond(questionnaire, texts={SHORT: "Tenu"}, text_state=TextState.PUBLISHED)
    held.answers[0].held_by_reports = True
    kept = make_questionnaire(free_text_use=FreeTextUse.SYNTHESIS, title="Pour la synthèse")
    respond(kept, texts={SHORT: "Jamais publié"})
    db.session.commit()
    rows = _rows("questionnaire_texts")
    short, long_ = question(questionnaire, SHORT).id, question(questionnaire, LONG).id
    assert [(r["question_id"], r["number"], r["text"]) for r in rows] == [
        (short, 1, "Arbres"), (short, 2, "Zèbre"), (long_, 1, "Avant tout"), (long_, 2, "Ce que je pense")]
    # The first respondent's texts are first in one question and last in the other: no order follows them.
    assert {r["written_on"] for r in rows} == {utc_to_paris(first.created_at).date()}
    assert list(rows[0]) == ["question_id", "number", "text", "written_on"]


def test_texts_wait_for_the_end_of_the_questionnaire(ctx):
    questionnaire = make_questionnaire(ended=False)
    respond(questionnaire, texts={SHORT: "Publié pendant la consultation"}, text_state=TextState.PUBLISHED)
    assert _rows("questionnaire_texts") == []
    end_phase(questionnaire)
    assert [r["text"] for r in _rows("questionnaire_texts")] == ["Publié pendant la consultation"]


def test_a_text_hidden_later_marks_the_files_out_of_date(app, ctx):
    questionnaire = make_questionnaire()
    response = respond(questionnaire, texts={SHORT: "Publié"}, text_state=TextState.PUBLISHED)
    before = site_settings.get(STALE_SINCE, "")
    response.answers[0].text_state = TextState.REJECTED
    db.session.commit()
    assert site_settings.get(STALE_SINCE, "") > before




def test_the_questionnaires_dataset_gives_the_phase_the_responses_once_ended_and_the_published_synthesis(ctx):
    under_way = make_questionnaire(ended=False)
    respond(under_way)
    ended = make_questionnaire(title="Consultation close")
    respond(ended)
    respond(ended)
    ended.synthesis = "Les habitants veulent des bancs."
    db.session.commit()
    rows = {r["id"]: r for r in _rows("questionnaires")}
    assert list(rows[under_way.id]) == datasets.get("questionnaires").fields
    assert rows[under_way.id]["responses"] is None  # not before the phase is over
    phase = ended.process.phase_of(PhaseKind.QUESTIONNAIRE)
    assert (rows[ended.id]["starts_on"], rows[ended.id]["ends_on"]) == (phase.starts_on, phase.ends_on)
    assert rows[ended.id]["responses"] == 2 and rows[ended.id]["process_title"] == "Consultation close"
    assert rows[ended.id]["synthesis"] is None  # written, not published
    results.save_synthesis(ended, ended.process.created_by, "Les habitants veulent des bancs.", True)
    db.session.commit()
    row = next(r for r in _rows("questionnaires") if r["id"] == ended.id)
    assert row["synthesis"] == "Les habitants veulent des bancs." and row["synthesis_published_at"] is not None


def test_the_questionnaires_of_draft_processes_are_not_published(ctx):
    questionnaire = make_questionnaire()
    questionnaire.process.published_at = None
    db.session.commit()
    assert questionnaire.id not in {r["id"] for r in _rows("questionnaires")}
