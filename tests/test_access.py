"""Who may do what: the role table, then role x state x action matrices for proposals, comments,
moderation targets and assisted sessions (decisions: tests/decisions/test_management.py).

Every expectation is written out by hand, not derived from the rules: a change to who may do
what must change this file too.
"""
import pytest
from flask import g, url_for

from civic.access import ANYONE, Action, Role, can, refusal, rules, visibility
from civic.counters.models import IdentityCheck
from civic.counters.sessions import open_session
from civic.db_types import utcnow
from civic.extensions import db
from civic.proposals.models import ProposalState
from tests.factories import login, make_comment, make_proposal, make_support, make_user
from tests.counters.helpers import make_counter


@pytest.fixture(autouse=True)
def _rules_registered(app):
    """The packages register their rules when the app imports them: a test run alone must have the app too."""


EVERYONE = set(Role)
RESIDENTS = {Role.RESIDENT}
ADMINS = {Role.ADMIN}
OFFICIALS = {Role.ELECTED, Role.ADMIN}
ANYBODY = "anybody"  # anonymous visitors too
EXPECTED = {
    Action.MANAGE_OWN_ACCOUNT: EVERYONE,
    Action.PROPOSAL_VIEW: ANYBODY,
    Action.PROPOSAL_READ: ANYBODY,
    Action.PROPOSAL_CREATE: RESIDENTS,
    Action.PROPOSAL_EDIT: RESIDENTS,
    Action.PROPOSAL_WITHDRAW: RESIDENTS,
    Action.PROPOSAL_SUPPORT: RESIDENTS,
    Action.COMMENT_VIEW: ANYBODY,
    Action.COMMENT_CREATE: RESIDENTS,
    Action.COMMENT_DELETE: EVERYONE,
    Action.ADMIN_ACCESS: ADMINS,
    Action.ROLE_GRANT: ADMINS,
    Action.THEME_MANAGE: ADMINS,
    Action.DISTRICT_MANAGE: ADMINS,
    Action.IDENTITY_MANAGE: ADMINS,
    Action.DECISION_VIEW: ANYBODY,
    Action.DECISION_MANAGE: OFFICIALS,
    Action.DECISION_VOTE: RESIDENTS,
    Action.RESULTS_READ: ANYBODY,
    Action.RESULTS_PUBLISH: OFFICIALS,
    Action.DECISION_FIX_DESCRIPTION: OFFICIALS,
    Action.COUNTER_DESK: {Role.COUNTER_AGENT},
    Action.COUNTER_MANAGE: ADMINS,
    Action.AUDIT_READ: ADMINS,
    Action.COUNTER_STATS: OFFICIALS,
    Action.RECEIPT_READ: {Role.COUNTER_AGENT},
    Action.ATTACH_CONTRIBUTIONS: RESIDENTS,
    Action.REPORT: RESIDENTS,
    Action.MODERATE: {Role.MODERATOR, Role.ADMIN},
    Action.MODERATION_SETTINGS: ADMINS,
    Action.ANSWER: OFFICIALS,
    Action.FOLLOW: RESIDENTS,
    Action.STAFF_LOG_READ: ADMINS,
    Action.IMPLEMENTATION_UPDATE: OFFICIALS,
    Action.PROCESS_VIEW: ANYBODY,
    Action.PROCESS_MANAGE: OFFICIALS,
    Action.PROCESS_PROPOSE: RESIDENTS,
    Action.PROCESS_STUDY: {Role.MODERATOR, Role.ELECTED, Role.ADMIN},
    Action.PROCESS_BUILD_VOTE: OFFICIALS,
    Action.PROCESS_PUBLISH: OFFICIALS,
    Action.QUESTIONNAIRE_VIEW: ANYBODY,
    Action.QUESTIONNAIRE_MANAGE: OFFICIALS,
    Action.QUESTIONNAIRE_QUESTIONS: OFFICIALS,
    Action.QUESTIONNAIRE_ANSWER: RESIDENTS,
    Action.QUESTIONNAIRE_OWN_ANSWERS: RESIDENTS,
    # A questionnaire's results (tests/questionnaires/test_results_access.py: who x phase x state).
    Action.QUESTIONNAIRE_RESULTS: ANYBODY,
    Action.QUESTIONNAIRE_TEXT_VIEW: ANYBODY,
    Action.QUESTIONNAIRE_TEXTS_READ: OFFICIALS,
    Action.QUESTIONNAIRE_SYNTHESIS: OFFICIALS,
}


class Anonymous:
    is_authenticated = False


def test_every_action_has_one_rule():
    assert set(rules()) == set(Action) == set(EXPECTED)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_role_table(ctx, role, action):
    user = make_user(role=role)
    allowed = EXPECTED[action]
    assert can(user, action) is (allowed == ANYBODY or role in allowed)


