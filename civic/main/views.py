from flask import Blueprint, abort, current_app, redirect, render_template, request
from flask_babel import lazy_gettext as _l

from ..access import public
from ..i18n import LANG_COOKIE
from ..navigation import safe_next
from ..decisions import services as decision_services
from ..processes import services as process_services
from ..proposals import services as proposal_services
from ..site_map import HOME, in_site_map

bp = Blueprint("main", __name__)

# The home page shows this many votes, open ones first; the list of votes has them all.
HOME_VOTES = 6
# And this many proposals in each of its two lists, the newest and the most supported.
HOME_PROPOSALS = 5


@bp.route("/")
@public
@in_site_map(_l("Home"), HOME)
def home():
    latest, most_supported = proposal_services.newest_and_most_supported(HOME_PROPOSALS)
    votes = decision_services.current_and_upcoming(HOME_VOTES)
    return render_template("home.html", latest=latest, most_supported=most_supported, votes=votes,
                           processes=process_services.current_processes())


@bp.route("/lang/<code>")
@public
def set_language(code):
    """A plain link switches the language (no JavaScript, no form) and remembers it for a year."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(
        LANG_COOKIE, code, max_age=60 * 60 * 24 * 365, httponly=True, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
