from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import Action, public, requires
from ..extensions import csrf, db
from ..navigation import safe_next
from . import services

bp = Blueprint("following", __name__)


def _target_exists(target_type, target_id):
    from ..decisions.models import Decision, DecisionState
    from ..proposals.models import Proposal

    if target_type == "proposal":
        target = db.session.get(Proposal, target_id)
        return target is not None and target.is_public
    target = db.session.get(Decision, target_id)
    return target is not None and target.state is not DecisionState.DRAFT


def _back(target_type, target_id):
    default = url_for("proposals.detail" if target_type == "proposal" else "decisions.detail",
                      **{f"{target_type}_id": target_id})
    return safe_next(request.form.get("next"), default)


@bp.route("/follow/<any(proposal, decision):target_type>/<int:target_id>", methods=["POST"])
@requires(Action.FOLLOW)
def follow(target_type, target_id):
    if not _target_exists(target_type, target_id):
        abort(404)
    services.follow(current_user, target_type, target_id)
    flash(_l("You follow it: you will get an e-mail when it is answered, when the vote opens and when results "
             "are published."), "success")
    return redirect(_back(target_type, target_id))


@bp.route("/unfollow/<any(proposal, decision):target_type>/<int:target_id>", methods=["POST"])
@requires(Action.FOLLOW)
def unfollow(target_type, target_id):
    services.unfollow(current_user, target_type, target_id)
    flash(_l("You no longer follow it."), "success")
    return redirect(_back(target_type, target_id))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail clients POST here without a page; the signed token is the proof
@public
def unsubscribe(token):
    found = services.read_unsubscribe_token(token)
    if found is None:
        return render_template("following/unsubscribe.html", invalid=True, done=False), 404
    user, topic = found
    if request.method == "POST":
        services.unsubscribe(user, topic)
        return render_template("following/unsubscribe.html", invalid=False, done=True, topic=topic)
    return render_template("following/unsubscribe.html", invalid=False, done=False, topic=topic, token=token)
