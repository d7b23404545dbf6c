"""Reports by residents, the moderator's queue and decisions, the public journal, moderation settings."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import Action, public, requires
from ..domain import DomainError, attach_error
from ..extensions import db
from ..pagination import paginate_rows
from ..proposals.models import Proposal, Theme
from ..routing import int_arg
from ..transaction import refuse
from . import services
from .forms import DecisionForm, ReportForm, SettingsForm
from .models import ModerationKind, ModerationMode, ReportReason

bp = Blueprint("moderation", __name__)


def _target_or_404(target_type, target_id):
    target = services.get_target(target_type, target_id)
    if target is None:
        abort(404)
    return target


def _back_to(target):
    if isinstance(target, Proposal):
        return url_for("proposals.detail", proposal_id=target.id)
    return url_for("proposals.detail", proposal_id=target.proposal_id, _anchor=f"comment-{target.id}")


@bp.route("/report/<any(proposal, comment):target_type>/<int:target_id>", methods=["GET", "POST"])
@requires(Action.REPORT)
def report(target_type, target_id):
    target = _target_or_404(target_type, target_id)
    if not services.reportable(target):
        if request.method == "POST":  # hidden while this resident was filling the form
            return _already_under_review(target)
        abort(404)  # the page shows the content: only what everyone can already see
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.report(current_user, target, ReportReason(form.reason.data), form.text.data)
        except DomainError as error:
            if not services.reportable(target):  # other reports hid it at the same moment
                return _already_under_review(target)
            attach_error(form, error)
        else:
            flash(_l("Thank you: your report is recorded. Moderators will look at it."), "success")
            return redirect(_back_to(target))
    return render_template("moderation/report.html", form=form, target=target, target_type=target_type,
                           back=_back_to(target))


def _already_under_review(target):
    """Back to where the content was, saying why, without showing the content on the report page."""
    refuse()
    flash(_l("This content is already being reviewed or is no longer shown."), "info")
    return redirect(_back_to(target))


@bp.route("/moderation/")
@requires(Action.MODERATE)
def queue():
    items = services.queue()
    forms = {(item["type"], item["target"].id): DecisionForm(formdata=None) for item in items}
    return render_template("moderation/queue.html", items=items, forms=forms,
                           allowed={key: {k.value for k in services.allowed_kinds(item["target"])}
                                    for key, item in zip(forms, items)})


@bp.route("/moderation/<any(proposal, comment):target_type>/<int:target_id>", methods=["GET", "POST"])
@requires(Action.MODERATE)
def decide(target_type, target_id):
    target = _target_or_404(target_type, target_id)
    form = DecisionForm()
    if form.validate_on_submit():
        merge_into = db.session.get(Proposal, form.merge_into.data) if form.merge_into.data else None
        try:
            services.decide(current_user, target, ModerationKind(form.decision.data), form.reason.data,
                            form.message.data, merge_into)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The decision is recorded and the author is told."), "success")
            return redirect(url_for("moderation.queue"))
    return render_template("moderation/decide.html", form=form, target=target, target_type=target_type,
                           reports=services.open_reports(target_type, target.id),
                           allowed={k.value for k in services.allowed_kinds(target)})


@bp.route("/moderation/journal")
@public
def journal():
    page = paginate_rows(services.journal(), int_arg("page", 1), 50)
    return render_template("moderation/journal.html", page=page)


@bp.route("/admin/moderation", methods=["GET", "POST"])
@requires(Action.MODERATION_SETTINGS)
def settings():
    themes = db.session.execute(db.select(Theme).order_by(Theme.name)).scalars().all()
    form = SettingsForm(mode=services.global_mode().value, report_threshold=services.report_threshold())
    theme_values = {t.id: request.form.get(f"theme_{t.id}", "") if request.method == "POST"
                    else (t.moderation.value if t.moderation else "") for t in themes}
    if form.validate_on_submit():
        modes = {m.value: m for m in ModerationMode}
        try:
            services.save_settings(current_user, ModerationMode(form.mode.data), form.report_threshold.data,
                                   {t.id: modes.get(theme_values[t.id]) for t in themes})
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The moderation settings are saved."), "success")
            return redirect(url_for("moderation.settings"))
    return render_template("moderation/settings.html", form=form, themes=themes, theme_values=theme_values)
