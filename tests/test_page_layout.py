"""What a phone, a keyboard and a screen reader need of the pages' layout: the proposal list before its filters,
the focus on the error summary of a page with errors. (The widths, at 320 px, and the size of the targets are
measured in a real browser: tests/browser/test_layout.py.)"""
import pytest

from civic.accounts.models import Role
from civic.decisions.models import Method
from tests.decisions.helpers import make_decision
from tests.factories import make_proposal, make_theme


def test_the_proposal_filters_are_folded_until_one_is_in_force(client_request):
    theme = make_theme(name="Mobilités")
    make_proposal(theme=theme)
    page = client_request.get("proposals.index")
    details = page.select_one("form.filters details")
    assert not details.has_attr("open") and page.text("form.filters summary") == "Filtres et tri"
    # The search stays in view; the list of proposals follows the folded filters.
    assert page.select_one("form.filters > .field #q") is not None
    assert len(page.select(".cards .card")) == 1

    page = client_request.get("proposals.index", _query={"theme": theme.id, "sort": "supported"})
    assert page.select_one("form.filters details").has_attr("open")
    assert page.text("form.filters summary") == "Filtres et tri (2 en vigueur)"
    # A search alone is in view already: the filters stay folded.
    page = client_request.get("proposals.index", _query={"q": "bancs"})
    assert not page.select_one("form.filters details").has_attr("open")


def _focus_target(page):
    """The error summary, checked to take the focus as the page opens and to come first in the page's content."""
    summary = page.select_one(".error-summary")
    assert summary.has_attr("autofocus") and summary["tabindex"] == "-1"
    first = page.select_one("main").find(lambda tag: tag.name not in ("main", "div") or "error-summary" in tag.get("class", []))
    assert first is summary, f"the page's content starts with {first.name}, before the error summary"
    return summary


def test_a_form_page_with_errors_moves_the_focus_to_its_error_summary(client_request):
    page = client_request.post("accounts.login", _data={"email": "", "password": ""}, _expected_status=200)
    summary = _focus_target(page)
    assert [a["href"] for a in summary.select("a")] == ["#email", "#password"]


@pytest.mark.parametrize("method", [Method.MAJORITY_JUDGMENT, Method.SINGLE_CHOICE, Method.YES_NO])
def test_a_ballot_with_errors_moves_the_focus_to_its_error_summary(client_request, login_as, method):
    login_as(Role.RESIDENT)
    decision = make_decision(method)
    page = client_request.post("decisions.vote", decision_id=decision.id, _data={}, _expected_status=200)
    summary = _focus_target(page)
    target = summary.select_one("a")["href"].removeprefix("#")
    assert page.select_one(f"input#{target}") is not None
