from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import targets
from ..access import Action, not_found, requires
from ..navigation import safe_next
from ..targets import TargetType
from . import personal_data  # noqa: F401 - registers the package's part of "my data"
from . import rules  # noqa: F401 - registers the package's access rules
from . import services
from .models import FOLLOWABLE_TYPES

bp = Blueprint("following", __name__)

FOLLOWABLE = "any(" + ", ".join(t.value for t in FOLLOWABLE_TYPES) + ")"


def _back(target):
    default = (targets.url(target) if target is not None else None) or url_for("main.home")
    return safe_next(request.form.get("next"), default)


@bp.route(f"/follow/<{FOLLOWABLE}:target_type>/<int:target_id>", methods=["POST"])
@requires(Action.FOLLOW, load=targets.loader(*FOLLOWABLE_TYPES), refused=not_found)
def follow(target):
    services.follow(current_user, targets.type_of(target), target.id)
    flash(_l("You follow it: you will get an e-mail when it is answered, when the vote opens and when results "
             "are published."), "success")
    return redirect(_back(target))


@bp.route(f"/unfollow/<{FOLLOWABLE}:target_type>/<int:target_id>", methods=["POST"])
@requires(Action.FOLLOW)
def unfollow(target_type, target_id):
    """Also for what is no longer shown: nobody stays subscribed to something they cannot see."""
    target_type = TargetType(target_type)
    services.unfollow(current_user, target_type, target_id)
    flash(_l("You no longer follow it."), "success")
    target = targets.get(target_type, target_id)
    return redirect(_back(target if target is not None and targets.visible(current_user, target) else None))
