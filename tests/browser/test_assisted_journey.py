"""A counter agent helps a resident, with JavaScript off and the keyboard only.

Registers a resident who has no e-mail, enters a proposal and a vote for them, prints
the receipts (A4 and 80 mm ticket, checked in print rendering), ends the session; then
anyone follows the proposal with the receipt's code. Every page on the way is checked
like the crawled ones and goes to the Nu HTML checker. Also counts the page loads of
the fastest flow: from the desk to a receipt for a resident already registered.
"""
import re
import secrets

import pytest

from .site import describe_violations
from .test_journey_without_js import LANG, SUBMIT, Journey, activate, labelled, press_enter, type_into

pytestmark = pytest.mark.browser

CODE_RE = re.compile(r'<p class="follow-up-code">([A-Z0-9]+)</p>')
MM = 72 / 25.4  # PDF points per millimetre


class AgentJourney(Journey):
    """The demo counter agent, JavaScript off; counts the page loads."""

    def __init__(self, site):
        super().__init__(site, "counter_agent")
        self.loads = 0

    def check(self, response):
        self.loads += 1
        return super().check(response)

    def tick(self, name, value=None):
        """Focus a radio button or checkbox through its label and tick it with the space bar."""
        selector = f"main [name='{name}']" + (f"[value='{value}']" if value else "")
        box = self.page.locator(selector).first
        label = self.page.locator(f"label[for='{box.get_attribute('id')}']")
        assert label.count() == 1, f"{self.page.url}: {name}={value} has no label"
        box.focus()
        self.page.keyboard.press("Space")
        assert box.is_checked(), f"{self.page.url}: the space bar does not tick {name}={value}"

    def choose_counter(self):
        page = self.page
        self.check(page.goto("/desk"))
        if page.locator("main form[action$='/desk/counter']").count():
            labelled(page, "counter").select_option(index=1)
            self.check(activate(page, page.locator("main form[action$='/desk/counter']").locator(SUBMIT).first))
        assert page.locator("main a[href$='/desk/residents/new']").count() == 1, "no counter chosen"

    def end_session(self):
        end = self.page.locator("form[action$='/desk/session/end']").locator(SUBMIT)
        if end.count():
            self.check(activate(self.page, end.first))

    def close(self):
        try:
            self.end_session()
        finally:
            super().close()


def _enter_proposal(journey, title):
    page = journey.page
    type_into(page, "title", title)
    labelled(page, "body").fill("Beaucoup de personnes attendent debout.")
    theme = labelled(page, "theme")
    theme.select_option(index=1)
    type_into(page, "place", "Arrêt des Tilleuls")
    record = journey.check(press_enter(page))  # implicit submission from a text field
    assert "/desk/receipts/" in page.url, f"after entering the proposal, at {page.url}: {record.problems}"
    return record


def _print_checks(site, receipt_url):
    """The receipt as printed: axe-core in print media, and the page size each layout asks for."""
    context = site.new_context("counter_agent", LANG)
    try:
        page = context.new_page()
        sizes = {}
        for layout in ("a4", "ticket"):
            page.goto(f"{receipt_url}?layout={layout}")
            page.emulate_media(media="print")
            violations = site.axe(page)
            assert not violations, f"print rendering of the {layout} receipt:\n{describe_violations(violations)}"
            assert not page.locator(".assist-banner").is_visible() and not page.locator(".no-print").is_visible()
            body, small = page.evaluate("""() => ['.receipt-what', '.receipt-small'].map(
                selector => parseFloat(getComputedStyle(document.querySelector(selector)).fontSize))""")
            assert small < body, f"the {layout} receipt's small print is {small} px, its text {body} px"
            pdf = page.pdf(prefer_css_page_size=True)
            width, height = map(float, re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf).groups())
            sizes[layout] = (round(width / MM), round(height / MM))
        assert sizes["a4"] == (210, 297), sizes
        assert sizes["ticket"][0] == 80, sizes
        return sizes
    finally:
        context.close()


