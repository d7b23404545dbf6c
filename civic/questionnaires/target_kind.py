"""What the audit log and the staff log name when they name a questionnaire (civic.targets).

The questionnaires' own registrations (branch s20-questionnaires, registrations.py) register the same Kind with the
questionnaire's page as its link: at the merge, theirs replaces this module (the registry refuses a second one)."""
from flask_babel import lazy_gettext as _l

from .. import targets
from ..access import Action
from .models import Questionnaire

targets.register(targets.Kind(
    type=targets.TargetType.QUESTIONNAIRE, model=Questionnaire, numbered=_l("Questionnaire n° %(n)s"),
    link=lambda q: ("processes.detail", {"process_id": q.process_id}), view=Action.PROCESS_VIEW))