@pytest.mark.parametrize("action", list(Action))
def test_anonymous_visitors_only_read(action):
    assert can(Anonymous(), action) is (EXPECTED[action] == ANYBODY)
    assert can(None, action) is (EXPECTED[action] == ANYBODY)
    assert (rules()[action].roles == ANYONE) is (EXPECTED[action] == ANYBODY)


def test_what_only_some_may_see_answers_404():
    """Reading actions hide what they refuse (404), and each model that has them is loaded through them."""
    hiding = {action for action, rule in rules().items() if rule.hides}
    assert hiding == {Action.PROPOSAL_VIEW, Action.PROPOSAL_READ, Action.COMMENT_VIEW, Action.DECISION_VIEW,
                      Action.RESULTS_READ, Action.RECEIPT_READ, Action.PROCESS_VIEW, Action.QUESTIONNAIRE_VIEW,
                      Action.QUESTIONNAIRE_TEXT_VIEW}
    assert {model.__name__: action for model, action in visibility().items()} == {
        "Proposal": Action.PROPOSAL_VIEW, "Comment": Action.COMMENT_VIEW, "Decision": Action.DECISION_VIEW,
        "AssistedAction": Action.RECEIPT_READ, "Process": Action.PROCESS_VIEW, "Answer": Action.QUESTIONNAIRE_TEXT_VIEW,
        "Questionnaire": Action.QUESTIONNAIRE_VIEW}


# --- Proposals: who x state x action ------------------------------------------------------------

PEOPLE = ("anonymous", "author", "resident", "agent", "moderator", "elected", "admin")
ALL = set(PEOPLE)
STAFF_AND_AUTHOR = {"author", "moderator", "admin"}
MODERATORS = {"moderator", "admin"}
PROPOSAL_ACTIONS = (Action.PROPOSAL_VIEW, Action.PROPOSAL_READ, Action.PROPOSAL_EDIT, Action.PROPOSAL_WITHDRAW,
                    Action.PROPOSAL_SUPPORT, Action.COMMENT_CREATE, Action.REPORT, Action.MODERATE, Action.ANSWER,
                    Action.FOLLOW)
NOBODY = set()
# state -> action -> who may. "held": published, then hidden after reports until a moderator decides;
# "merged": merged after it had been published; "merged unseen": merged while waiting for review.
PROPOSAL_MATRIX = {
    "pending": {Action.PROPOSAL_VIEW: STAFF_AND_AUTHOR, Action.PROPOSAL_READ: STAFF_AND_AUTHOR,
                Action.PROPOSAL_EDIT: {"author"}, Action.MODERATE: MODERATORS},
    "published": {Action.PROPOSAL_VIEW: ALL, Action.PROPOSAL_READ: ALL, Action.PROPOSAL_EDIT: {"author"},
                  Action.PROPOSAL_WITHDRAW: {"author"}, Action.PROPOSAL_SUPPORT: {"author", "resident"},
                  Action.COMMENT_CREATE: {"author", "resident"}, Action.REPORT: {"resident"},
                  Action.MODERATE: MODERATORS, Action.ANSWER: {"elected", "admin"},
                  Action.FOLLOW: {"author", "resident"}},
    "published with a support": {Action.PROPOSAL_VIEW: ALL, Action.PROPOSAL_READ: ALL,
                                 Action.PROPOSAL_WITHDRAW: {"author"}, Action.PROPOSAL_SUPPORT: {"author", "resident"},
                                 Action.COMMENT_CREATE: {"author", "resident"}, Action.REPORT: {"resident"},
                                 Action.MODERATE: MODERATORS, Action.ANSWER: {"elected", "admin"},
                                 Action.FOLLOW: {"author", "resident"}},
    "held": {Action.PROPOSAL_VIEW: ALL, Action.PROPOSAL_READ: STAFF_AND_AUTHOR, Action.MODERATE: MODERATORS},
    "changes_requested": {Action.PROPOSAL_VIEW: STAFF_AND_AUTHOR, Action.PROPOSAL_READ: STAFF_AND_AUTHOR,
                          Action.PROPOSAL_EDIT: {"author"}, Action.MODERATE: MODERATORS},
    "rejected": {Action.PROPOSAL_VIEW: ALL, Action.PROPOSAL_READ: STAFF_AND_AUTHOR, Action.MODERATE: MODERATORS},
    "hidden": {Action.PROPOSAL_VIEW: ALL, Action.PROPOSAL_READ: STAFF_AND_AUTHOR, Action.MODERATE: MODERATORS},
    "merged": {Action.PROPOSAL_VIEW: ALL, Action.PROPOSAL_READ: ALL},
    "merged unseen": {Action.PROPOSAL_VIEW: STAFF_AND_AUTHOR, Action.PROPOSAL_READ: STAFF_AND_AUTHOR},
    "withdrawn": {Action.PROPOSAL_VIEW: ALL, Action.PROPOSAL_READ: ALL, Action.MODERATE: MODERATORS,
                  Action.ANSWER: {"elected", "admin"}, Action.FOLLOW: {"author", "resident"}},
}


