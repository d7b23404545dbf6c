"""My data: the page counts each section and shows its latest rows, the download has every row, and neither
costs more statements with ten times the rows (of the account and of a counter record attached to it)."""
import json
from datetime import date, timedelta

from civic.accounts import personal_data
from civic.accounts.models import User
from civic.counters.models import AssistedAction, AssistedActionKind
from civic.db_types import utcnow
from civic.decisions.models import Participation
from civic.extensions import db
from civic.following.models import Follow
from civic.moderation.models import Report, ReportReason
from civic.processes.models import Process
from civic.proposals.models import REASON_MAX, TITLE_MAX, ProposalState, Support
from civic.questionnaires.models import FreeTextUse, Questionnaire, Response
from civic.targets import TargetType
from tests import growth
from tests.browser.crawling import PAGE_BUDGET
from tests.counters.helpers import make_counter
from tests.decisions.helpers import make_decision
from tests.factories import make_theme, make_user

SECTIONS = ("proposals", "comments", "supports", "votes", "questionnaires", "reports", "follows", "assisted_actions")


def _grower(person):
    """grow(n): n more rows of every kind for ``person`` (proposals, comments, supports, votes, questionnaires
    answered, reports, follows and actions entered at a counter), on n other residents' proposals."""
    theme, agent = make_theme(), make_user(name="Agent Karim")
    counter = make_counter(agent)
    moment = [utcnow() - timedelta(days=30)]

    def at():
        moment[0] += timedelta(minutes=1)
        return moment[0]

    def questionnaires(n):
        processes = [Process(title="Consultation", summary="Votre avis.", starts_at=at(), ends_at=at(),
                             created_by_id=agent.id) for _ in range(n)]
        db.session.add_all(processes)
        db.session.flush()
        asked = [Questionnaire(process_id=p.id, free_text_use=FreeTextUse.SYNTHESIS) for p in processes]
        db.session.add_all(asked)
        db.session.flush()
        return asked

    def grow(n):
        others = growth.proposals(n, theme, growth.users(1))
        growth.proposals(n, theme, [person])
        growth.comments(n, others[0], [person])
        db.session.add_all(
            [Support(proposal_id=p.id, user_id=person.id, created_at=at()) for p in others]
            + [Participation(decision_id=make_decision(state="closed").id, user_id=person.id, created_at=at())
               for _ in range(n)]
            + [Report(reporter_id=person.id, target_type=TargetType.PROPOSAL, target_id=p.id,
                      reason=ReportReason.SPAM, created_at=at()) for p in others]
            + [Follow(user_id=person.id, target_type=TargetType.PROPOSAL, target_id=p.id, created_at=at())
               for p in others]
            + [AssistedAction(kind=AssistedActionKind.SESSION_OPENED, agent_id=agent.id, counter_id=counter.id,
                              resident_id=person.id, created_at=at()) for _ in range(n)]
            + [Response(questionnaire_id=q.id, respondent_id=person.id, created_at=at()) for q in questionnaires(n)])
        db.session.commit()

    return grow


def _counter_record(account):
    record = User(display_name="Jeanne M.", full_name="Jeanne Martin", birth_date=date(1950, 3, 1),
                  merged_into_id=account.id, active=False)
    db.session.add(record)
    db.session.commit()
    return record


def test_my_data_costs_the_same_with_ten_times_the_rows(app, client_request, login_as):
    resident = login_as(name="Jeanne")
    grow_own, grow_attached = _grower(resident), _grower(_counter_record(resident))

    def grow(n):
        grow_own(n)
        grow_attached(n)

    page = growth.assert_flat(app, lambda: client_request.get("accounts.my_data"), grow, n=2)
    assert page.texts("main h2 + p") == ["40 au total. Les 5 plus récents :"] * len(SECTIONS)
    for section in page.select("main h2")[1:]:
        listed = section.find_next_sibling(["ul", "div"])
        assert len(listed.select("li") or listed.select("tbody tr")) == personal_data.LATEST
    # The link of each section downloads everything: its hidden words say so and which section it follows.
    assert [a.get_text() for a in page.select("main a[href='/account/data.json']")].count(
        "Télécharger toutes vos données (JSON), y compris\u202f: Propositions") == 1


