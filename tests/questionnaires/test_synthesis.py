"""The synthesis: written by the officials once the questionnaire closes, saved as a draft or published, editable
afterwards with its last update shown, logged for staff; shown on the results page and in the process page's
summary."""
import json
from datetime import timedelta

import pytest

from flask import render_template

from civic.accounts.models import Role
from civic.domain import DomainError
from civic.extensions import db
from civic.questionnaires import results
from civic.staff_log import StaffLogEntry
from civic.targets import TargetType
from tests.browser.crawling import PAGE_BUDGET
from tests.factories import make_user
from tests.growth import weight, words
from tests.questionnaires.factories import make_questionnaire, respond
from civic.questionnaires.models import QuestionKind, SYNTHESIS_MAX, TextState


def _log(questionnaire):
    return db.session.execute(db.select(StaffLogEntry.action, StaffLogEntry.after).where(
        StaffLogEntry.area == "synthesis", StaffLogEntry.object_type == TargetType.QUESTIONNAIRE,
        StaffLogEntry.object_id == questionnaire.id).order_by(StaffLogEntry.id)).all()


def test_an_official_saves_a_draft_then_publishes_then_updates_the_synthesis(client_request, login_as, ctx):
    questionnaire = make_questionnaire()
    login_as(Role.ELECTED)
    form = client_request.get("questionnaire_results.synthesis", process_id=questionnaire.process_id)
    assert form.h1.startswith("Synthèse du questionnaire")
    client_request.post("questionnaire_results.synthesis", process_id=questionnaire.process_id,
                        _data={"synthesis": "Premier jet.", "save": "1"})
    db.session.refresh(questionnaire)
    assert (questionnaire.synthesis, questionnaire.synthesis_published_at) == ("Premier jet.", None)
    # A draft is logged too: the staff see who wrote what before it went public.
    assert [action for action, _after in _log(questionnaire)] == ["drafted"]
    page = client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id)
    assert "Premier jet." not in page.text()

    page = client_request.post("questionnaire_results.synthesis", process_id=questionnaire.process_id,
                               _data={"synthesis": "Les habitants veulent un marché couvert.", "publish": "1"},
                               _follow=True)
    assert page.notices == ["La synthèse est publiée."]
    assert "Les habitants veulent un marché couvert." in page.text("#synthesis-title + p + div")
    db.session.refresh(questionnaire)
    published = questionnaire.synthesis_published_at
    assert published is not None

    client_request.post("questionnaire_results.synthesis", process_id=questionnaire.process_id,
                        _data={"synthesis": "Les habitants veulent un marché couvert, le dimanche.", "publish": "1"})
    db.session.refresh(questionnaire)
    assert questionnaire.synthesis_published_at == published  # published once; updated since
    assert [(action, json.loads(after)["synthesis"]) for action, after in _log(questionnaire)] == [
        ("drafted", "Premier jet."), ("published", "Les habitants veulent un marché couvert."),
        ("updated", "Les habitants veulent un marché couvert, le dimanche.")]
    client_request.post("accounts.logout")
    login_as(Role.ADMIN)
    log = client_request.get("admin.staff_log")
    assert f"Synthèse du questionnaire n° {questionnaire.id} mise à jour" in log.text()


def test_an_unpublished_synthesis_has_no_page(client_request, ctx):
    questionnaire = make_questionnaire()
    questionnaire.synthesis = "Brouillon"
    db.session.commit()
    page = client_request.get("questionnaire_results.synthesis_page", process_id=questionnaire.process_id,
                              _expected_status=404)
    assert page.h1 == "Page introuvable"


def test_the_synthesis_waits_for_the_end_of_the_questionnaire(client_request, login_as, ctx):
    questionnaire = make_questionnaire(ended=False)
    login_as(Role.ELECTED)
    page = client_request.get("questionnaire_results.synthesis", process_id=questionnaire.process_id,
                              _expected_status=302, _follow=True)
    assert page.notices[0].startswith("La synthèse se rédige une fois le questionnaire clos")


def test_only_officials_write_it(client_request, login_as, ctx):
    questionnaire = make_questionnaire()
    for role in (Role.RESIDENT, Role.MODERATOR, Role.COUNTER_AGENT):
        login_as(role)
        page = client_request.get("questionnaire_results.synthesis", process_id=questionnaire.process_id,
                                  _expected_status=403)
        assert page.h1 == "Accès refusé"
        client_request.post("accounts.logout")


