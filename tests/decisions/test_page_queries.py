"""Every decisions page issues as many SQL statements for a village as for a metropolis: the same count with
ten times the options, districts, ballots and decisions; and the list of decisions comes a page at a time."""
import secrets
from datetime import timedelta

import pytest

from civic.accounts.models import District, Role
from civic.decisions import services
from civic.decisions.models import Method
from civic.extensions import db
from tests.client import Page
from tests.factories import login, make_user
from tests.pages import check_page
from tests.queries import recording
from tests.decisions.helpers import close, make_decision


def _vote(scale, state="open", method=Method.MAJORITY_JUDGMENT, ballots=True):
    """A vote with 3 x scale options, 2 x scale districts and 4 x scale ballots."""
    decision = make_decision(method, options=[f"Option {n}" for n in range(3 * scale)])
    ids = [str(o.id) for o in decision.options]
    for n in range(4 * scale if ballots else 0):
        services.cast_ballot(make_user(), decision, {"grades": {k: ("good", "fair")[(n + i) % 2]
                                                               for i, k in enumerate(ids)}})
    decision.districts = [District(name=f"Quartier {secrets.token_hex(4)}") for _ in range(2 * scale)]
    db.session.commit()
    if state in ("closed", "published"):
        close(decision)
    if state == "published":
        services.publish_results(decision, make_user(role=Role.ELECTED))
        db.session.commit()
    if state == "draft":
        decision.announced_at = None
        db.session.commit()
    return decision


def _grades(decision):
    return {f"grade_{o.id}": "good" for o in decision.options}


# name: (role of the visitor, state of the vote, method, path, form data for a POST)
PAGES = {
    "list": (None, "open", "GET", lambda d: "/decisions/", None),
    "list, official": (Role.ELECTED, "draft", "GET", lambda d: "/decisions/", None),
    "detail": (None, "open", "GET", lambda d: f"/decisions/{d.id}", None),
    "detail, resident": (Role.RESIDENT, "open", "GET", lambda d: f"/decisions/{d.id}", None),
    "detail, official": (Role.ELECTED, "closed", "GET", lambda d: f"/decisions/{d.id}", None),
    "ballot": (Role.RESIDENT, "open", "GET", lambda d: f"/decisions/{d.id}/vote", None),
    "check": (Role.RESIDENT, "open", "POST", lambda d: f"/decisions/{d.id}/vote", _grades),
    "set-up": (Role.ELECTED, "draft", "GET", lambda d: f"/decisions/{d.id}/edit", None),
    "new": (Role.ELECTED, "draft", "GET", lambda d: "/decisions/new", None),
    "results to review": (Role.ELECTED, "closed", "GET", lambda d: f"/decisions/{d.id}/results", None),
    "results": (None, "published", "GET", lambda d: f"/decisions/{d.id}/results", None),
    "ballots file": (None, "published", "GET", lambda d: f"/decisions/{d.id}/ballots.csv", None),
    "datapackage": (None, "published", "GET", lambda d: f"/decisions/{d.id}/datapackage.json", None),
}


def _statements(app, client, role, state, method, path, data, scale):
    decision = _vote(scale, state)
    for _ in range(scale * 3):  # more decisions for the list
        _vote(1, state, ballots=False)
    if role is not None:
        user = make_user(role=role)
        # A resident of the vote's first district, stated before it opened: allowed to vote.
        user.district_id, user.district_since = decision.districts[0].id, decision.opens_at - timedelta(days=1)
        db.session.commit()
        login(client, user)
        token = client.csrf_token()
    if path(decision).endswith("/results") and state == "closed":
        assert client.get(path(decision)).status_code == 200  # counted once, at the first view
    with recording(app) as statements:
        if method == "GET":
            response = client.get(path(decision))
            body = response.get_data()
        else:
            response = client.post(path(decision), data={"csrf_token": token, **data(decision)})
            body = response.get_data()
    assert response.status_code == 200 and body
    if role is not None:
        client.post_form("/logout")
    return statements


@pytest.mark.parametrize("name", PAGES)
def test_a_page_costs_the_same_statements_with_ten_times_the_data(app, client, ctx, name):
    role, state, method, path, data = PAGES[name]
    small = _statements(app, client, role, state, method, path, data, 1)
    large = _statements(app, client, role, state, method, path, data, 10)
    assert len(small) == len(large), f"{name}:\n{small}\n---\n{large}"


def test_the_decisions_list_comes_a_page_at_a_time_without_missing_or_repeating_any(client, ctx):
    for _ in range(services.DECISIONS_PER_PAGE * 2 + 5):
        make_decision(Method.YES_NO)
    page = Page(client.get("/decisions/"))
    seen = []
    for _ in range(4):
        assert check_page(page.html) == []
        seen += page.texts(".card-title")
        following = [href for text, href in page.links(".pagination") if text == "Page suivante"]
        if not following:
            break
        page = Page(client.get(following[0]))
    assert len(seen) == services.DECISIONS_PER_PAGE * 2 + 5 and page.text(".pagination [aria-current]") == "Page 3"
    previous = [href for text, href in page.links(".pagination") if text == "Page précédente"]
    assert Page(client.get(previous[0])).text(".pagination [aria-current]") == "Page 2"


def test_the_list_shows_drafts_to_officials_only(client, ctx):
    draft = make_decision(Method.YES_NO, state="draft", title="Brouillon de la voirie")
    assert "Brouillon de la voirie" not in Page(client.get("/decisions/")).texts(".card-title")
    login(client, make_user(role=Role.ELECTED))
    assert "Brouillon de la voirie" in Page(client.get("/decisions/")).texts(".card-title")
    assert draft.state.value == "draft"
