"""New residents, with JavaScript off: from registration to a comment, and to a cast vote.

Fields are found through their labels (so a missing or broken label fails the test) and
the forms are sent from the keyboard. Every page on the way is checked like the crawled
ones (status, page rules, axe-core) and its HTML goes to the Nu HTML checker.
"""
import re
import secrets
import time

import pytest

from .crawling import error_state_problems
from .site import describe_violations

pytestmark = pytest.mark.browser

LANG = "fr"
PASSWORD = "un mot de passe assez long pour le test"
SUBMIT = "button, input[type=submit]"


def labelled(page, name):
    """The field `name`, found by the text of its <label>: fails when the label is missing."""
    field = page.locator(f"main [name='{name}']")
    assert field.count() == 1, f"{page.url}: expected one field named {name!r}, found {field.count()}"
    field_id = field.get_attribute("id")
    assert field_id, f"{page.url}: the field {name!r} has no id, so no <label for> can name it"
    label = page.locator(f"label[for='{field_id}']")
    assert label.count() == 1, f"{page.url}: the field {name!r} has {label.count()} <label for={field_id}>"
    text = " ".join(label.inner_text().split())
    assert text, f"{page.url}: the label of {name!r} is empty"
    by_label = page.get_by_label(text, exact=True)
    assert name in [by_label.nth(i).get_attribute("name") for i in range(by_label.count())], (
        f"{page.url}: get_by_label({text!r}) does not find the field {name!r}")
    return field


def type_into(page, name, text):
    labelled(page, name).focus()
    page.keyboard.type(text)


def press_enter(page):
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    return navigation.value


def activate(page, locator):
    """Focus a link or button and press Enter, waiting for the page it loads."""
    locator.focus()
    return press_enter(page)


