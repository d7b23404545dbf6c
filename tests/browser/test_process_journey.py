"""A participatory budget from its creation to its follow-up, with JavaScript off: an official creates the process
and publishes it, a new resident proposes two ideas in it, the days pass to its study, a moderator studies the
ideas feasible, the official builds the vote and announces it, the resident votes; the vote closes, the official
counts and publishes it, the resident follows the winning project's follow-up record, the official adds a milestone
to it, and the resident reads the milestone on the record's page and in the e-mail the server wrote to its log.
Every page on the way is checked like the crawled ones."""
import re
import secrets
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from .test_journey_without_js import SUBMIT, Journey, activate, labelled, press_enter, type_into

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")
# How SQLAlchemy writes a time in SQLite: the server compares these texts with its clock's.
STORED = "%Y-%m-%d %H:%M:%S.%f"
IDEAS = ("Un jardin partagé", "Des bancs à l'ombre")


def _day(offset):
    return (datetime.now(PARIS).date() + timedelta(days=offset)).strftime("%d/%m/%Y")


def _iso_day(offset):
    """A day as SQLite keeps a date column."""
    return (datetime.now(PARIS).date() + timedelta(days=offset)).isoformat()


def _phases(page, *rows):
    """Fill the phase rows: (kind, first day offset, last day offset)."""
    for n, (kind, first, last) in enumerate(rows):
        labelled(page, f"phases-{n}-kind").select_option(kind)
        labelled(page, f"phases-{n}-starts_on").fill(_day(first))
        labelled(page, f"phases-{n}-ends_on").fill(_day(last))


def _stored(moment):
    return moment.astimezone(timezone.utc).replace(tzinfo=None).strftime(STORED)


def _until_done(check, page, timeout=30):
    """Follow the "Refresh this page" link of a count or publication page until the job has finished."""
    deadline = time.monotonic() + timeout
    while page.locator("main a", has_text="Actualiser cette page").count():
        assert time.monotonic() < deadline, f"the job did not finish within {timeout} s ({page.url})"
        time.sleep(0.3)
        check(activate(page, page.locator("main a", has_text="Actualiser cette page").first))


