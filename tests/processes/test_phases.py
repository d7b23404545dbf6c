"""The phase decides: phase x role x action, written out by hand (as tests/test_access.py), and dates moving a
process from phase to phase."""
from datetime import timedelta

import pytest
from flask import g

from civic.access import Action, Role, can, refusal
from civic.counters.models import IdentityCheck
from civic.counters.sessions import open_session
from civic.extensions import db
from civic.processes.models import PhaseKind
from civic.processes.phases import VOTE_BUILT, today
from tests.counters.helpers import make_counter
from tests.decisions.helpers import make_decision
from tests.factories import make_user
from tests.processes.helpers import end, make_process, move_to, propose_in

BEFORE, AFTER = "before", "after"
IDEAS, STUDY, VOTE, RESULTS, FOLLOW_UP = (PhaseKind.IDEAS, PhaseKind.STUDY, PhaseKind.VOTE, PhaseKind.RESULTS,
                                          PhaseKind.FOLLOW_UP)
PHASES = (BEFORE, IDEAS, STUDY, VOTE, RESULTS, FOLLOW_UP, AFTER)
EVERY_PHASE = set(PHASES)
FROM_STUDY_ON = {STUDY, VOTE, RESULTS, FOLLOW_UP, AFTER}
STAFF = (Role.MODERATOR, Role.ELECTED, Role.ADMIN)

# (action, on): "process" the process, "proposal" a proposal of it by someone else, "own" the person's own one.
# role -> the phases in which it is allowed. Not listed: never.
MATRIX = {
    (Action.PROCESS_PROPOSE, "process"): {Role.RESIDENT: {IDEAS}},
    (Action.PROPOSAL_SUPPORT, "proposal"): {Role.RESIDENT: {IDEAS, STUDY}},
    (Action.COMMENT_CREATE, "proposal"): {Role.RESIDENT: EVERY_PHASE},
    (Action.PROPOSAL_EDIT, "own"): {Role.RESIDENT: {IDEAS}},
    (Action.PROPOSAL_WITHDRAW, "own"): {Role.RESIDENT: {IDEAS, STUDY}},
    (Action.PROCESS_STUDY, "process"): {role: FROM_STUDY_ON for role in STAFF},
    (Action.PROCESS_BUILD_VOTE, "process"): {Role.ELECTED: FROM_STUDY_ON, Role.ADMIN: FROM_STUDY_ON},
    (Action.PROCESS_MANAGE, "process"): {Role.ELECTED: EVERY_PHASE, Role.ADMIN: EVERY_PHASE},
    (Action.PROCESS_PUBLISH, "process"): {},  # published already, in every phase (test_drafts.py: a draft)
    (Action.PROCESS_VIEW, "process"): {role: EVERY_PHASE for role in Role},
}


def _place(process, phase):
    if phase == AFTER:
        end(process)
    else:
        move_to(process, None if phase == BEFORE else phase)


@pytest.mark.parametrize("phase", PHASES, ids=lambda p: getattr(p, "value", p))
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_phase_role_action_matrix(app, ctx, role, phase):
    user = make_user(role=role)
    process = make_process()
    others, own = propose_in(process), propose_in(process, author=user)
    _place(process, phase)
    things = {"process": process, "proposal": others, "own": own}
    with app.test_request_context():
        allowed = {key for key in MATRIX if can(user, key[0], things[key[1]])}
    assert allowed == {key for key, roles in MATRIX.items() if phase in roles.get(role, ())}


def test_anonymous_visitors_only_read(app, ctx):
    process = make_process()
    proposal = propose_in(process)
    with app.test_request_context():
        assert can(None, Action.PROCESS_VIEW, process) and can(None, Action.PROPOSAL_VIEW, proposal)
        assert not can(None, Action.PROCESS_PROPOSE, process) and not can(None, Action.PROPOSAL_SUPPORT, proposal)


