"""The pages every French public website carries, linked from every page's footer, and the logo."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import identity
from ..access import Action, public, requires
from ..domain import DomainError, attach_error
from ..site_map import ABOUT, in_site_map, site_map
from . import pages
from .logo import drawing_response
from . import rules  # noqa: F401 - registers the package's access rules
from .forms import PageTextForm

bp = Blueprint("legal", __name__)



@bp.route("/legal-notice")
@public
@in_site_map(_l("Legal notice"), ABOUT + 10)
def legal_notice():
    return render_template("legal/legal_notice.html", prose=pages.prose("legal_notice", identity.current().name))


@bp.route("/personal-data")
@public
@in_site_map(_l("Personal data"), ABOUT + 11)
def personal_data():
    return render_template("legal/personal_data.html", prose=pages.prose("personal_data", identity.current().name),
                           retention=pages.retention(), cookies=pages.cookies(),
                           years_or_days=pages.years_or_days)


@bp.route("/accessibility")
@public
@in_site_map(_l("Accessibility"), ABOUT + 12)
def accessibility():
    return render_template("legal/accessibility.html", prose=pages.prose("accessibility", identity.current().name))


@bp.route("/sitemap")
@public
@in_site_map(_l("Site map"), ABOUT + 13)
def sitemap():
    return render_template("legal/sitemap.html", entries=site_map())


@bp.route("/logo/<version>.svg")
@public
def logo(version):
    current = identity.current()
    if not current.logo or version != current.logo_version:
        abort(404)
    # Its address changes with it (civic.identity.Identity.logo_version).
    return drawing_response(current.logo, "logo.svg")


def _editable(page):
    if page not in pages.EDITABLE:
        abort(404)
    return page


@bp.route("/admin/pages/<page>", methods=["GET", "POST"])
@requires(Action.IDENTITY_MANAGE)
def edit_page(page):
    page = _editable(page)
    name = identity.current().name
    shown = pages.prose(page, name)
    # The admin edits the text the page shows, the default included, rather than writing it again.
    form = PageTextForm(text=shown.text)
    if form.validate_on_submit():
        try:
            if form.default.data:
                pages.back_to_default(current_user, page)
                flash(_l("The page shows its default text again."), "success")
            else:
                pages.save_text(current_user, page, form.text.data, name)
                flash(_l("The page's text is saved."), "success")
        except DomainError as error:
            attach_error(form, error)
        else:
            return redirect(url_for(f"legal.{page}"))
    return render_template("legal/edit_page.html", form=form, page=page, title=pages.EDITABLE[page], own=shown.own)
