from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import Action, requires
from ..accounts.models import Role, User
from ..accounts.services import all_districts
from ..domain import DomainError, attach_error
from ..extensions import db
from ..routing import int_arg
from ..proposals.models import Theme
from . import services
from .forms import ROLE_LABELS, DistrictForm, RoleForm, ThemeForm

bp = Blueprint("admin", __name__)


@bp.route("/")
@requires(Action.ADMIN_ACCESS)
def index():
    return render_template("admin/index.html")


@bp.route("/users")
@requires(Action.ROLE_GRANT)
def users():
    query = request.args.get("q", "").strip()[:100]
    page = services.list_users(query, int_arg("page", 1))
    return render_template("admin/users.html", page=page, query=query, role_labels=ROLE_LABELS)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Action.ROLE_GRANT)
def user_role(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = RoleForm(role=user.role.value)
    if form.validate_on_submit():
        if form.role.data is None:
            form.role.errors = [_l("Choose a role.")]
        else:
            try:
                services.grant_role(current_user, user, form.role.data)
            except DomainError as error:
                attach_error(form, error)
            else:
                flash(_l("The role of %(name)s is now: %(role)s.", name=user.display_name,
                         role=ROLE_LABELS[user.role]), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_role.html", form=form, user=user, role_labels=ROLE_LABELS)


def _theme_form(theme, template, saved_message, **context):
    """Shared by the add form (theme=None, on the list page) and the edit page."""
    form = ThemeForm(obj=theme)
    if form.validate_on_submit():
        try:
            services.save_theme(theme, form.name.data, form.name_en.data, form.active.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(saved_message, "success")
            return redirect(url_for("admin.themes"))
    return render_template(template, form=form, theme=theme, **context)


@bp.route("/themes", methods=["GET", "POST"])
@requires(Action.THEME_MANAGE)
def themes():
    return _theme_form(None, "admin/themes.html", _l("The theme is added."), themes=services.all_themes())


@bp.route("/themes/<int:theme_id>", methods=["GET", "POST"])
@requires(Action.THEME_MANAGE)
def edit_theme(theme_id):
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    return _theme_form(theme, "admin/theme_edit.html", _l("The theme is saved."))


@bp.route("/districts", methods=["GET", "POST"])
@requires(Action.THEME_MANAGE)
def districts():
    form = DistrictForm()
    if form.validate_on_submit():
        try:
            services.add_district(form.name.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The district is added."), "success")
            return redirect(url_for("admin.districts"))
    return render_template("admin/districts.html", form=form, districts=all_districts())


@bp.route("/staff-log")
@requires(Action.STAFF_LOG_READ)
def staff_log():
    from ..forms import paris_day_bounds
    from ..pagination import paginate_rows
    from ..staff_log import entries
    from .forms import StaffLogFilterForm

    form = StaffLogFilterForm(request.args)
    staff = db.session.execute(db.select(User).where(User.role != Role.RESIDENT).order_by(User.display_name)
                               ).scalars().all()
    form.actor.choices = [("", _l("All"))] + [(u.id, u.display_name) for u in staff]
    filters = {}
    if form.validate():
        since, until = paris_day_bounds(form.since.day, form.until.day)
        filters = {"area": form.area.data or None, "actor_id": form.actor.data, "since": since, "until": until}
    page = paginate_rows(entries(**filters), int_arg("page", 1), 50)
    return render_template("admin/staff_log.html", form=form, page=page)
