"""Who may see, set up, propose into, study and build the vote of a process (registered into civic.access).

What depends on the phase is read from phases.PHASE_ACTIONS (the proposals of a process: proposals/rules.py
asks the same table)."""
from flask_babel import lazy_gettext as _l

from ..access import ANYONE, NOT_ALLOWED, Action, Role, register, register_visibility
from ..i18n import current_language
from ..typography import long_date
from .models import PhaseKind, Process
from .phases import phase_refusal, today

OFFICIALS = {Role.ELECTED, Role.ADMIN}
STUDY_STAFF = {Role.MODERATOR, Role.ELECTED, Role.ADMIN}

NO_STUDY = _l("This process has no technical study phase.")
VOTE_BUILT = _l("The vote of this process is built: the studies it was built from can no longer change.")
NO_VOTE_PHASE = _l("This process has no vote phase: add one, with its dates, before building the vote.")
ALREADY_BUILT = _l("The vote of this process is already built.")
ALREADY_PUBLISHED = _l("This process is already published.")
NOT_PUBLISHED = _l("This process is not published yet.")
PUBLISH_FIRST = _l("Publish the process before building its vote: residents must be able to read it.")


def viewable(user, process):
    """A draft is the staff's, who prepare and check it; published, it is anybody's."""
    if not process.is_draft or (user is not None and user.is_authenticated and user.role in STUDY_STAFF):
        return None
    return NOT_ALLOWED


def _may_study(_user, process):
    """From the first day of the study phase on (late studies are still made), until the vote is built."""
    phase = process.phase_of(PhaseKind.STUDY)
    if phase is None:
        return NO_STUDY
    if today() < phase.starts_on:
        return _l("The technical study of this process starts on %(day)s.",
                  day=long_date(phase.starts_on, current_language()))
    if process.decision_id is not None:
        return VOTE_BUILT
    return None


def _may_build_vote(_user, process):
    """Once the ideas are all in (the ideas phase over), and once."""
    if process.decision_id is not None:
        return ALREADY_BUILT
    if process.is_draft:
        return PUBLISH_FIRST
    if process.phase_of(PhaseKind.VOTE) is None:
        return NO_VOTE_PHASE
    ideas = process.phase_of(PhaseKind.IDEAS)
    if ideas is not None and today() <= ideas.ends_on:
        return _l("The vote is built from the proposals once they are all in: after the ideas phase, which ends on "
                  "%(day)s.", day=long_date(ideas.ends_on, current_language()))
    return None


register(Action.PROCESS_VIEW, ANYONE, check=viewable, hides=True)
register_visibility(Process, Action.PROCESS_VIEW)
register(Action.PROCESS_MANAGE, OFFICIALS)
register(Action.PROCESS_PUBLISH, OFFICIALS,
         check=lambda _user, process: ALREADY_PUBLISHED if not process.is_draft else None)
register(Action.PROCESS_PROPOSE, {Role.RESIDENT}, assistable=True,
         check=lambda _user, process: NOT_PUBLISHED if process.is_draft
         else phase_refusal(process, Action.PROCESS_PROPOSE))
register(Action.PROCESS_STUDY, STUDY_STAFF, check=_may_study)
register(Action.PROCESS_BUILD_VOTE, OFFICIALS, check=_may_build_vote)
