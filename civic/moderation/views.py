"""Reports by residents, the moderator's queue and decisions, the public journal, moderation settings."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import targets
from ..access import Action, public, requires
from ..domain import DomainError, attach_error
from ..extensions import db
from ..navigation import safe_next
from ..routing import int_arg
from ..site_map import PARTICIPATION, in_site_map
from ..themes.services import all_themes
from ..transaction import refuse
from . import opendata  # noqa: F401 - registers the moderation journal dataset
from . import personal_data  # noqa: F401 - registers the package's part of "my data"
from . import retention  # noqa: F401 - registers how long its records are kept
from . import rules  # noqa: F401 - registers the package's access rules
from . import services
from .forms import DecisionForm, ReportForm, SettingsForm
from .models import MODERATED_TYPES, ModerationAction, ModerationMode, ModerationKind, ReportReason
from .registry import moderated

bp = Blueprint("moderation", __name__)

MODERATED = "any(" + ", ".join(t.value for t in MODERATED_TYPES) + ")"
load_target = targets.loader(*MODERATED_TYPES)


def _under_review(target, message):
    """Reported or hidden while this resident was on the page: back to where it was, saying why, without
    showing it on the report page."""
    if request.method != "POST":
        abort(404)  # the report page shows the content: only what everyone can already see
    refuse()
    flash(message, "info")
    return redirect(targets.url(target))


def _not_reportable(target, message):
    """One's own content is shown, and the form says why it cannot be reported; content no longer shown
    is not (see _under_review)."""
    if target.author_id != current_user.id:
        return _under_review(target, message)
    refuse()
    form = ReportForm()
    form.form_errors.append(message)
    return _report_page(form, target)


def _report_page(form, target):
    return render_template("moderation/report.html", form=form, target=target, behaviour=moderated(target),
                           back=targets.url(target), already=bool(services.reported_by(current_user, [target])))


# Named by number, or by key for kinds whose numbers stay private (civic.targets.Kind.key).
@bp.route(f"/report/<{MODERATED}:target_type>/<target_id>", methods=["GET", "POST"])
@requires(Action.REPORT, load=load_target, refused=_not_reportable)
def report(target):
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.report(current_user, target, ReportReason(form.reason.data), form.text.data)
        except DomainError as error:
            if not moderated(target).reportable(target):  # other reports hid it at the same moment
                return _under_review(target, services.ALREADY_UNDER_REVIEW)
            attach_error(form, error)
        else:
            flash(_l("Thank you: your report is recorded. Moderators will look at it."), "success")
            return redirect(targets.url(target))
    return _report_page(form, target)


@bp.route("/moderation/")
@requires(Action.MODERATE)
def queue():
    page = services.queue(page=int_arg("page", 1), after=request.args.get("after"), before=request.args.get("before"))
    for item in page.items:
        item["allowed"] = services.allowed_kinds(item["target"], reported=item["reports"] > 0)
        item["behaviour"] = moderated(item["target"])
    return render_template("moderation/queue.html", page=page, form=DecisionForm(formdata=None))


def _decision_page(form, target):
    key = (targets.type_of(target), target.id)
    reasons = services.open_report_reasons([key]).get(key, [])
    return render_template("moderation/decide.html", form=form, target=target, behaviour=moderated(target),
                           reports=services.open_reports(target), reasons=reasons,
                           allowed=services.allowed_kinds(target), back=_back_to_queue())


def _back_to_queue():
    """The page of the queue the moderator came from (the decision form carries it), else its first page."""
    return safe_next(request.values.get("next"), url_for("moderation.queue"))


def _nothing_to_decide(target, _message):
    """Merged, or deleted by its author: the content is shown, and that no decision is possible on it."""
    refuse()
    return _decision_page(DecisionForm(formdata=None), target)


@bp.route(f"/moderation/<{MODERATED}:target_type>/<int:target_id>", methods=["GET", "POST"])
@requires(Action.MODERATE, load=load_target, refused=_nothing_to_decide)
def decide(target):
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.decide(current_user, target, ModerationKind(form.decision.data), form.reason.data,
                            form.message.data, form.merge_into.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The decision is recorded and the author is told."), "success")
            return redirect(_back_to_queue())
    return _decision_page(form, target)


@bp.route("/moderation/journal")
@public
@in_site_map(_l("Moderation journal"), PARTICIPATION + 30)
def journal():
    page = services.journal(page=int_arg("page", 1), after=request.args.get("after"), before=request.args.get("before"))
    return render_template("moderation/journal.html", page=page, excerpt=services.JOURNAL_EXCERPT)


@bp.route("/moderation/journal/<int:action_id>")
@public
def journal_entry(action_id):
    return render_template("moderation/journal_entry.html", action=db.get_or_404(ModerationAction, action_id))


@bp.route("/admin/moderation", methods=["GET", "POST"])
@requires(Action.MODERATION_SETTINGS)
def settings():
    themes = all_themes()
    form = SettingsForm(mode=services.global_mode().value, report_threshold=services.report_threshold())
    theme_values = {t.id: request.form.get(f"theme_{t.id}", "") if request.method == "POST"
                    else (t.moderation.value if t.moderation else "") for t in themes}
    if form.validate_on_submit():
        modes = {m.value: m for m in ModerationMode}
        try:
            services.save_settings(current_user, ModerationMode(form.mode.data), form.report_threshold.data,
                                   {t: modes.get(theme_values[t.id]) for t in themes})
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The moderation settings are saved."), "success")
            return redirect(url_for("moderation.settings"))
    return render_template("moderation/settings.html", form=form, themes=themes, theme_values=theme_values)
