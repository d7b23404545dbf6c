"""The counters' pages cost the same whatever the rows behind them: the audit log and the statistics a page at a
time, the counters and their agents, the residents a desk search lists, an assisted session's receipts."""
import secrets
from datetime import date, timedelta

import pytest

from civic.accounts.models import District, Role, User
from civic.counters.models import AssistedAction, AssistedActionKind, AssistedSession, IdentityCheck
from civic.counters.residents import SEARCH_LIMIT
from civic.counters.statistics import WEEKS_PAGE, monday
from civic.db_types import utcnow
from civic.decisions.models import Participation
from civic.extensions import db
from civic.log_queries import LOG_PAGE
from tests import growth
from tests.counters.helpers import make_counter, open_session
from tests.decisions.helpers import make_decision
from tests.factories import login, make_user

BORN = date(1950, 5, 17)


def _actions(n, counter, agents, residents, since, step=timedelta(minutes=1), kind=AssistedActionKind.SUPPORT_ADDED,
             session=None):
    db.session.add_all([AssistedAction(kind=kind, agent_id=agents[i % len(agents)].id, counter_id=counter.id,
                                       resident_id=residents[i % len(residents)].id, created_at=since + i * step,
                                       session_id=session.id if session else None,
                                       follow_up_code=secrets.token_hex(6) if session else None)
                        for i in range(n)])
    db.session.commit()


