"""Residents follow what is open to follows (each kind says when: following.services.register_followable)."""
from flask_babel import lazy_gettext as _l

from ..access import Action, Role, register
from ..targets import type_of
from .services import open_to_follows


def _open(_user, target):
    return None if open_to_follows(type_of(target), target) else _l("This cannot be followed at the moment.")


register(Action.FOLLOW, {Role.RESIDENT}, check=_open)
