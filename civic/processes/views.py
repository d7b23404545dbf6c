from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import Action, can, public, requires
from ..accounts.services import all_districts
from ..counters.acting import actor
from ..decisions.models import Method
from ..domain import DomainError, attach_error, flash_refusal
from ..extensions import db
from ..followup import services as followup
from ..i18n import current_language
from ..legal.logo import MAX_BYTES as MAX_ILLUSTRATION_BYTES, drawing_response
from ..pagination import page_args
from ..proposals import services as proposals
from ..proposals.forms import ButtonForm
from ..proposals.submission import submitted
from ..routing import int_arg
from ..site_map import PARTICIPATION, in_site_map
from ..themes.services import active_themes, all_themes
from . import opendata  # noqa: F401 - registers the processes' datasets
from . import registrations  # noqa: F401 - the processes' pages in sitemap.xml
from . import rules  # noqa: F401 - registers the package's access rules
from . import sections, services
from .forms import BuildVoteForm, ProcessForm, ProcessProposalForm, StudyForm
from .models import PhaseKind, Process, ProcessProposal
from .phases import current_phase, steps

bp = Blueprint("processes", __name__)

# The question a vote built from a process asks, in the official's language (they may change it before announcing).
QUESTIONS = {Method.BUDGET: _l("Which projects should be carried out?"), None: _l("Which projects do you prefer?")}
# One byte over the limit is enough to refuse the file.
MAX_UPLOAD = MAX_ILLUSTRATION_BYTES + 1


def _back_to(process, message):
    """Refused because of the process's phase: say why on its page."""
    flash_refusal(DomainError(message))
    return redirect(url_for("processes.detail", process_id=process.id))


def _frame(process):
    """What every page of a process shows: its steps, the current one marked."""
    return {"process": process, "steps": steps(process), "current": current_phase(process)}


@bp.route("")
@public
@in_site_map(_l("Participatory processes"), PARTICIPATION + 5)
def index():
    when = request.args.get("when", services.CURRENT)
    # Who manages processes sees the drafts and the button to create one: the rule asked once for both.
    manages = can(current_user, Action.PROCESS_MANAGE)
    if when not in services.WHEN and not (when == services.DRAFTS and manages):
        when = services.CURRENT
    page = services.processes_page(when, **page_args())
    return render_template("processes/index.html", page=page, when=when, manages=manages)


def _process_form(process=None):
    form = ProcessForm(obj=process)
    if process is not None and request.method == "GET":
        form.themes.data = [t.id for t in process.themes]
        form.districts.data = [d.id for d in process.districts]
        form.budget.data = str(process.budget) if process.budget else ""
        for entry, phase in zip(form.phases, process.phases):
            entry.form.kind.data = phase.kind
            entry.form.starts_on.process_data(phase.starts_on)
            entry.form.ends_on.process_data(phase.ends_on)
    form.set_choices(all_themes(), all_districts(), current_language())
    if form.validate_on_submit():
        upload = request.files.get(form.illustration.name)
        try:
            process = services.save_process(
                process, current_user, title=form.title.data, summary=form.summary.data,
                description=form.description.data or "", budget=form.budget_euros(), theme_ids=form.themes.data or [],
                district_ids=form.districts.data or [], phases=form.phase_rows(),
                illustration=upload.read(MAX_UPLOAD) if upload and upload.filename else None,
                remove_illustration=form.remove_illustration.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The process is saved as a draft: only staff see it until you publish it.") if process.is_draft
                  else _l("The process is saved."), "success")
            return redirect(url_for("processes.detail", process_id=process.id))
    return render_template("processes/form.html", form=form, process=process)


@bp.route("/new", methods=["GET", "POST"])
@requires(Action.PROCESS_MANAGE)
@in_site_map(_l("Create a participatory process"), PARTICIPATION + 6)
def new():
    return _process_form()


@bp.route("/<int:process_id>/edit", methods=["GET", "POST"])
@requires(Action.PROCESS_MANAGE, load=Process)
def edit(process):
    return _process_form(process)


@bp.route("/<int:process_id>")
@requires(Action.PROCESS_VIEW, load=Process)
def detail(process):
    page = proposals.list_proposals(state=None, process_id=process.id, per_page=services.PROPOSALS_PER_PAGE,
                                    counted=False, **page_args())
    return render_template("processes/detail.html", proposals=page, decision=process.decision,
                           sections=sections.shown(process), **_frame(process))