def test_the_phase_says_why_and_proposals_outside_processes_keep_their_rules(app, ctx):
    resident = make_user()
    process = make_process(STUDY)
    proposal = propose_in(process)
    outside = propose_in(make_process())  # its process is in its ideas phase
    with app.test_request_context():
        assert str(refusal(resident, Action.PROCESS_PROPOSE, process).message) == (
            "Les propositions sont déposées dans ce processus pendant sa phase d’idées seulement.")
        move_to(process, VOTE)
        assert str(refusal(resident, Action.PROPOSAL_SUPPORT, proposal).message) == (
            "Les propositions de ce processus se soutiennent pendant ses phases d’idées et d’étude seulement.")
        assert can(resident, Action.PROPOSAL_SUPPORT, outside)


@pytest.mark.parametrize("in_session", [False, True], ids=["without a session", "in a session"])
def test_an_agent_proposes_into_a_process_only_in_an_assisted_session(app, ctx, in_session):
    agent = make_user(role=Role.COUNTER_AGENT)
    session = open_session(agent, make_counter(agent), make_user(), identity_check=IdentityCheck.DOCUMENT,
                           consent=True)
    db.session.commit()
    process = make_process(IDEAS)
    with app.test_request_context():
        g.assisted_session = session if in_session else None
        assert can(agent, Action.PROCESS_PROPOSE, process) is in_session


def test_dates_move_a_process_from_phase_to_phase(client_request, login_as):
    login_as()
    process = make_process(None)
    expected = {
        None: ("Commence le", False),
        IDEAS: ("Étape 1 sur 5 : idées", True),
        STUDY: ("Étape 2 sur 5 : étude technique", False),
        VOTE: ("Étape 3 sur 5 : vote", False),
        RESULTS: ("Étape 4 sur 5 : résultats", False),
        FOLLOW_UP: ("Étape 5 sur 5 : suivi des projets", False),
    }
    for kind, (title, may_propose) in expected.items():
        move_to(process, kind)
        page = client_request.get("processes.detail", process_id=process.id)
        assert page.text("#steps-title").startswith(title)
        current = page.select("nav.steps li[aria-current=step]")
        assert len(current) == (0 if kind is None else 1)
        assert page.has("a[href$='/propose']") is may_propose
    end(process)
    page = client_request.get("processes.detail", process_id=process.id)
    assert page.text("#steps-title") == "Processus terminé" and not page.has("nav.steps li[aria-current]")


def test_between_two_phases_no_step_is_current(client_request, ctx):
    gap = make_process(phases=[(IDEAS, today() - timedelta(days=10), today() - timedelta(days=2)),
                               (STUDY, today() + timedelta(days=2), today() + timedelta(days=10))])
    page = client_request.get("processes.detail", process_id=gap.id)
    assert page.text("#steps-title") == "Entre deux étapes" and not page.has("nav.steps li[aria-current]")


def test_once_the_vote_is_built_its_proposals_no_longer_change(app, ctx):
    """Whatever the dates say: the vote's options are copies of the proposals it was built from."""
    official, author = make_user(role=Role.ELECTED), make_user(role=Role.RESIDENT)
    process = make_process()
    own = propose_in(process, author=author)
    with app.test_request_context():
        assert can(author, Action.PROPOSAL_EDIT, own) and can(author, Action.PROCESS_PROPOSE, process)
        assert refusal(official, Action.PROCESS_BUILD_VOTE, process) is not None  # the ideas are still coming in
    move_to(process, PhaseKind.STUDY)
    with app.test_request_context():
        assert can(official, Action.PROCESS_BUILD_VOTE, process) and can(author, Action.PROPOSAL_WITHDRAW, own)
    process.decision_id = make_decision().id
    db.session.commit()
    move_to(process, PhaseKind.IDEAS)  # an official reopening the ideas afterwards changes nothing
    with app.test_request_context():
        for action, thing in ((Action.PROPOSAL_EDIT, own), (Action.PROPOSAL_WITHDRAW, own),
                              (Action.PROCESS_PROPOSE, process)):
            assert str(refusal(author, action, thing).message) == str(VOTE_BUILT), action
