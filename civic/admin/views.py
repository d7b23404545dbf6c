from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import identity, labels, staff_log
from ..access import Action, requires
from ..accounts.models import User
from ..accounts.services import all_districts
from ..domain import DomainError, attach_error
from ..legal.logo import MAX_BYTES as MAX_LOGO_BYTES
from ..routing import int_arg
from ..staff_log import StaffLogEntry
from ..timezones import paris_day_bounds
from . import rules  # noqa: F401 - registers the package's access rules
from . import services
from .forms import DistrictForm, IdentityForm, RoleForm, StaffLogFilterForm

bp = Blueprint("admin", __name__)
# One byte over the logo's limit is enough to refuse it.
MAX_UPLOAD = MAX_LOGO_BYTES + 1
SHOWN_LABELS = {"all": _l("All accounts"), "in_use": _l("Accounts in use"),
                "merged": _l("Counter records merged into an account")}


@bp.route("/")
@requires(Action.ADMIN_ACCESS)
def index():
    return render_template("admin/index.html")


@bp.route("/users")
@requires(Action.ROLE_GRANT)
def users():
    query = request.args.get("q", "").strip()[:100]
    shown = request.args.get("show", "all")
    shown = shown if shown in services.SHOWN else "all"
    page = services.list_users(query, shown=shown, page=int_arg("page", 1), after=request.args.get("after"),
                               before=request.args.get("before"))
    return render_template("admin/users.html", page=page, query=query, shown=shown, SHOWN=SHOWN_LABELS,
                           merged_into=services.merged_into(page.items))


def _role_refused(record, message):
    """A merged record's role page sends the admin to the account that holds its role, an erased account's
    back to the list, saying why."""
    flash(message, "error")
    if record.merged_into_id is None:
        return redirect(url_for("admin.users"))
    return redirect(url_for("admin.user_role", user_id=record.merged_into_id))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires(Action.ROLE_GRANT, load=User, refused=_role_refused)
def user_role(user):
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
                # The name last: a display name may hold a comma ("Hélène Garnier, adjointe au maire").
                flash(_l("Role saved: %(role)s, for %(name)s.", name=user.display_name,
                         role=labels.label(user.role)), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_role.html", form=form, user=user)


@bp.route("/districts", methods=["GET", "POST"])
@requires(Action.DISTRICT_MANAGE)
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


@bp.route("/staff-log", endpoint="staff_log")
@requires(Action.STAFF_LOG_READ)
def staff_log_page():
    form = StaffLogFilterForm(request.args)
    form.actor.choices = [("", _l("All"))] + [(u.id, u.display_name) for u in services.staff_members()]
    filters = {}
    if form.validate():
        since, until = paris_day_bounds(form.since.day, form.until.day)
        filters = {"area": form.area.data or None, "actor_id": form.actor.data, "since": since, "until": until}
    page = staff_log.entries(**filters, page=int_arg("page", 1), after=request.args.get("after"),
                             before=request.args.get("before"))
    return render_template("admin/staff_log.html", form=form, page=page, excerpt=staff_log.EXCERPT)


@bp.route("/staff-log/<int:staff_log_entry_id>")
@requires(Action.STAFF_LOG_READ, load=StaffLogEntry)
def staff_log_entry(staff_log_entry):
    return render_template("admin/staff_log_entry.html", entry=staff_log_entry)


def _identity_form():
    current = identity.current()
    values = {name: value for name, value in current.values().items() if name in identity.TEXT_FIELDS}
    values["audit_rate"] = int(current.audit_rate) if current.audit_rate.isdigit() else None
    for name in ("declared_on", "audit_date"):
        values[name] = current.day(name)
    return IdentityForm(**values), current


@bp.route("/identity", methods=["GET", "POST"])
@requires(Action.IDENTITY_MANAGE)
def identity_settings():
    form, current = _identity_form()
    if form.validate_on_submit():
        values = {name: (getattr(form, name).data or "").strip() if isinstance(getattr(form, name).data, str)
                  else "" for name in identity.TEXT_FIELDS}
        values["siret"] = form.siret_digits()
        values["audit_rate"] = "" if form.audit_rate.data is None else str(form.audit_rate.data)
        for name in ("declared_on", "audit_date"):
            values[name] = getattr(form, name).day.isoformat() if getattr(form, name).day else ""
        upload = request.files.get(form.logo.name)
        logo = upload.read(MAX_UPLOAD) if upload and upload.filename else None
        try:
            services.save_identity(current_user, values, logo=logo, remove_logo=form.remove_logo.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The identity of the collectivité is saved."), "success")
            return redirect(url_for("admin.identity_settings"))
    return render_template("admin/identity.html", form=form, current=current)
