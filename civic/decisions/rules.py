"""Who may see, set up, vote in and publish decisions (registered into civic.access)."""
from flask_babel import lazy_gettext as _l

from ..access import ANYONE, NOT_ALLOWED, Action, Role, can, register, register_visibility
from .models import Decision, DecisionState
from .services import CLOSED, NOT_OPEN_YET, district_refusal, has_voted

OFFICIALS = {Role.ELECTED, Role.ADMIN}


def _viewable(user, decision):
    """Announced decisions are public; drafts are the officials' who prepare them."""
    if decision.state is not DecisionState.DRAFT or (user is not None and can(user, Action.DECISION_MANAGE)):
        return None
    return NOT_ALLOWED


def _may_vote(user, decision):
    state = decision.state
    if state in (DecisionState.DRAFT, DecisionState.SCHEDULED):
        return NOT_OPEN_YET
    if state in (DecisionState.CLOSED, DecisionState.PUBLISHED):
        return CLOSED
    reason = district_refusal(user, decision)
    if reason is not None:
        return reason
    if has_voted(user, decision):
        return _l("You have already taken part in this vote.")
    return None


def _results_readable(user, decision):
    """Published results are public; officials review the count of a closed vote before publishing it."""
    if decision.state is DecisionState.PUBLISHED or (user is not None and can(user, Action.RESULTS_PUBLISH, decision)):
        return None
    return NOT_ALLOWED


def _state_in(*states, message):
    return lambda _user, decision: None if decision.state in states else message


register(Action.DECISION_VIEW, ANYONE, check=_viewable, hides=True)
register_visibility(Decision, Action.DECISION_VIEW)
register(Action.DECISION_MANAGE, OFFICIALS, check=_state_in(
    DecisionState.DRAFT, DecisionState.SCHEDULED,
    message=_l("This decision is open or closed: only its description can still be corrected.")))
register(Action.DECISION_VOTE, {Role.RESIDENT}, check=_may_vote, assistable=True)
register(Action.RESULTS_READ, ANYONE, check=_results_readable, hides=True)
register(Action.RESULTS_PUBLISH, OFFICIALS, check=_state_in(
    DecisionState.CLOSED, message=_l("Results can be published once the vote is closed, and only once.")))
register(Action.DECISION_FIX_DESCRIPTION, OFFICIALS, check=_state_in(
    DecisionState.OPEN, DecisionState.CLOSED,
    message=_l("Only the description of an open or closed vote is corrected this way.")))