def _mail_to(server, email, text, timeout=10):
    """The mail the server wrote to its log (MAIL_SERVER unset) for `email` that says `text`, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = server.log()
        for mail in log.split("Mail (not sent: MAIL_SERVER unset)")[1:]:
            if f"To: {email}" in mail and text in mail:
                return mail
        time.sleep(0.2)
    return None


def test_an_official_runs_a_participatory_budget_from_its_ideas_to_the_follow_up_without_javascript(site):
    token = secrets.token_hex(4)
    title = f"Budget participatif des essais {token}"
    official, resident, moderator = Journey(site, "elected"), Journey(site), Journey(site, "moderator")
    try:
        # The official creates the process, its ideas phase under way.
        page, check = official.page, official.check
        check(page.goto("/processus"))
        check(activate(page, page.locator("main a[href$='/processus/new']").first))
        type_into(page, "title", title)
        type_into(page, "summary", "Vos idées pour le quartier des essais.")
        type_into(page, "budget", "50 000")
        _phases(page, ("ideas", -1, 1), ("study", 2, 3), ("vote", 4, 10))
        labelled(page, "title").focus()
        record = check(press_enter(page))
        assert re.search(r"/processus/\d+$", page.url), f"the process is not saved: {page.url}"
        process_path = re.search(r"/processus/\d+", page.url).group(0)
        assert "Étape 1 sur 3" in page.locator("#steps-title").inner_text(), record.url
        # A draft until the official publishes it, after a confirmation.
        check(activate(page, page.locator(f"main a[href$='{process_path}/publish']").first))
        check(activate(page, page.locator("main form").locator(SUBMIT).first))
        assert page.locator("#draft").count() == 0, f"the process is not published: {page.url}"

        # A new resident proposes two ideas in it, with a cost estimate.
        page, check = resident.page, resident.check
        resident.register(token)
        for idea in IDEAS:
            check(page.goto(process_path))
            check(activate(page, page.locator(f"main a[href$='{process_path}/propose']").first))
            type_into(page, "title", f"{idea} {token}")
            type_into(page, "body", "Pour se retrouver entre voisins.")
            labelled(page, "theme").select_option(index=1)
            type_into(page, "cost_estimate", "10 000")
            labelled(page, "title").focus()
            check(press_enter(page))
            assert re.search(r"/proposals/\d+", page.url), f"the idea is not saved: {page.url}"
            assert page.locator("#process").count() == 1, "the proposal's page does not say its process"

        # Days pass and the process is in its study: an official may no longer move a phase that has started, so
        # the days move in the server's database, as the vote's opening does below.
        process_id = int(process_path.rsplit("/", 1)[1])
        with sqlite3.connect(site.server.workdir / "civic.sqlite3") as database:
            for position, (first, last) in enumerate(((-3, -2), (-1, 1), (2, 8))):
                database.execute("UPDATE process_phase SET starts_on = ?, ends_on = ? WHERE process_id = ? AND "
                                 "position = ?", (_iso_day(first), _iso_day(last), process_id, position))
        page, check = official.page, official.check
        check(page.goto(process_path))
        assert "Étape 2 sur 3" in page.locator("#steps-title").inner_text()

        # A moderator studies both ideas: feasible, with a cost and a public reason.
        page, check = moderator.page, moderator.check
        for _ in range(2):
            check(page.goto(f"{process_path}/study"))
            check(activate(page, page.locator(f"main table a[href*='{process_path}/study/']").first))
            page.locator("label[for='feasibility-0']").click()
            type_into(page, "estimated_cost", "12 000")
            type_into(page, "reason", "Réalisable sur un terrain de la ville.")
            type_into(page, "department", "Espaces verts")
            check(press_enter(page))
            assert page.url.endswith(f"{process_path}/study"), f"the study is not saved: {page.url}"

        # The official builds the vote, opens it in a minute and announces it.
        page, check = official.page, official.check
        check(page.goto(process_path))
        check(activate(page, page.locator(f"main a[href$='{process_path}/build-vote']").first))
        check(activate(page, page.locator("main form").locator(SUBMIT).first))
        decision_path = re.search(r"/decisions/\d+", page.url).group(0)
        assert page.locator(f"main a[href$='{process_path}']").count() == 1, "the vote does not link to its process"
        # Ten minutes ahead: the form takes only an opening to come, however long a loaded machine takes to send it
        # (the next minute was already past when the form arrived late, and the vote never opened).
        opening = datetime.now(PARIS).replace(second=0, microsecond=0) + timedelta(minutes=10)
        check(page.goto(f"{decision_path}/edit"))
        page.locator("main [name='opens_at']").fill(opening.strftime("%Y-%m-%dT%H:%M"))
        check(activate(page, page.locator("main form button[type=submit]").first))
        check(page.goto(f"{decision_path}/announce"))
        check(activate(page, page.locator("main form").locator(SUBMIT).first))

        # The minutes pass (the server's clock is not ours to move: its database's opening time is, to the moment of
        # the announcement, already past), then the resident votes.
        decision_id = int(decision_path.rsplit("/", 1)[1])
        with sqlite3.connect(site.server.workdir / "civic.sqlite3") as database:
            moved = database.execute("UPDATE decision SET opens_at = announced_at WHERE id = ? AND announced_at IS NOT "
                                     "NULL", (decision_id,)).rowcount
        assert moved == 1, "the vote was not announced"
        page, check = resident.page, resident.check
        check(page.goto(decision_path))
        check(activate(page, page.locator(f"main a[href$='{decision_path}/vote']").first))
        first = page.locator("main form input[type=checkbox]").first
        label = page.locator(f"label[for='{first.get_attribute('id')}']")
        chosen = next(f"{idea} {token}" for idea in IDEAS if f"{idea} {token}" in " ".join(label.inner_text().split()))
        label.click()
        check(activate(page, page.locator(f"main form[action$='{decision_path}/vote']").locator(SUBMIT).first))
        check(activate(page, page.locator(f"form[action$='{decision_path}/vote/confirm']").locator(SUBMIT).first))
        assert page.url.endswith(f"{decision_path}/voted"), f"after confirming, at {page.url}"

        # The vote closes (again the database's times move, not the clock); the official has it counted, checks
        # the count and publishes it.
        now = datetime.now(timezone.utc)
        with sqlite3.connect(site.server.workdir / "civic.sqlite3") as database:
            database.execute("UPDATE decision SET opens_at = ?, closes_at = ? WHERE id = ?",
                             (_stored(now - timedelta(minutes=3)), _stored(now - timedelta(seconds=1)), decision_id))
        page, check = official.page, official.check
        check(page.goto(f"{decision_path}/results"))
        _until_done(check, page)
        check(activate(page, page.locator(f"main a[href$='{decision_path}/publish']").first))
        check(activate(page, page.locator(f"main form[action$='{decision_path}/publish']").locator(SUBMIT).first))
        _until_done(check, page)
        assert page.url.endswith(f"{decision_path}/results"), f"after publishing, at {page.url}"

        # The resident finds the follow-up record of the project voted for on the results, and follows it.
        page, check = resident.page, resident.check
        check(page.goto(f"{decision_path}/results"))
        records = page.locator("main a[href*='/realisations/']", has_text=chosen)
        assert records.count() == 1, f"the results link to no follow-up of {chosen!r}"
        check(activate(page, records.first))
        record_path = re.search(r"/realisations/\d+", page.url).group(0)
        check(activate(page, page.locator(f"form[action*='/follow/implementation/']").locator(SUBMIT).first))
        assert page.locator("form[action*='/unfollow/implementation/']").count() == 1, (
            f"after following, no way to stop following ({page.url})")

        # The official adds a milestone to the record.
        milestone = f"Premier coup de pioche au quartier des essais {token}"
        page, check = official.page, official.check
        check(page.goto(record_path))
        check(activate(page, page.locator(f"main a[href$='{record_path}/edit']").first))
        type_into(page, "milestone-day", _day(0))
        type_into(page, "milestone-text", milestone)
        check(press_enter(page))
        assert page.url.split("#")[0].endswith(record_path), f"the milestone is not saved: {page.url}"

        # The resident reads it on the record's page, and in the e-mail followers get.
        page, check = resident.page, resident.check
        check(page.goto(record_path))
        assert milestone in page.locator("main ol.milestones").inner_text(), "the record's page lacks the milestone"
        mail = _mail_to(site.server, resident.email, milestone)
        assert mail, f"no mail to {resident.email} tells the milestone"
        assert record_path in mail, "the mail does not link to the record's page"
    finally:
        for journey in (official, resident, moderator):
            journey.close()
    for journey in (official, resident, moderator):
        journey.assert_clean()