def test_the_audit_log_costs_the_same_with_ten_times_the_actions(app, client, client_request, ctx):
    agents, residents = growth.users(3, role=Role.COUNTER_AGENT, name="Agent"), growth.users(5)
    counter, other = make_counter(*agents), make_counter(agents[0])
    login(client, make_user(role=Role.ADMIN))

    def grow(n):
        _actions(n, counter, agents, residents, utcnow() - timedelta(days=2))
        _actions(n, other, agents[:1], residents[:1], utcnow() - timedelta(days=1))

    page = growth.assert_flat(app, lambda: client_request.get("counters.audit_log"), grow, n=LOG_PAGE // 5)
    assert len(page.select("tbody tr")) == LOG_PAGE
    pages = growth.follow_pages(client_request, "counters.audit_log", counter=other.id)
    assert [len(p.select("tbody tr")) for p in pages] == [LOG_PAGE, LOG_PAGE // 5 * 10 - LOG_PAGE]
    assert {row.select("td")[2].get_text() for p in pages for row in p.select("tbody tr")} == {other.name}


def test_the_statistics_cost_the_same_with_ten_times_the_weeks_and_page_by_weeks(app, client, client_request, ctx):
    agents, residents = growth.users(2, role=Role.COUNTER_AGENT), growth.users(3)
    counters = [make_counter(*agents), make_counter(agents[0])]
    login(client, make_user(role=Role.ADMIN))
    this_monday = monday(utcnow().date())
    grown = [0]

    def grow(n):
        # n more weeks of activity, each further back, one action a day at each counter
        for week in range(grown[0], grown[0] + n):
            start = utcnow() - timedelta(weeks=week, days=0)
            for counter in counters:
                _actions(7, counter, agents, residents, start - timedelta(days=6), step=timedelta(days=1))
        grown[0] += n

    page = growth.assert_flat(app, lambda: client_request.get("counters.statistics"), grow, n=2)
    assert len(page.select("tbody tr")) == WEEKS_PAGE * len(counters)
    pages = growth.follow_pages(client_request, "counters.statistics")
    weeks = [row.select_one("td").get_text() for p in pages for row in p.select("tbody tr")][::len(counters)]
    expected = [this_monday - timedelta(weeks=w) for w in range(21)]
    assert weeks == [f"Semaine {d.isocalendar()[1]} de {d.isocalendar()[0]}" for d in expected]
    cells = pages[1].select("tbody tr")[0].select("td")
    assert [c.get_text() for c in cells[1:]] == ["7", "0", "3"]  # contributions, ballots, residents helped
    back = growth.previous_page(client_request, "counters.statistics", pages[2])
    assert back.texts("tbody tr td:first-child") == pages[1].texts("tbody tr td:first-child")


def test_the_counters_and_their_agents_cost_the_same_with_ten_times_the_counters(app, client, client_request, ctx):
    login(client, make_user(role=Role.ADMIN))

    def grow(n):
        for _ in range(n):
            make_counter(*growth.users(3, role=Role.COUNTER_AGENT, name="Agent"))

    page = growth.assert_flat(app, lambda: client_request.get("counters.counters"), grow, n=2)
    assert len(page.select("tbody tr")) == 20 and all(row.select("td")[0].get_text().count(",") == 2
                                                       for row in page.select("tbody tr"))


def test_a_desk_search_costs_the_same_whatever_it_finds(app, client, client_request, agent, counter):
    districts = [District(name=f"Quartier {i}") for i in range(3)]
    db.session.add_all(districts)
    db.session.commit()

    def grow(n):
        db.session.add_all([User(display_name="Jeanne M.", full_name="Jeanne Martin", full_name_search="jeanne martin",
                                 birth_date=BORN, district_id=districts[i % 3].id, role=Role.RESIDENT)
                            for i in range(n)])
        db.session.commit()

    page = growth.assert_flat(app, lambda: client_request.get("counters.desk", _query={
        "name": "Jeanne Martin", "birth_date": "17/05/1950"}), grow, n=2)
    assert len(page.select(".resident-card")) == SEARCH_LIMIT
    assert all(card.select_one(".meta").get_text().startswith("Né(e) le") for card in page.select(".resident-card"))


def test_an_assisted_session_costs_the_same_with_ten_times_its_receipts(app, client, client_request, agent, counter):
    resident = make_user()
    assert open_session(client, resident).status_code == 302
    session = db.session.execute(db.select(AssistedSession)).scalar_one()
    assert session.identity_check is IdentityCheck.DOCUMENT

    def grow(n):
        _actions(n, counter, [agent], [resident], utcnow() - timedelta(hours=1), kind=AssistedActionKind.SUPPORT_ADDED,
                 session=session)

    page = growth.assert_flat(app, lambda: client_request.get("counters.session_home"), grow, n=2)
    assert len(page.select("main h2 + ul li")) == 20  # the receipts of the session




def _open_votes(resident, n):
    """``n`` open votes, every third for a district the resident is not in, the resident voted in every other."""
    district = District(name=f"Centre {n}")
    made = [make_decision(title=f"Vote {i}") for i in range(n)]
    for decision in made[1::3]:
        decision.districts.append(district)
    db.session.add_all([Participation(decision_id=d.id, user_id=resident.id) for d in made[::2]])
    db.session.commit()
    return made


def test_an_assisted_session_reads_the_residents_votes_and_their_districts_once_for_all_the_open_votes(
        app, client, client_request, agent, counter):
    resident = make_user()
    assert open_session(client, resident).status_code == 302
    made = _open_votes(resident, 30)
    page, statements = growth.statements_of(app, lambda: client_request.get("counters.session_home"))
    votes = {item.select_one("a").get_text(): item.get_text() for item in page.select("main h2 + ul.link-list li")}
    assert len(votes) == 30
    for rank, decision in enumerate(made):
        expected = ("A déjà voté" if rank % 2 == 0 else "Pas pour le quartier" if rank % 3 == 1
                    else "Remplir le bulletin")
        assert expected in votes[decision.title], votes[decision.title]
    assert [s.count("FROM participation") + s.count("FROM decision_district") for s in statements
            if "FROM participation" in s or "FROM decision_district" in s] == [1, 1]


def test_an_assisted_session_costs_the_same_with_ten_times_the_open_votes(app, client, client_request, agent, counter):
    resident = make_user()
    assert open_session(client, resident).status_code == 302
    growth.assert_flat(app, lambda: client_request.get("counters.session_home"),
                       lambda n: _open_votes(resident, n), n=3)
