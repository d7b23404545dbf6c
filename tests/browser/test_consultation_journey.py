"""A consultation with JavaScript off: an official creates a process with a questionnaire phase, writes its
questionnaire and two questions, moves one up, publishes the process; a new resident answers, first forgetting a
required question, and reads what they answered. Every page on the way is checked like the crawled ones."""
import re
import secrets

import pytest

from .test_journey_without_js import SUBMIT, Journey, activate, labelled, press_enter, type_into
from .test_process_journey import _phases

pytestmark = pytest.mark.browser


def test_an_official_asks_questions_and_a_resident_answers_without_javascript(site):
    token = secrets.token_hex(4)
    official, resident = Journey(site, "elected"), Journey(site)
    try:
        # The official creates the consultation, its questionnaire phase under way.
        page, check = official.page, official.check
        check(page.goto("/processus/new"))
        type_into(page, "title", f"Consultation des essais {token}")
        type_into(page, "summary", "Votre avis sur le marché.")
        _phases(page, ("questionnaire", -1, 1), ("results", 2, 3))
        labelled(page, "title").focus()
        check(press_enter(page))
        process_path = re.search(r"/processus/\d+", page.url).group(0)

        # The questionnaire, then two questions, one form each; the second moved up with its button.
        check(activate(page, page.locator("#questionnaire a[href$='/questionnaire/new']")))
        type_into(page, "introduction", "Dites-nous ce que vous en pensez.")
        page.locator("label[for='free_text_use-0']").click()
        check(activate(page, page.locator("main form button[type=submit]")))
        assert page.url.endswith("/setup"), f"the questionnaire is not created: {page.url}"
        setup = page.url
        for text, kind, choices in (("Quel jour préférez-vous ?", "kind-0", "Mercredi\nSamedi"),
                                    ("Que faudrait-il changer ?", "kind-3", "")):
            check(activate(page, page.locator("main a[href$='/questions/new']")))
            type_into(page, "text", text)
            page.locator(f"label[for='{kind}']").click()
            if choices:
                labelled(page, "choices").fill(choices)
                page.locator("label[for='required']").click()
            check(activate(page, page.locator("main form button[type=submit]")))
            assert page.url == setup, f"the question is not saved: {page.url}"
        check(activate(page, page.locator("main ol.questions > li").nth(1).locator("button", has_text="Monter")))
        assert page.locator("main ol.questions > li strong").first.inner_text() == "Que faudrait-il changer ?"
        # Then publishes the process, after a confirmation: until then only the staff see it.
        check(page.goto(process_path))
        check(activate(page, page.locator(f"main a[href$='{process_path}/publish']").first))
        check(activate(page, page.locator("main form").locator(SUBMIT).first))
        assert page.locator("#draft").count() == 0, f"the process is not published: {page.url}"

        # A new resident answers: the required question forgotten first, then answered.
        page, check = resident.page, resident.check
        resident.register(token)
        check(page.goto(process_path))
        check(activate(page, page.locator("#questionnaire a[href$='/answer']")))
        page.locator("main textarea").fill("Plus de bancs.")
        record = check(activate(page, page.locator("main form button[type=submit]")))
        assert "error-summary" in record.html, "a required question left empty is not refused"
        assert page.locator("main textarea").input_value() == "Plus de bancs."
        page.locator("main fieldset input[type=radio] + label").first.click()
        check(activate(page, page.locator("main form button[type=submit]")))
        assert page.url.endswith("/my-answers"), f"the answers are not recorded: {page.url}"
        assert page.locator("main dd").all_inner_texts() == ["Plus de bancs.", "Mercredi"]
    finally:
        for journey in (official, resident):
            journey.close()
    for journey in (official, resident):
        journey.assert_clean()
