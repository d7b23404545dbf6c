"""Which phase a process is in, and what each phase allows: read from the dates, never stored.

The rules of the actions that depend on a phase (rules.py of this package, and of proposals for the proposals
of a process) ask ``phase_refusal``: the one table of which phases allow what is PHASE_ACTIONS below.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..access import Action
from ..timezones import now_paris
from .models import PhaseKind

# What residents may do to a proposal of a process, by phase. Supports say which ideas residents care about
# while they are collected and studied; once the vote opens, the vote is what counts, and supports are frozen.
# A proposal is edited only while ideas are collected, so that the study reads what residents read; it may be
# withdrawn during the study. Once the vote is built from them (FROZEN_BY_THE_VOTE), whatever the dates say,
# proposals are no longer added, edited or withdrawn: the vote's options are copies of them. Comments are not here: the discussion stays open in
# every phase (the study, the vote and the building of a project are discussed too).
PHASE_ACTIONS = {
    Action.PROCESS_PROPOSE: (PhaseKind.IDEAS,),
    Action.PROPOSAL_SUPPORT: (PhaseKind.IDEAS, PhaseKind.STUDY),
    Action.PROPOSAL_EDIT: (PhaseKind.IDEAS,),
    Action.PROPOSAL_WITHDRAW: (PhaseKind.IDEAS, PhaseKind.STUDY),
    # A questionnaire is answered during its phase only: the synthesis reads a closed set of answers.
    Action.QUESTIONNAIRE_ANSWER: (PhaseKind.QUESTIONNAIRE,),
}

FROZEN_BY_THE_VOTE = (Action.PROCESS_PROPOSE, Action.PROPOSAL_EDIT, Action.PROPOSAL_WITHDRAW)
VOTE_BUILT = _l("The vote of this process is built from its proposals: they can no longer be added, edited or "
                "withdrawn.")

REFUSALS = {
    Action.PROCESS_PROPOSE: _l("Proposals are submitted into this process during its ideas phase only."),
    Action.PROPOSAL_SUPPORT: _l("The proposals of this process are supported during its ideas and study phases "
                                "only."),
    Action.PROPOSAL_EDIT: _l("The proposals of this process can be edited during its ideas phase only."),
    Action.PROPOSAL_WITHDRAW: _l("The proposals of this process can be withdrawn during its ideas and study phases "
                                 "only."),
    Action.QUESTIONNAIRE_ANSWER: _l("The questionnaire of this process is answered during its questionnaire phase "
                                    "only."),
}


def today():
    """Today in Paris: the phases' days are Paris days."""
    return now_paris().date()


def current_phase(process, day=None):
    return process.phase_on(day) if day else process.current_phase


def phase_refusal(process, action, day=None):
    """None when the current phase of ``process`` allows ``action``, else why not."""
    if action in FROZEN_BY_THE_VOTE and process.decision_id is not None:
        return VOTE_BUILT
    phase = current_phase(process, day)
    if phase is not None and phase.kind in PHASE_ACTIONS[action]:
        return None
    return REFUSALS[action]


def proposal_refusal(proposal, action):
    """For the rules of proposals: None for a proposal outside any process, else as phase_refusal."""
    entry = proposal.process_entry
    return None if entry is None else phase_refusal(entry.process, action)


@dataclass(frozen=True)
class Step:
    number: int
    phase: object
    current: bool
    past: bool


def steps(process, day=None):
    """The phases as the step list shows them."""
    day = day or today()
    return [Step(number, phase, phase.starts_on <= day <= phase.ends_on, phase.ends_on < day)
            for number, phase in enumerate(process.phases, start=1)]