def test_an_empty_or_too_long_synthesis_is_refused_keeping_what_was_typed(client_request, login_as, ctx):
    questionnaire = make_questionnaire()
    login_as(Role.ELECTED)
    page = client_request.post("questionnaire_results.synthesis", process_id=questionnaire.process_id,
                               _data={"synthesis": "  ", "publish": "1"}, _expected_status=200)
    assert page.title.startswith("Erreur : ") and page.field_error("synthesis") == "Rédigez la synthèse."
    long = "a" * (SYNTHESIS_MAX + 1)
    page = client_request.post("questionnaire_results.synthesis", process_id=questionnaire.process_id,
                               _data={"synthesis": long, "publish": "1"}, _expected_status=200)
    # The number in the reader's language (10 000, grouped), what was typed kept.
    assert page.field_error("synthesis") == "Saisissez 10 000 caractères au plus." and page.value("synthesis") == long
    db.session.refresh(questionnaire)
    assert questionnaire.synthesis_published_at is None


def test_the_process_page_summary_shows_the_count_the_link_and_the_synthesis(app, ctx):
    questionnaire = make_questionnaire()
    respond(questionnaire, texts={QuestionKind.SHORT_TEXT: "Oui"}, text_state=TextState.PUBLISHED)
    questionnaire.synthesis, questionnaire.synthesis_published_at = "Une synthèse.", questionnaire.created_at
    db.session.commit()
    with app.test_request_context():
        summary = results.summary(questionnaire)
        html = render_template("questionnaires/_results_summary.html", summary=summary)
    assert (summary.responses, summary.ended) == (1, True)
    assert "1 habitant a répondu." in html and "Une synthèse." in html
    assert f"/processus/{questionnaire.process_id}/questionnaire/resultats" in html


def test_the_results_page_fits_the_page_budget_with_the_longest_synthesis_and_texts(client_request, ctx):
    questionnaire = make_questionnaire()
    for n in range(5):
        respond(questionnaire, choices={QuestionKind.SINGLE_CHOICE: [1]},
                texts={QuestionKind.SHORT_TEXT: words(40, n), QuestionKind.LONG_TEXT: words(800, n)},
                text_state=TextState.PUBLISHED)
    questionnaire.synthesis = words(3000)[:SYNTHESIS_MAX]
    questionnaire.synthesis_published_at = questionnaire.created_at
    db.session.commit()
    page = client_request.get("questionnaire_results.results_page", process_id=questionnaire.process_id)
    assert weight(page) <= PAGE_BUDGET, weight(page)
    assert page.links("#synthesis-title ~ p")[-1] == (
        "Lire toute la synthèse", f"/processus/{questionnaire.process_id}/questionnaire/synthese")
    page = client_request.get("questionnaire_results.synthesis_page", process_id=questionnaire.process_id)
    assert weight(page) <= PAGE_BUDGET, weight(page)
    assert questionnaire.synthesis[-30:] in page.text()  # whole on its own page


def test_last_updated_is_the_synthesis_own_date_and_only_officials_write_it(app, ctx):
    questionnaire = make_questionnaire()
    official = questionnaire.process.created_by
    results.save_synthesis(questionnaire, official, "Les habitants veulent des bancs.", True)
    db.session.commit()
    published = questionnaire.synthesis_published_at
    assert questionnaire.synthesis_updated_at == published
    # Another edit of the questionnaire days later does not date the synthesis.
    questionnaire.updated_at = published + timedelta(days=3)
    db.session.commit()
    with app.test_request_context():
        html = render_template("questionnaires/_synthesis.html", questionnaire=questionnaire, excerpt=None,
                               process=questionnaire.process)
    assert "mise à jour" not in html
    questionnaire.synthesis_updated_at = published + timedelta(days=3)
    with app.test_request_context():
        html = render_template("questionnaires/_synthesis.html", questionnaire=questionnaire, excerpt=None,
                               process=questionnaire.process)
    assert "mise à jour" in html
    with pytest.raises(DomainError):
        results.save_synthesis(questionnaire, make_user(), "Un autre texte.", True)
