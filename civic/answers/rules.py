"""Officials answer what the public can read."""
from flask_babel import lazy_gettext as _l

from ..access import Action, Role, register

register(Action.ANSWER, {Role.ELECTED, Role.ADMIN},
         check=lambda _user, proposal: None if proposal.is_public else _l("Only a published proposal can be answered."))
