"""The moderation queue, a target's reports and the journal cost the same whatever their size, a page at a
time; a moderator works the whole queue page by page while items are decided meanwhile."""
from datetime import timedelta

from civic.accounts.models import Role
from civic.db_types import utcnow
from civic.extensions import db
from civic.moderation.models import ModerationAction, ModerationKind, Report, ReportedItem, ReportReason
from civic.moderation import services
from civic.moderation.services import JOURNAL_PAGE, QUEUE_PAGE, REPORTS_SHOWN
from civic.proposals.models import BODY_MAX, REASON_MAX, TITLE_MAX, ProposalState
from civic.targets import TargetType
from tests import growth
from tests.browser.crawling import PAGE_BUDGET
from tests.client import Page
from tests.factories import login, make_comment, make_proposal, make_theme, make_user
from tests.moderation.test_moderation import _decide, _residents_report

REASONS = list(ReportReason)


def _long_text(seed):
    return growth.words(400, seed)


def _report_all(targets, reporters, since, target_type=TargetType.COMMENT):
    """Each of ``reporters`` reports each target (with the longest text), a minute apart from ``since``."""
    db.session.add_all([
        Report(reporter_id=reporter.id, target_type=target_type, target_id=target.id,
               reason=REASONS[(i + j) % len(REASONS)], text=_long_text(target.id * 100 + j)[:1000],
               created_at=since + timedelta(minutes=i))
        for i, target in enumerate(targets) for j, reporter in enumerate(reporters)])
    db.session.commit()


def _queue_items(page):
    """The (type, number) of the items of a queue page, in order."""
    return [tuple(section["aria-labelledby"].split("-")[1:]) for section in page.select("main section.resident-card")]


def test_the_queue_costs_the_same_with_ten_times_the_items_and_shows_one_page_of_excerpts(app, client_request,
                                                                                          login_as):
    login_as(Role.MODERATOR)
    theme, authors, reporters = make_theme(), growth.users(3, name=growth.words(20)), growth.users(3)
    proposal = make_proposal(title=growth.words(30)[:TITLE_MAX])

    def grow(n):
        since = utcnow() - timedelta(days=3)
        growth.proposals(n, theme, authors, state=ProposalState.PENDING, since=since, body=_long_text,
                         title=growth.words(30, seed=n))
        _report_all(growth.comments(n, proposal, authors, body=lambda i: _long_text(1000 + i)), reporters, since)

    page = growth.assert_flat(app, lambda: client_request.get("moderation.queue"), grow, n=2)
    assert len(_queue_items(page)) == QUEUE_PAGE
    assert page.text("main > p:nth-of-type(2)") == "40 éléments attendent."
    card = page.select_one("main section.resident-card")
    assert len(card.get_text()) < 2000  # an excerpt of the text, not all of it
    assert growth.weight(page) <= PAGE_BUDGET, growth.weight(page)


def test_a_moderator_works_the_whole_queue_page_by_page_while_items_are_decided(app, client, client_request, ctx):
    """Pending proposals and reported comments, interleaved in time: the moderator decides the first item of each
    page (and comes back to the same page), another decides items further on meanwhile; nothing is skipped nor
    shown twice."""
    theme, authors, reporters = make_theme(), growth.users(3), growth.users(2)
    start = utcnow() - timedelta(days=2)
    pending = growth.proposals(13, theme, authors, state=ProposalState.PENDING, since=start + timedelta(seconds=30))
    reported = growth.comments(13, make_proposal(), authors)
    _report_all(reported, reporters, start)  # a minute apart: the proposals fall between them
    everything = {("proposal", str(p.id)) for p in pending} | {("comment", str(c.id)) for c in reported}
    other = app.test_client()
    login(other, make_user(role=Role.MODERATOR))
    login(client, make_user(role=Role.MODERATOR))

    def decide(browser, item, back):
        target_type, number = item
        hide = {"decision": "hide", "reason": "Hors sujet"}
        decision = {"decision": "publish"} if target_type == "proposal" else hide
        return browser.post_form(f"/moderation/{target_type}/{number}", {**decision, "next": back})

    seen, decided_ahead = set(), set()
    url = client_request.url("moderation.queue")
    page = Page(client.get(url))
    while True:
        items = _queue_items(page)
        assert items and not set(items) & seen, "an item shown again on a later page"
        seen |= set(items)
        response = decide(client, items[0], url)
        assert response.status_code == 302 and response.location == url  # back to the same page
        # Meanwhile another moderator decides an item of this page, and one the moderator has not reached.
        assert decide(other, items[2], "/").status_code == 302
        ahead = sorted(everything - seen - decided_ahead)[:1]
        for item in ahead:
            assert decide(other, item, "/").status_code == 302
        decided_ahead |= set(ahead)
        again = Page(client.get(url))
        assert _queue_items(again)[:2] == [items[1], items[3]]  # the same page, less what was decided
        seen |= set(_queue_items(again))
        next_link = again.select_one('a[rel="next"]')
        if next_link is None:
            break
        url = next_link["href"]
        page = Page(client.get(url))
    assert seen == everything - decided_ahead and len(decided_ahead) >= 2


