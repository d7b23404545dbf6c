"""The permission matrix: role x action, and the object rules beside it."""
import pytest

from civic.access import POLICY, Action, can
from civic.accounts.models import Role
from civic.proposals.models import ProposalState
from tests.conftest import make_comment, make_proposal, make_support, make_user

EVERYONE = set(Role)
RESIDENTS = {Role.RESIDENT}
ADMINS = {Role.ADMIN}
OFFICIALS = {Role.ELECTED, Role.ADMIN}
# Written out by hand, not derived from POLICY: a change to who may do what must change this too.
EXPECTED = {
    Action.MANAGE_OWN_ACCOUNT: EVERYONE,
    Action.PROPOSAL_CREATE: RESIDENTS,
    Action.PROPOSAL_EDIT: RESIDENTS,
    Action.PROPOSAL_WITHDRAW: RESIDENTS,
    Action.PROPOSAL_SUPPORT: RESIDENTS,
    Action.COMMENT_CREATE: RESIDENTS,
    Action.COMMENT_DELETE: EVERYONE,
    Action.ADMIN_ACCESS: ADMINS,
    Action.ROLE_GRANT: ADMINS,
    Action.THEME_MANAGE: ADMINS,
    Action.DECISION_MANAGE: OFFICIALS,
    Action.DECISION_VOTE: RESIDENTS,
    Action.RESULTS_PUBLISH: OFFICIALS,
    Action.DECISION_FIX_DESCRIPTION: OFFICIALS,
    Action.COUNTER_DESK: {Role.COUNTER_AGENT},
    Action.COUNTER_MANAGE: ADMINS,
    Action.AUDIT_READ: ADMINS,
    Action.COUNTER_STATS: OFFICIALS,
    Action.ATTACH_CONTRIBUTIONS: RESIDENTS,
    Action.REPORT: RESIDENTS,
    Action.MODERATE: {Role.MODERATOR, Role.ADMIN},
    Action.MODERATION_SETTINGS: ADMINS,
    Action.ANSWER: OFFICIALS,
    Action.FOLLOW: RESIDENTS,
    Action.STAFF_LOG_READ: ADMINS,
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_role_table(ctx, role, action):
    user = make_user(role=role)
    assert can(user, action) is (role in EXPECTED[action])


def test_every_action_has_a_policy():
    assert set(POLICY) == set(Action) == set(EXPECTED)


@pytest.mark.parametrize("action", list(Action))
def test_anonymous_can_do_nothing(action):
    class Anonymous:
        is_authenticated = False

    assert can(Anonymous(), action) is False
    assert can(None, action) is False


@pytest.mark.parametrize("state, editable", [(ProposalState.PUBLISHED, True), (ProposalState.WITHDRAWN, False)])
def test_proposal_rules_by_state(ctx, app, state, editable):
    author = make_user()
    proposal = make_proposal(author=author, state=state)
    with app.test_request_context():
        assert can(author, Action.PROPOSAL_EDIT, proposal) is editable
        assert can(author, Action.PROPOSAL_WITHDRAW, proposal) is editable
        assert can(make_user(), Action.PROPOSAL_SUPPORT, proposal) is editable
        assert can(make_user(), Action.COMMENT_CREATE, proposal) is editable
        assert can(make_user(), Action.PROPOSAL_EDIT, proposal) is False
        assert can(make_user(), Action.PROPOSAL_WITHDRAW, proposal) is False


def test_edit_closes_with_activity(ctx, app):
    author = make_user()
    proposal = make_proposal(author=author)
    with app.test_request_context():
        assert can(author, Action.PROPOSAL_EDIT, proposal)
        make_support(proposal)
        assert not can(author, Action.PROPOSAL_EDIT, proposal)
        assert can(author, Action.PROPOSAL_WITHDRAW, proposal)


def test_comment_delete_rule(ctx):
    author = make_user()
    comment = make_comment(make_proposal(), author=author)
    assert can(author, Action.COMMENT_DELETE, comment)
    assert not can(make_user(), Action.COMMENT_DELETE, comment)
    assert not can(make_user(role=Role.ADMIN), Action.COMMENT_DELETE, comment)
