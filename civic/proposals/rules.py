"""Who may see, write, support and comment proposals (registered into civic.access)."""
from flask_babel import lazy_gettext as _l

from ..access import ALL_ROLES, ANYONE, NOT_ALLOWED, Action, Role, can, register, register_visibility
from ..processes.phases import proposal_refusal
from .models import Comment, Proposal, ProposalState
from .services import NOT_EDITABLE, NOT_OPEN, is_editable, is_open

# Never published: there is nothing to say about it publicly, not even that it exists.
_NEVER_SHOWN = (ProposalState.PENDING, ProposalState.CHANGES_REQUESTED, ProposalState.MERGED)


def _staff_or_author(user, proposal):
    return (user is not None and user.is_authenticated
            and (proposal.author_id == user.id or can(user, Action.MODERATE)))


def _readable(user, proposal):
    """Its text: when anyone may read it (Proposal.readable_by_anyone); its author and moderators always."""
    if proposal.readable_by_anyone or _staff_or_author(user, proposal):
        return None
    return NOT_ALLOWED


def _viewable(user, proposal):
    """Its page: the text when readable, else why it is not shown (rejected, hidden, held after reports)."""
    if _readable(user, proposal) is None or proposal.state not in _NEVER_SHOWN:
        return None
    return NOT_ALLOWED


def _open(_user, proposal):
    return None if is_open(proposal) else NOT_OPEN


def _in_phase(action, check):
    """``check``, then, for a proposal of a participatory process, what the process's current phase allows
    (civic.processes.phases.PHASE_ACTIONS)."""
    return lambda user, proposal: check(user, proposal) or proposal_refusal(proposal, action)


def _author(user, thing):
    return thing.author_id == user.id


register(Action.PROPOSAL_VIEW, ANYONE, check=_viewable, hides=True)
register(Action.PROPOSAL_READ, ANYONE, check=_readable, hides=True)
register_visibility(Proposal, Action.PROPOSAL_VIEW)
# Residents take part; staff accounts do not propose, support or comment, so that nobody can mistake
# the collectivité's staff for residents (they answer through official answers and moderation).
register(Action.PROPOSAL_CREATE, {Role.RESIDENT}, assistable=True)
register(Action.PROPOSAL_EDIT, {Role.RESIDENT}, owner=_author, check=_in_phase(
    Action.PROPOSAL_EDIT, lambda _user, proposal: None if is_editable(proposal) else NOT_EDITABLE))
register(Action.PROPOSAL_WITHDRAW, {Role.RESIDENT}, owner=_author, check=_in_phase(Action.PROPOSAL_WITHDRAW, _open))
register(Action.PROPOSAL_SUPPORT, {Role.RESIDENT}, check=_in_phase(Action.PROPOSAL_SUPPORT, _open), assistable=True)
register(Action.COMMENT_CREATE, {Role.RESIDENT}, check=_open, assistable=True)  # on the proposal
def _comment_viewable(user, comment):
    """Where its proposal is shown; its author always finds it (to delete it, say), whatever became of
    the proposal."""
    if user is not None and user.is_authenticated and comment.author_id == user.id:
        return None
    return _viewable(user, comment.proposal)


register(Action.COMMENT_VIEW, ANYONE, check=_comment_viewable, hides=True)
register_visibility(Comment, Action.COMMENT_VIEW)
register(Action.COMMENT_DELETE, ALL_ROLES, owner=_author,
         check=lambda _user, comment: _l("This comment is already deleted.") if comment.is_deleted else None)
