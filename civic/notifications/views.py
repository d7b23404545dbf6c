from flask import Blueprint, render_template, request

from ..access import public
from ..extensions import csrf
from . import services

bp = Blueprint("notifications", __name__)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail clients POST here without a page; the signed token is the proof
@public
def unsubscribe(token):
    found = services.read_unsubscribe_token(token)
    if found is None:
        return render_template("notifications/unsubscribe.html", invalid=True, done=False), 404
    user, topic = found
    if request.method == "POST":
        services.unsubscribe(user, topic)
        return render_template("notifications/unsubscribe.html", invalid=False, done=True)
    return render_template("notifications/unsubscribe.html", invalid=False, done=False,
                           description=services.topic_of(topic).description)
