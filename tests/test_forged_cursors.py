"""A link's cursor is text anyone can change: whatever it says, a list answers its first page or the page
it names, never an error. Dates at the edges of the calendar, once moved to UTC, fall out of it."""
import pytest

from civic.accounts.models import Role
from tests.factories import login, make_comment, make_proposal, make_user

CURSORS = ("0001-01-01T00:00:00+05:00~1", "9999-12-31T23:59:59-05:00~1", "0001-01-01T00:00:00+05:00~comment~1",
           "9999-12-31T23:59:59-05:00~proposal~1", "x", "~", "1~2~3~4", "2026-01-01T00:00:00~99999999999999999999",
           "0001-01-01", "9999-12-31", "2026-13-45")


@pytest.mark.parametrize("role, endpoint", [
    (Role.RESIDENT, "proposals.index"), (Role.RESIDENT, "decisions.index"), (Role.RESIDENT, "moderation.journal"),
    (Role.RESIDENT, "proposals.detail"), (Role.RESIDENT, "proposals.thread"), (Role.MODERATOR, "moderation.queue"),
    (Role.ADMIN, "admin.staff_log"), (Role.ADMIN, "counters.audit_log"), (Role.ADMIN, "admin.users"),
    (Role.ADMIN, "counters.statistics"),
])
def test_any_cursor_gives_a_page(client, client_request, role, endpoint):
    proposal = make_proposal()
    thread = make_comment(proposal)
    make_comment(proposal, parent=thread)
    login(client, make_user(role=role))
    ids = {"proposals.detail": {"proposal_id": proposal.id},
           "proposals.thread": {"proposal_id": proposal.id, "comment_id": thread.id}}.get(endpoint, {})
    for cursor in CURSORS:
        for direction in ("after", "before"):
            client_request.get(endpoint, **ids, **{direction: cursor, "page": 2})
    client_request.get(endpoint, **ids, page=2147483647)
