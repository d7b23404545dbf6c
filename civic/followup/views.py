from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import Action, load_visible, public, requires
from ..accounts.services import all_districts
from ..domain import DomainError, attach_error
from ..following.services import is_following
from ..forms import whole_number
from ..i18n import current_language
from ..pagination import page_args
from ..routing import int_arg
from ..site_map import PARTICIPATION, in_site_map
from ..targets import TargetType
from ..themes.services import active_themes
from . import opendata  # noqa: F401 - registers the follow-up's datasets
from . import registrations  # noqa: F401 - opens records on publications and answers, follows, staff log, sitemap.xml
from . import rules  # noqa: F401 - registers the package's access rules
from . import services
from .forms import MilestoneForm, RecordForm
from .models import ImplementationRecord, ImplementationStatus

bp = Blueprint("followup", __name__, url_prefix="/realisations")

@bp.route("/")
@public
@in_site_map(_l("What was decided, and what became of it"), PARTICIPATION + 25)
def index():
    return render_template("followup/index.html", **services.listing(
        services.SITE, request.args.get("status", ""), int_arg("theme"), int_arg("district"), **page_args()))


@bp.route("/<int:implementation_record_id>")
@public
def detail(implementation_record_id):
    record = load_visible(ImplementationRecord, implementation_record_id)
    changes, total_changes = services.history(record)
    return render_template("followup/detail.html", record=record, milestones=services.milestones(record),
                           changes=changes, total_changes=total_changes,
                           following=is_following(current_user, TargetType.IMPLEMENTATION, record.id))


def _record_form(record):
    form = RecordForm(status=record.status.value, progress=str(record.progress),
                      actual_cost=str(record.actual_cost) if record.actual_cost is not None else "",
                      reason=record.reason, theme=record.theme_id, district=record.district_id)
    form.set_places(active_themes(), all_districts(), current_language())
    return form


def _edit_page(record, form, milestone_form, status=200):
    return render_template("followup/edit.html", record=record, form=form, milestone_form=milestone_form,
                           milestones=services.milestones(record)), status


@bp.route("/<int:implementation_record_id>/edit", methods=["GET", "POST"])
@requires(Action.IMPLEMENTATION_UPDATE, load=ImplementationRecord)
def edit(implementation_record):
    record = implementation_record
    form = _record_form(record)
    if form.validate_on_submit():
        try:
            changed = services.update_record(
                current_user, record, ImplementationStatus(form.status.data), whole_number(form.progress),
                whole_number(form.actual_cost), form.reason.data, form.theme.data, form.district.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            if not changed:
                flash(_l("The follow-up already said this: nothing is changed."), "info")
            elif "status" in changed:
                flash(_l("The follow-up is saved; its history shows the change and its followers are told of the "
                         "new status by e-mail."), "success")
            else:
                flash(_l("The follow-up is saved; its history shows the change."), "success")
            return redirect(url_for("followup.detail", implementation_record_id=record.id))
    return _edit_page(record, form, MilestoneForm(prefix="milestone"))


@bp.route("/<int:implementation_record_id>/milestones", methods=["POST"])
@requires(Action.IMPLEMENTATION_UPDATE, load=ImplementationRecord)
def add_milestone(implementation_record):
    record = implementation_record
    form = MilestoneForm(prefix="milestone")
    if form.validate_on_submit():
        try:
            services.add_milestone(current_user, record, form.day.day, form.text.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The milestone is added; the project's followers are told by e-mail."), "success")
            return redirect(url_for("followup.detail", implementation_record_id=record.id, _anchor="milestones"))
    return _edit_page(record, _record_form(record), form, 200)