def _people():
    roles = {"author": Role.RESIDENT, "resident": Role.RESIDENT, "agent": Role.COUNTER_AGENT,
             "moderator": Role.MODERATOR, "elected": Role.ELECTED, "admin": Role.ADMIN}
    people = {name: make_user(role=role) for name, role in roles.items()}
    people["anonymous"] = Anonymous()
    return people


def _proposal_in(state, author):
    fields = {"pending": {"state": ProposalState.PENDING},
              "held": {"held_by_reports": True},
              "changes_requested": {"state": ProposalState.CHANGES_REQUESTED},
              "rejected": {"state": ProposalState.REJECTED},
              "hidden": {"state": ProposalState.HIDDEN},
              "merged": {"state": ProposalState.MERGED, "published_at": utcnow()},
              "merged unseen": {"state": ProposalState.MERGED},
              "withdrawn": {"state": ProposalState.WITHDRAWN, "withdrawn_reason": "Doublon."}}.get(state, {})
    proposal = make_proposal(author=author, **fields)
    if state == "merged unseen":
        proposal.published_at = None
    if state == "published with a support":
        make_support(proposal)
    db.session.commit()
    return proposal


@pytest.mark.parametrize("state", list(PROPOSAL_MATRIX))
def test_proposal_matrix(ctx, app, state):
    people = _people()
    proposal = _proposal_in(state, people["author"])
    with app.test_request_context():
        got = {action: {name for name in PEOPLE if can(people[name], action, proposal)} for action in PROPOSAL_ACTIONS}
    expected = {action: PROPOSAL_MATRIX[state].get(action, NOBODY) for action in PROPOSAL_ACTIONS}
    assert got == expected


# --- Comments --------------------------------------------------------------------------------

COMMENT_ACTIONS = (Action.COMMENT_VIEW, Action.COMMENT_DELETE, Action.REPORT, Action.MODERATE)
COMMENT_MATRIX = {
    "shown": {Action.COMMENT_VIEW: ALL, Action.COMMENT_DELETE: {"author"}, Action.REPORT: {"resident"},
              Action.MODERATE: MODERATORS},
    "held": {Action.COMMENT_VIEW: ALL, Action.COMMENT_DELETE: {"author"}, Action.MODERATE: MODERATORS},
    "hidden": {Action.COMMENT_VIEW: ALL, Action.COMMENT_DELETE: {"author"}, Action.MODERATE: MODERATORS},
    "deleted": {Action.COMMENT_VIEW: ALL},
    "on a pending proposal": {Action.COMMENT_VIEW: {"author", "moderator", "admin"}, Action.COMMENT_DELETE: {"author"},
                              Action.MODERATE: MODERATORS},
}


@pytest.mark.parametrize("state", list(COMMENT_MATRIX))
def test_comment_matrix(ctx, app, state):
    """The comment's author here; the proposal is someone else's."""
    people = _people()
    proposal = make_proposal(state=ProposalState.PENDING if state == "on a pending proposal" else
                             ProposalState.PUBLISHED)
    comment = make_comment(proposal, author=people["author"])
    comment.held_by_reports = state == "held"
    comment.hidden_at = utcnow() if state == "hidden" else None
    comment.deleted_at = utcnow() if state == "deleted" else None
    db.session.commit()
    with app.test_request_context():
        got = {action: {name for name in PEOPLE if can(people[name], action, comment)} for action in COMMENT_ACTIONS}
    assert got == {action: COMMENT_MATRIX[state].get(action, NOBODY) for action in COMMENT_ACTIONS}


def test_refusals_because_of_the_state_say_why(ctx, app):
    author = make_user()
    proposal = make_proposal(author=author)
    make_support(proposal)
    with app.test_request_context():
        edit = refusal(author, Action.PROPOSAL_EDIT, proposal)
        other = refusal(make_user(), Action.PROPOSAL_EDIT, proposal)
        report = refusal(author, Action.REPORT, proposal)
        assert not edit.forbidden and "ne peut plus être modifiée" in str(edit.message)
        assert other.forbidden  # not theirs: no reason to give
        assert not report.forbidden and "ce que vous avez écrit" in str(report.message)


# --- Assisted sessions: an agent acts as the resident for what residents do, and only that ----------