def confirmation_path(server, email, timeout=10):
    """The /confirm/<token> path from the mail the server wrote to its log (MAIL_SERVER unset)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = server.log()
        start = log.rfind(email)
        if start >= 0:
            match = re.search(r"(/confirm/[A-Za-z0-9_.~%-]+)", log[start:])
            if match:
                return match.group(1)
        time.sleep(0.2)
    return None


def logged_in(page):
    return page.locator("form[action$='/logout']").count() == 1


class Journey:
    """A browser page with JavaScript off, whose every page is checked and kept."""

    def __init__(self, site, role="anonymous"):
        self.site = site
        self.external = []
        self.records = []
        self.email = None  # once registered
        self.context = site.new_context(role, LANG, external=self.external, java_script_enabled=False)
        self.page = self.context.new_page()
        site.choose_language(self.page, LANG)

    def check(self, response):
        record = self.site.record_response(self.page, response, "new-resident", LANG, "journey", scripts=False)
        self.records.append(record)
        return record

    def register(self, token):
        """Register from the header link, confirm the e-mail address, end up logged in."""
        page, email = self.page, f"journey-{token}@example.org"
        self.email = email
        self.check(page.goto("/"))
        self.check(activate(page, page.locator("header a[href$='/register']").first))
        type_into(page, "display_name", f"Camille Essai {token}")
        type_into(page, "email", email)
        type_into(page, "password", PASSWORD)
        type_into(page, "password_confirm", PASSWORD)
        record = self.check(press_enter(page))
        assert record.status < 400 and "error-summary" not in record.html, f"registration refused: {page.url}"
        # The confirmation link is in the mail the server wrote to its log; or log in directly.
        if not logged_in(page):
            path = confirmation_path(self.site.server, email)
            if path:
                self.check(page.goto(path))
                self.check(activate(page, page.locator("main form").locator(SUBMIT).first))
        if not logged_in(page):
            self.check(page.goto("/login"))
            type_into(page, "email", email)
            type_into(page, "password", PASSWORD)
            self.check(press_enter(page))
        assert logged_in(page), f"the new resident is not logged in (at {page.url})"

    def close(self):
        self.context.close()
        print(f"{len(self.records)} pages on the way: "
              + " -> ".join(r.url.removeprefix(self.site.origin) for r in self.records))

    def assert_clean(self):
        assert not self.external, f"requests to other origins: {self.external}"
        problems = [f"{r.where}: {p}" for r in self.records for p in r.problems]
        problems += [f"{r.where}\n{describe_violations(r.axe)}" for r in self.records if r.axe]
        assert not problems, "\n".join(problems)


def test_a_new_resident_registers_proposes_supports_and_comments_without_javascript(site):
    token = secrets.token_hex(4)
    title = f"Un jardin partagé au square des Essais {token}"
    comment = f"Je peux prêter des outils de jardinage ({token})."
    journey = Journey(site)
    page, check = journey.page, journey.check
    try:
        journey.register(token)

        # Submit a proposal.
        check(activate(page, page.locator("a[href$='/proposals/new']").first))
        type_into(page, "title", title)
        labelled(page, "body").fill("Des bacs de culture, un composteur et un point d'eau.\n\nOuvert à tous le samedi.")
        theme = labelled(page, "theme")
        values = [v for v in theme.locator("option").evaluate_all("options => options.map(o => o.value)") if v]
        assert values, "the theme list offers no theme"
        theme.select_option(values[0])
        type_into(page, "place", "Square des Essais")
        record = check(press_enter(page))  # implicit submission from a text field
        assert re.search(r"/proposals/\d+", page.url), f"after submitting, at {page.url}: {record.problems}"
        assert title in page.locator("h1").inner_text()
        proposal_path = re.search(r"/proposals/\d+", page.url).group(0)

        # Find it in the list, with the search form.
        check(activate(page, page.locator("header a[href$='/proposals/']").first))
        type_into(page, "q", token)
        check(press_enter(page))
        link = page.locator(f"main a[href$='{proposal_path}']").first
        assert link.count() == 1, f"the search for {token!r} does not list the new proposal ({page.url})"
        check(activate(page, link))
        assert page.url.split("#")[0].endswith(proposal_path)

        # Support it; the page then shows the support and how to withdraw it.
        support = page.locator(f"form[action$='{proposal_path}/support']").locator(SUBMIT)
        assert support.count() == 1, "no support button"
        check(activate(page, support.first))
        withdraw = page.locator(f"form[action$='{proposal_path}/support/withdraw']")
        assert withdraw.count() == 1, "after supporting, no way to withdraw the support"
        assert "1" in page.locator("#support").inner_text(), "the support count does not show 1"

        # Comment on it.
        type_into(page, "body", comment)
        check(activate(page, page.locator(f"form[action$='{proposal_path}/comments']").locator(SUBMIT).first))
        assert comment in page.locator("main").inner_text(), "the new comment is not shown"

        # Withdraw the support again.
        check(activate(page, withdraw.locator(SUBMIT).first))
        assert page.locator(f"form[action$='{proposal_path}/support']").count() == 1
    finally:
        journey.close()
    journey.assert_clean()


def test_a_new_resident_votes_in_every_open_decision_without_javascript(site):
    """Each open decision's ballot: sent empty (an error, or a blank vote), filled in, checked, confirmed."""
    journey = Journey(site)
    page, check = journey.page, journey.check
    cast = []
    try:
        journey.register(secrets.token_hex(4))
        check(activate(page, page.locator("header a[href$='/decisions/']").first))
        decisions = sorted({href for href in page.locator("main a[href]").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))") if re.fullmatch(r"/decisions/\d+", href or "")})
        assert decisions, "the list of decisions links to no decision"
        for path in decisions:
            check(page.goto(path))
            vote_link = page.locator(f"main a[href$='{path}/vote']")
            if vote_link.count() == 0:
                continue  # not open, or not for this resident
            check(activate(page, vote_link.first))
            ballot_url = page.url
            check_button = page.locator(f"main form[action$='{path}/vote']").locator(SUBMIT).first

            # Sent empty: an error on the ballot, unless ticking nothing is a blank vote.
            record = check(activate(page, check_button))
            if page.locator(f"form[action$='{path}/vote/confirm']").count() == 0:
                record.problems += error_state_problems(record.html, LANG, record.status)
            check(page.goto(ballot_url))

            # Fill it in through the labels: the first choice of every group.
            for name in dict.fromkeys(page.locator("main form input[type=radio], main form input[type=checkbox]")
                                      .evaluate_all("inputs => inputs.map(i => i.name)")):
                first = page.locator(f"main form [name='{name}']").first
                label = page.locator(f"label[for='{first.get_attribute('id')}']")
                assert label.count() == 1, f"{page.url}: the choice {name!r} has no label"
                label.click()
                assert first.is_checked(), f"{page.url}: clicking the label of {name!r} does not tick it"
            check(activate(page, page.locator(f"main form[action$='{path}/vote']").locator(SUBMIT).first))
            confirm = page.locator(f"form[action$='{path}/vote/confirm']").locator(SUBMIT)
            assert confirm.count() == 1, f"{path}: after checking the ballot, no confirm button ({page.url})"
            check(activate(page, confirm.first))
            assert page.url.endswith(f"{path}/voted"), f"{path}: after confirming, at {page.url}"
            cast.append(path)
    finally:
        journey.close()
    print(f"votes cast in {cast}")
    assert cast, "the new resident could vote in no decision"
    journey.assert_clean()