@bp.route("/<int:process_id>/publish", methods=["GET", "POST"])
@requires(Action.PROCESS_PUBLISH, load=Process, refused=_back_to)
def publish(process):
    """A confirmation first: once published, the process is anybody's and does not go back to draft."""
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            services.publish(process, current_user)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_l("The process is published: residents see it and take part as its phases allow."), "success")
        return redirect(url_for("processes.detail", process_id=process.id))
    return render_template("processes/publish.html", form=form, **_frame(process))


@bp.route("/<int:process_id>/realisations")
@requires(Action.PROCESS_VIEW, load=Process)
def follow_up(process):
    listing = followup.listing(services.follow_up_scope(process), request.args.get("status", ""), int_arg("theme"),
                               int_arg("district"), **page_args())
    return render_template("processes/follow_up.html", **listing, **_frame(process))


@bp.route("/<int:process_id>/illustration/<int:version>.svg")
@requires(Action.PROCESS_VIEW, load=Process)
def illustration(process, version):
    if not process.illustration or version != int(process.updated_at.timestamp()):
        abort(404)
    # Its address changes whenever the process is saved.
    return drawing_response(process.illustration, "illustration.svg")


@bp.route("/<int:process_id>/propose", methods=["GET", "POST"])
@requires(Action.PROCESS_PROPOSE, load=Process, refused=_back_to)
def propose(process):
    form = ProcessProposalForm()
    form.set_themes(process.themes or active_themes(), current_language())
    form.set_districts(process.districts or all_districts())
    if form.validate_on_submit():
        try:
            proposal = services.submit_into(process, actor(), title=form.title.data, body=form.body.data,
                                            theme_id=form.theme.data, place=form.place.data,
                                            district_id=form.district_id, cost_estimate=form.cost_euros())
        except DomainError as error:
            attach_error(form, error)
        else:
            return submitted(proposal)
    return render_template("processes/propose.html", form=form, **_frame(process))


@bp.route("/<int:process_id>/study")
@requires(Action.PROCESS_STUDY, load=Process, refused=_back_to)
def study_queue(process):
    pending_only = request.args.get("all") is None
    page = services.study_queue(process, pending_only=pending_only, **page_args())
    return render_template("processes/study_queue.html", page=page, pending_only=pending_only, **_frame(process))


def _entry(kwargs):
    """The proposal of the URL, within the process of the URL, or 404."""
    entry = db.session.get(ProcessProposal, kwargs.pop("proposal_id"))
    if entry is None or entry.process_id != kwargs["process_id"] or not services.is_studied(entry):
        abort(404)
    kwargs.pop("process_id")
    kwargs["entry"] = entry
    return entry.process


@bp.route("/<int:process_id>/study/<int:proposal_id>", methods=["GET", "POST"])
@requires(Action.PROCESS_STUDY, load=_entry, refused=_back_to)
def study(entry):
    form = StudyForm(data=None if request.method == "POST" else _study_values(entry))
    if form.validate_on_submit():
        try:
            changed = services.study(entry, current_user, feasibility=form.chosen_feasibility(),
                                     estimated_cost=form.cost_euros(), reason=form.reason.data,
                                     department=form.department.data, merged_into_id=form.merged_into_id())
        except DomainError as error:
            attach_error(form, error)
        else:
            if changed:
                flash(_l("The study is saved: the author and the followers of the proposal are told when its "
                         "feasibility changes."), "success")
            return redirect(url_for("processes.study_queue", process_id=entry.process_id))
    return render_template("processes/study.html", form=form, entry=entry, **_frame(entry.process))


def _study_values(entry):
    """The form's values from the study already made, to change it."""
    return {"feasibility": entry.feasibility.value if entry.feasibility else None,
            "estimated_cost": str(entry.estimated_cost) if entry.estimated_cost else "",
            "reason": entry.study_reason or "", "department": entry.department or "",
            "merged_into": str(entry.merged_into_id) if entry.merged_into_id else ""}


@bp.route("/<int:process_id>/build-vote", methods=["GET", "POST"])
@requires(Action.PROCESS_BUILD_VOTE, load=Process, refused=_back_to)
def build_vote(process):
    form = BuildVoteForm()
    if form.validate_on_submit():
        method = form.chosen_method()
        try:
            decision = services.build_vote(
                process, current_user, str(QUESTIONS.get(method, QUESTIONS[None])), method=method,
                budget_rule=form.chosen_rule(),
                number_of_winners=form.winners())
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The vote is built as a draft: check it, then announce it."), "success")
            return redirect(url_for("decisions.detail", decision_id=decision.id))
    return render_template("processes/build_vote.html", form=form, projects=services.feasible_projects(process),
                           vote_phase=process.phase_of(PhaseKind.VOTE), **_frame(process))