def test_counts_stop_past_the_cap_and_the_download_still_has_every_row(app, client, client_request, login_as,
                                                                       monkeypatch):
    """An active resident has thousands of supports: the page counts no further than COUNT_CAP (each section's
    count stops at cap + 1 rows), says "more than", and the download has them all."""
    monkeypatch.setattr(personal_data, "LATEST", 2)
    monkeypatch.setattr(personal_data, "COUNT_CAP", 3)
    monkeypatch.setattr("civic.accounts.views.COUNT_CAP", 3)
    resident = login_as()
    _grower(resident)(3)
    page = client_request.get("accounts.my_data")
    assert page.texts("main h2 + p") == ["3 au total. Les 2 plus récents :"] * len(SECTIONS)
    _grower(resident)(1)
    page = client_request.get("accounts.my_data")
    assert page.texts("main h2 + p") == ["Plus de 3. Les 2 plus récents :"] * len(SECTIONS)
    exported = json.loads(client.get("/account/data.json").get_data(as_text=True))
    assert {key: len(exported[key]) for key in SECTIONS} == {key: 4 for key in SECTIONS}


def test_the_download_has_every_row_and_costs_the_same_with_ten_times_the_rows(app, client, client_request,
                                                                              login_as):
    resident = login_as()
    _counter_record(resident)
    grow = _grower(resident)

    def download():
        response = client.get("/account/data.json")
        assert response.status_code == 200 and response.was_streamed
        return json.loads(response.get_data(as_text=True))

    exported = growth.assert_flat(app, download, grow, n=3)
    assert {key: len(exported[key]) for key in SECTIONS} == {key: 30 for key in SECTIONS}
    times = [row["created_at"] for row in exported["proposals"]]
    assert times == sorted(times)  # oldest first
    assert exported["account"]["display_name"] == resident.display_name


def test_the_download_is_written_a_piece_at_a_time(client, login_as, monkeypatch):
    resident = login_as()
    _grower(resident)(20)
    monkeypatch.setattr(personal_data, "BATCH", 7)
    monkeypatch.setattr(personal_data, "CHUNK", 1000)
    response = client.get("/account/data.json")
    pieces = list(response.response)
    assert len(pieces) > 10 and all(len(piece) < 2000 for piece in pieces)
    assert len(json.loads(b"".join(pieces))["assisted_actions"]) == 20


def test_empty_sections_say_so_and_download_as_empty_lists(client, client_request, login_as):
    login_as()
    page = client_request.get("accounts.my_data")
    assert page.texts("main h2 + p") == ["Rien pour l’instant."] * 6 + ["Rien.", "Rien."]
    exported = json.loads(client.get("/account/data.json").get_data(as_text=True))
    assert all(exported[key] == [] for key in SECTIONS)


def test_my_data_fits_the_page_budget_with_the_longest_titles_and_reasons(client_request, login_as):
    resident = login_as()
    theme = make_theme()
    others = growth.proposals(personal_data.LATEST, theme, growth.users(1),
                              title=lambda i: growth.words(30, i)[:TITLE_MAX])
    rejected = growth.proposals(personal_data.LATEST, theme, [resident], state=ProposalState.REJECTED,
                                title=lambda i: growth.words(30, 10 + i)[:TITLE_MAX])
    hidden = growth.comments(personal_data.LATEST, others[0], [resident])
    for rank, row in enumerate(rejected + hidden):
        row.moderation_reason = growth.words(300, 20 + rank)[:REASON_MAX]
    for comment in hidden:
        comment.hidden_at = utcnow()
    db.session.add_all([Support(proposal_id=p.id, user_id=resident.id) for p in others])
    db.session.commit()
    page = client_request.get("accounts.my_data")
    assert growth.weight(page) <= PAGE_BUDGET, growth.weight(page)