SESSION_ACTIONS = (Action.PROPOSAL_CREATE, Action.PROPOSAL_SUPPORT, Action.COMMENT_CREATE, Action.DECISION_VOTE,
                   Action.PROCESS_PROPOSE, Action.QUESTIONNAIRE_ANSWER, Action.QUESTIONNAIRE_OWN_ANSWERS,
                   Action.PROPOSAL_EDIT, Action.REPORT, Action.FOLLOW, Action.ATTACH_CONTRIBUTIONS, Action.COUNTER_DESK,
                   Action.MANAGE_OWN_ACCOUNT, Action.MODERATE)
# An assisted session lets the agent do for the resident what residents do at a counter (propose, support,
# comment, vote), never what only concerns the resident's own account (edit later, report, follow, attach).
IN_SESSION = {Action.PROPOSAL_CREATE, Action.PROPOSAL_SUPPORT, Action.COMMENT_CREATE, Action.DECISION_VOTE,
              Action.PROCESS_PROPOSE, Action.QUESTIONNAIRE_ANSWER, Action.COUNTER_DESK, Action.MANAGE_OWN_ACCOUNT}
WITHOUT_SESSION = {Action.COUNTER_DESK, Action.MANAGE_OWN_ACCOUNT}


@pytest.mark.parametrize("in_session", [False, True], ids=["without a session", "in a session"])
def test_session_matrix(app, ctx, in_session):
    agent = make_user(role=Role.COUNTER_AGENT)
    counter = make_counter(agent)
    session = open_session(agent, counter, make_user(), identity_check=IdentityCheck.DOCUMENT, consent=True)
    db.session.commit()
    with app.test_request_context():
        g.assisted_session = session if in_session else None  # what counters.acting loads for each request
        allowed = {action for action in SESSION_ACTIONS if can(agent, action)}
    assert allowed == (IN_SESSION if in_session else WITHOUT_SESSION)
    assert {action for action, rule in rules().items() if rule.assistable} == {
        Action.PROPOSAL_CREATE, Action.PROPOSAL_SUPPORT, Action.COMMENT_CREATE, Action.DECISION_VOTE,
        Action.PROCESS_PROPOSE, Action.QUESTIONNAIRE_ANSWER}


# --- The pages do what the rules say -------------------------------------------------------------

# endpoint, method, action, the answer when the rule allows, the answer when the proposal's state refuses
PROPOSAL_PAGES = [
    ("proposals.detail", "GET", Action.PROPOSAL_VIEW, 200, 404),
    ("proposals.edit", "GET", Action.PROPOSAL_EDIT, 200, 302),  # back to the proposal, saying why
    ("proposals.withdraw", "GET", Action.PROPOSAL_WITHDRAW, 200, 403),
    ("proposals.support", "POST", Action.PROPOSAL_SUPPORT, 302, 403),
    ("moderation.decide", "GET", Action.MODERATE, 200, 200),  # the content, and that nothing can be decided
    ("answers.answer", "GET", Action.ANSWER, 200, 404),
    ("following.follow", "POST", Action.FOLLOW, 302, 404),
    ("moderation.report", "GET", Action.REPORT, 200, 404),
]


def _expected(person, action, proposal, allowed, state_refused):
    refused = refusal(person, action, proposal)
    if refused is None:
        return allowed
    if not person.is_authenticated:
        return 302 if rules()[action].roles != ANYONE else 404  # to the log-in page
    if refusal(person, action) is not None:
        return 403  # the role, before anything is loaded: nothing learnt about what exists
    if not can(person, Action.PROPOSAL_VIEW, proposal):
        return 404  # not there for this person
    if refused.forbidden:
        return 403
    if action is Action.REPORT and proposal.author_id == person.id:
        return 200  # one's own: the form says why it cannot be reported
    return state_refused


@pytest.mark.parametrize("state", list(PROPOSAL_MATRIX))
def test_the_pages_answer_as_the_rules_decide(app, ctx, state):
    """Every proposal page, for every person and state, answers what the rule of its action decides."""
    people = _people()
    proposal = _proposal_in(state, people["author"])
    mismatches = []
    for name in PEOPLE:
        person = people[name]
        client = app.test_client()
        if name != "anonymous":
            login(client, person)
        for endpoint, method, action, allowed, state_refused in PROPOSAL_PAGES:
            with app.test_request_context():
                url = url_for(endpoint, **({"target_type": "proposal", "target_id": proposal.id}
                                           if "target_id" in _arguments(app, endpoint) else {"proposal_id": proposal.id}))
                expected = _expected(person, action, proposal, allowed, state_refused)
            response = client.get(url) if method == "GET" else client.post_form(url)
            if response.status_code != expected:
                mismatches.append((name, endpoint, response.status_code, expected))
            db.session.rollback()  # what a POST changed (a support, a follow) is the next person's starting point
    assert mismatches == []


def _arguments(app, endpoint):
    return next(rule.arguments for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