def test_the_decision_page_counts_the_reports_and_shows_the_latest(app, client_request, login_as):
    login_as(Role.MODERATOR)
    [comment] = growth.comments(1, make_proposal(), growth.users(1))
    since = utcnow() - timedelta(days=1)

    def grow(n):
        _report_all([comment], growth.users(n), since)

    page = growth.assert_flat(app, lambda: client_request.get("moderation.decide", target_type="comment",
                                                              target_id=comment.id), grow, n=3)
    assert page.text("main h2") == "30 signalements"
    assert len(page.select("main h2 + p + p + ul li")) == REPORTS_SHOWN
    assert sum(int(part.rsplit("(", 1)[1].rstrip(")")) for part in page.text(".report-reasons").split(" · ")) == 30


def test_the_journal_pages_newest_first_at_a_constant_cost(app, client_request, ctx):
    moderator = make_user(role=Role.MODERATOR)
    proposal = make_proposal()
    made = []

    def grow(n):
        base = utcnow() - timedelta(days=1)
        actions = [ModerationAction(moderator_id=moderator.id, target_type=TargetType.PROPOSAL, target_id=proposal.id,
                                    kind=ModerationKind.HIDE, public_reason=f"Raison {len(made) + i}",
                                    created_at=base + timedelta(seconds=len(made) + i)) for i in range(n)]
        db.session.add_all(actions)
        db.session.commit()
        made.extend(actions)

    growth.assert_flat(app, lambda: client_request.get("moderation.journal"), grow, n=JOURNAL_PAGE // 4)
    pages = growth.follow_pages(client_request, "moderation.journal")
    shown = [row.select("td")[3].get_text() for page in pages for row in page.select("tbody tr")]
    assert len(pages) == 3 and len(pages[0].select("tbody tr")) == JOURNAL_PAGE
    assert shown == [f"Raison {i}" for i in reversed(range(len(made)))]
    back = growth.previous_page(client_request, "moderation.journal", pages[-1])
    assert back.select("tbody tr td:nth-of-type(4)")[0].get_text() == shown[JOURNAL_PAGE]


def test_the_journal_fits_the_page_budget_with_the_longest_reasons_and_each_decision_has_its_page(
        app, client, client_request, ctx):
    moderator, proposal = make_user(role=Role.MODERATOR), make_proposal()
    reasons = [growth.words(200, seed)[:REASON_MAX] for seed in range(JOURNAL_PAGE)]
    db.session.add_all([ModerationAction(moderator_id=moderator.id, target_type=TargetType.PROPOSAL,
                                         target_id=proposal.id, kind=ModerationKind.HIDE, public_reason=reason)
                        for reason in reasons])
    db.session.commit()
    page = client_request.get("moderation.journal")
    assert growth.weight(page) <= PAGE_BUDGET, growth.weight(page)
    first = page.select_one("tbody tr")
    assert len(first.select("td")[3].get_text()) < 200
    entry = Page(client.get(first.select_one("td a")["href"]))
    assert entry.text("main dd:nth-of-type(3)") == reasons[-1]
    assert client.get("/moderation/journal/987654").status_code == 404


def test_the_decision_page_fits_the_page_budget_with_the_longest_content_and_reports(app, client_request, login_as):
    login_as(Role.MODERATOR)
    proposal = make_proposal(title=growth.words(30)[:TITLE_MAX])
    proposal.body = growth.words(2000)[:BODY_MAX]
    db.session.commit()
    _report_all([proposal], growth.users(REPORTS_SHOWN + 10), utcnow() - timedelta(days=1),
                target_type=TargetType.PROPOSAL)
    page = client_request.get("moderation.decide", target_type="proposal", target_id=proposal.id)
    assert growth.weight(page) <= PAGE_BUDGET, growth.weight(page)
    assert proposal.body[-50:] in page.text("main")  # the content whole


def test_a_long_queue_says_more_than_the_count_cap(app, client_request, login_as, monkeypatch):
    monkeypatch.setattr(services, "COUNT_CAP", 3)
    login_as(Role.MODERATOR)
    growth.proposals(4, make_theme(), growth.users(1), state=ProposalState.PENDING, since=utcnow() - timedelta(days=1))
    assert client_request.get("moderation.queue").text("main > p:nth-of-type(2)") == "Plus de 3 éléments attendent."
    monkeypatch.setattr(services, "COUNT_CAP", 4)
    assert client_request.get("moderation.queue").text("main > p:nth-of-type(2)") == "4 éléments attendent."


def test_the_reported_items_the_queue_reads_are_kept_equal_to_the_open_reports(client, ctx):
    """Every path that opens, settles or removes a report keeps its item (count and oldest open report) in the
    same transaction; `miscounted_items` compares them with the reports and `repair_items` makes them again."""
    def items():
        assert services.miscounted_items() == []
        return {(item.target_type.value, item.target_id): item.open_reports
                for item in db.session.execute(db.select(ReportedItem)).scalars()}

    proposal = make_proposal()
    kept, hidden, deleted = (make_comment(proposal, author=make_user()) for _ in range(3))
    now = utcnow()
    oldest, newest = (Report(reporter_id=make_user().id, target_type=TargetType.COMMENT, target_id=kept.id,
                             reason=ReportReason.SPAM, created_at=now - timedelta(days=days)) for days in (2, 1))
    db.session.add_all([oldest, newest])
    db.session.commit()
    _residents_report(client, "comment", hidden.id, 1)
    _residents_report(client, "comment", deleted.id, 1)
    assert items() == {("comment", kept.id): 2, ("comment", hidden.id): 1, ("comment", deleted.id): 1}
    login(client, make_user(role=Role.MODERATOR))
    assert _decide(client, "comment", hidden.id, "hide", reason="Hors sujet").status_code == 302
    assert items() == {("comment", kept.id): 2, ("comment", deleted.id): 1}
    client.post_form("/logout")
    login(client, deleted.author)
    assert client.post_form(f"/proposals/comments/{deleted.id}/delete").status_code == 302
    assert items() == {("comment", kept.id): 2}
    assert db.session.get(ReportedItem, (TargetType.COMMENT, kept.id)).oldest_open == oldest.created_at
    db.session.execute(db.update(ReportedItem).values(open_reports=5))
    assert services.miscounted_items() == [(TargetType.COMMENT, kept.id, (5, oldest.created_at),
                                            (2, oldest.created_at))]
    services.repair_items()
    # The oldest open report goes (an erased account's cascade, an attachment): the item is dated by the next one.
    db.session.delete(oldest)
    db.session.commit()
    assert items() == {("comment", kept.id): 1}
    db.session.expire_all()
    assert db.session.get(ReportedItem, (TargetType.COMMENT, kept.id)).oldest_open == newest.created_at
    client.post_form("/logout")
    login(client, make_user(role=Role.MODERATOR))
    assert _decide(client, "comment", kept.id, "keep").status_code == 302
    assert items() == {}
