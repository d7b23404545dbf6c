"""Moderation with JavaScript off and the keyboard: a resident reports a comment, a moderator hides it
from the queue with a public reason, and the public journal shows the decision without names."""
import secrets

import pytest

from .test_journey_without_js import SUBMIT, Journey, activate, labelled

pytestmark = pytest.mark.browser


def _tick(page, name, value):
    box = page.locator(f"main [name='{name}'][value='{value}']").first
    assert page.locator(f"label[for='{box.get_attribute('id')}']").count() == 1, f"{name}={value} has no label"
    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()


def test_a_reported_comment_is_hidden_by_a_moderator_and_shown_in_the_journal(site):
    token = secrets.token_hex(3)
    reason = f"Propos hors sujet ({token})"
    resident = Journey(site, "resident")
    page, check = resident.page, resident.check
    try:
        # The resident finds a comment by someone else on a proposal, and reports it.
        check(page.goto("/proposals/"))
        report_path = None
        for href in page.locator("main a[href^='/proposals/']").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))")[:12]:
            if not href.rstrip("/").split("/")[-1].isdigit():
                continue
            check(page.goto(href))
            links = page.locator("main a[href^='/report/comment/']")
            if links.count():
                report_path = links.first.get_attribute("href")
                check(activate(page, links.first))
                break
        assert report_path, "no comment the demo resident could report"
        _tick(page, "reason", "off_topic")
        labelled(page, "text")
        record = check(activate(page, page.locator("main form").locator(SUBMIT).first))
        assert "/report/" not in page.url, f"the report was not accepted: {record.problems}"
    finally:
        resident.close()
    resident.assert_clean()

    comment_id = report_path.rsplit("/", 1)[1]
    moderator = Journey(site, "moderator")
    page, check = moderator.page, moderator.check
    try:
        check(page.goto("/"))
        check(activate(page, page.locator("header a[href$='/moderation/']").first))
        section = page.locator(f"main section[aria-labelledby='item-comment-{comment_id}']")
        # Reported last, it waits on the queue's last page: the moderator turns the pages to it.
        while section.count() == 0 and page.locator("main a[rel='next']").count():
            check(activate(page, page.locator("main a[rel='next']").first))
        assert section.count() == 1, "the reported comment is not in the queue"
        queue_page = page.url
        prefix = f"comment-{comment_id}-"
        box = section.locator("[name='decision'][value='hide']")
        assert page.locator(f"label[for='{box.get_attribute('id')}']").count() == 1
        box.focus()
        page.keyboard.press("Space")
        assert box.is_checked()
        page.locator(f"#{prefix}reason").focus()
        page.keyboard.type(reason)
        record = check(activate(page, section.locator(SUBMIT).first))
        assert page.url == queue_page, f"after deciding, at {page.url}: {record.problems}"
        check(activate(page, page.locator("main a[href$='/moderation/journal']").first))
        assert reason in page.locator("main").inner_text()
    finally:
        moderator.close()
    moderator.assert_clean()
