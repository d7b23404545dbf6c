"""Residents report what others wrote while it is shown; moderators act on what its state allows."""
from flask_babel import lazy_gettext as _l

from ..access import Action, Role, register
from .registry import moderated
from .services import ALREADY_UNDER_REVIEW


def _reportable(user, target):
    if target.author_id == user.id:
        return _l("You cannot report what you wrote yourself.")
    return None if moderated(target).reportable(target) else ALREADY_UNDER_REVIEW


def _moderatable(_user, target):
    # Keeping a reported item is possible exactly when another decision is (services.allowed_kinds).
    return None if moderated(target).decisions(target) else _l("No moderation action is possible on this content now.")


register(Action.REPORT, {Role.RESIDENT}, check=_reportable)
register(Action.MODERATE, {Role.MODERATOR, Role.ADMIN}, check=_moderatable)
register(Action.MODERATION_SETTINGS, {Role.ADMIN})