def test_an_agent_registers_a_resident_and_enters_a_proposal_and_a_vote(site):
    token = secrets.token_hex(3)
    name = f"Odette Essai{token}"
    title = f"Un banc à l'arrêt de bus {token}"
    journey = AgentJourney(site)
    page, check = journey.page, journey.check
    try:
        journey.choose_counter()
        check(activate(page, page.locator("main a[href$='/desk/residents/new']").first))
        type_into(page, "full_name", name)
        type_into(page, "birth_date", "12/03/1948")
        journey.tick("identity_check", "document")
        journey.tick("consent")
        record = check(activate(page, page.locator("main form").last.locator(SUBMIT).first))
        assert page.url.endswith("/desk/session"), f"after registering, at {page.url}: {record.problems}"
        assert name in page.locator(".assist-banner").inner_text()

        # A proposal, from the session page: its receipt.
        record = _enter_proposal(journey, title)
        code = CODE_RE.search(record.html).group(1)
        receipt_path = page.url.removeprefix(site.origin).split("?")[0]
        sizes = _print_checks(site, site.origin + receipt_path)

        # A vote, from the session page: the first open decision this resident may vote in.
        check(activate(page, page.locator(".assist-banner a[href$='/desk/session']")))
        ballot_link = page.locator("main a[href$='/vote']").first
        assert ballot_link.count() == 1, "the session page offers no ballot"
        check(activate(page, ballot_link))
        for group in dict.fromkeys(page.locator("main form input[type=radio], main form input[type=checkbox]")
                                   .evaluate_all("inputs => inputs.map(i => i.name)")):
            journey.tick(group, page.locator(f"main form [name='{group}']").first.get_attribute("value"))
        check(activate(page, page.locator("main form[action$='/vote']").locator(SUBMIT).first))
        check(activate(page, page.locator("form[action$='/vote/confirm']").locator(SUBMIT).first))
        assert "/desk/receipts/" in page.url, f"after confirming the vote, at {page.url}"
        assert page.locator(".tracking-code").count() == 1, "the vote's receipt shows no tracking code"

        journey.end_session()
        assert page.locator(".assist-banner").count() == 0
    finally:
        journey.close()
    journey.assert_clean()
    print(f"receipt page sizes (mm): {sizes}")

    # Anyone follows the proposal with the code, without an account.
    follower = site.new_context("anonymous", LANG, java_script_enabled=False)
    try:
        public = follower.new_page()
        site.choose_language(public, LANG)
        response = public.goto(f"/follow-up?code={code}")
        record = site.record_response(public, response, "anonymous", LANG, "journey", scripts=False)
        assert not record.problems and not record.axe, (record.problems, record.axe)
        assert title in public.locator("main").inner_text() and name not in public.locator("main").inner_text()
    finally:
        follower.close()


def test_from_the_desk_to_a_receipt_in_three_page_loads(site):
    """A resident already registered (the demo's Josiane Perrin): search, open the session, enter."""
    journey = AgentJourney(site)
    page = journey.page
    try:
        journey.choose_counter()
        journey.loads = 0
        type_into(page, "name", "perrin josiane")
        type_into(page, "birth_date", "12/03/1948")
        journey.check(press_enter(page))                                      # 1: the search results
        form = page.locator("main form[action$='/desk/sessions']").first
        identity = form.locator("input[name=identity_check][value=personally_known]")
        identity.focus()
        page.keyboard.press("Space")
        form.locator("input[name=consent]").focus()
        page.keyboard.press("Space")
        journey.check(activate(page, form.locator(SUBMIT).first))            # 2: the session, with the form
        _enter_proposal(journey, f"Une boîte à livres {secrets.token_hex(3)}")  # 3: the receipt
        fields = 4  # title, text, theme, place (place is optional)
        print(f"desk -> receipt for a registered resident: {journey.loads} page loads, "
              f"{2 + 2 + fields} fields filled (search: name, birth date; session: identity, consent; proposal: title, text, theme, place)")
        assert journey.loads == 3
    finally:
        journey.close()
    journey.assert_clean()


def test_on_a_phone_the_session_leaves_room_for_the_work(site):
    """At 360 x 740: the consent box is a 44 px target ticked through its label, and once the session is open
    the banner and the header leave most of the screen to the page (they took 318 px); the header offers no
    account of the agent's own while the banner names the resident."""
    journey = AgentJourney(site)
    page = journey.page
    try:
        page.set_viewport_size({"width": 360, "height": 740})
        journey.choose_counter()
        type_into(page, "name", "perrin josiane")
        type_into(page, "birth_date", "12/03/1948")
        journey.check(press_enter(page))
        form = page.locator("main form[action$='/desk/sessions']").first
        consent = form.locator("input[name=consent]")
        box = consent.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, f"the consent box is {box['width']} x {box['height']} px"
        form.locator(".consent-box label").click()
        assert consent.is_checked(), "the consent label does not tick the box"
        identity = form.locator("input[name=identity_check][value=personally_known]")
        identity.focus()
        page.keyboard.press("Space")
        journey.check(activate(page, form.locator(SUBMIT).first))
        assert page.locator(".assist-banner").count() == 1
        header = page.locator(".site-header").bounding_box()
        bottom = header["y"] + header["height"]
        print(f"banner and header at 360 px: {bottom} px")
        assert bottom <= 200, f"the banner and the header take {bottom} of 740 px"
        assert page.locator("header a[href$='/account']").count() == 0
    finally:
        journey.close()
    journey.assert_clean()
