"""The permission matrix: role x action, and the object rules beside it."""
import pytest

from civic.access import POLICY, Action, can
from civic.accounts.models import Role
from civic.proposals.models import ProposalState
from tests.conftest import make_comment, make_proposal, make_support, make_user

RESIDENT_ONLY = {Action.PROPOSAL_CREATE, Action.PROPOSAL_EDIT, Action.PROPOSAL_WITHDRAW, Action.PROPOSAL_SUPPORT,
                 Action.COMMENT_CREATE}
ADMIN_ONLY = {Action.ADMIN_ACCESS, Action.ROLE_GRANT, Action.THEME_MANAGE}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_role_table(ctx, role, action):
    user = make_user(role=role)
    expected = (
        role is Role.RESIDENT if action in RESIDENT_ONLY
        else role is Role.ADMIN if action in ADMIN_ONLY
        else True
    )
    assert can(user, action) is expected


def test_every_action_has_a_policy():
    assert set(POLICY) == set(Action)


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
