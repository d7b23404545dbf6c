"""/healthz, for monitoring: 200 when every check passes, 503 naming the ones that failed (civic.ops.health)."""
from datetime import timedelta

from flask import Blueprint, current_app, jsonify

from ..access import public
from ..site_map import not_in_site_map
from . import health

bp = Blueprint("ops", __name__)


@bp.route("/healthz")
@public
@not_in_site_map("a probe for the server's monitoring, not a page for people")
def healthz():
    report = health.check(timedelta(minutes=current_app.config["HEALTH_MAIL_MAX_AGE_MINUTES"]))
    response = jsonify(report.as_dict())
    response.status_code = 200 if report.ok else 503
    # Always asked again: a cache in between must not answer for a database that has since stopped.
    response.headers["Cache-Control"] = "no-store"
    return response
