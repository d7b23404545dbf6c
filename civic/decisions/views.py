import json

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from .. import limits
from ..access import Action, can, load_visible, public, refusal, requires
from ..chunked_files import download, schema_download, stateless
from ..accounts.services import all_districts
from ..counters.acting import actor, assisted_session, receipt_redirect, record_if_assisted
from ..counters.models import AssistedActionKind, Channel
from ..counters.receipts import keep_ballot_code
from ..domain import DomainError, attach_error, flash_refusal
from ..errors import render_error
from ..followup.services import records_of_decision
from ..forms import whole_number
from ..routing import int_arg
from ..site_map import PARTICIPATION, in_site_map, not_in_site_map
from ..timezones import now_paris, paris_to_utc, utc_to_paris
from ..voting import ballot_file, majority_judgment
from . import ballots as codec
from . import registrations  # noqa: F401 - registers follows, receipts and "my data" for decisions
from . import rules  # noqa: F401 - registers the package's access rules
from . import corrections, opendata, queue, services
from .charts import bar_chart
from .files import BALLOTS_CSV, BALLOTS_PB, DATAPACKAGE, RESULTS_CSV, RESULTS_JSON, chunks
from .forms import NEW_ROWS, BallotCodeForm, DecisionForm, DescriptionForm, MethodForm
from .models import RANKING_METHODS, BudgetRule, Decision, DecisionJob, DecisionState, JobKind, Method

# A published file never changes: a browser or a proxy may keep it a year without asking again.
PUBLISHED_FILE_CACHE = "public, max-age=31536000, immutable"

SHORT_VOTE_WARNING = _l("This vote lasts less than a day: residents who look once a day may miss it. Check its "
                        "dates before announcing it.")

# What a resident refused by a district vote can do about it: nothing for this vote (a district stated now
# counts only for the votes that open later), so the link says it is for those.
DISTRICT_LINKS = {services.DistrictStanding.NOT_SET: _l("State your district for the votes that open later"),
                  services.DistrictStanding.ELSEWHERE: _l("Change your district for the votes that open later")}

bp = Blueprint("decisions", __name__)


@bp.after_request
def _no_store_ballots(response):
    """Ballot, check, confirmation and ballot-lookup pages must not stay in a shared browser's cache."""
    if request.endpoint in ("decisions.vote", "decisions.confirm_vote", "decisions.voted", "decisions.check_ballot"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _announced_only(decision, message):
    """Typo fixes and publication concern announced votes: a draft has neither (404, as for residents);
    other states are told why."""
    if decision.state is DecisionState.DRAFT:
        abort(404)
    return render_error(403, message=message)


def _back_to(decision, message):
    """Refused because of the decision's state (or the resident's: already voted, another district):
    back to the decision, saying why, unless its page says so itself (an open vote tells a resident who
    may not take part why, under the question): the same sentence twice, in a notice and in the page."""
    shown = (refusal(current_user, Action.DECISION_VOTE, decision)
             if current_user.is_authenticated and decision.state is DecisionState.OPEN
             and not services.has_voted(actor(), decision) else None)
    if shown is None or str(shown.message) != str(message):
        flash_refusal(DomainError(message))
    return redirect(url_for("decisions.detail", decision_id=decision.id))


@bp.route("/")
@public
@in_site_map(_l("Votes and consultations"), PARTICIPATION + 20)
def index():
    page = services.decisions_page(include_drafts=can(current_user, Action.DECISION_MANAGE),
                                   page=int_arg("page", 1), after=request.args.get("after"),
                                   before=request.args.get("before"))
    return render_template("decisions/list.html", page=page)


def _method_arg():
    """The method chosen at the form's first step (``?method=``), or None."""
    return next((m for m in Method if m.value == request.args.get("method")), None)


def _method_step(decision):
    """The form's first step: the voting method, which decides what the rest of the form asks (without a
    script to hide the other methods' fields)."""
    form = MethodForm(request.args)
    if "method" in request.args:
        form.validate()
    elif decision is not None:
        form.method.data = decision.method.value
    return render_template("decisions/method.html", form=form, decision=decision)


def _decision_form(decision=None):
    form = DecisionForm(obj=decision)
    form.districts.choices = [(d.id, d.name) for d in all_districts()]
    if request.method == "GET":
        form.method.data = (_method_arg() or decision.method).value
        if decision is None:
            form.opens_at.data, form.closes_at.data = now_paris(), None
        else:
            form.budget_rule.data = decision.budget_rule.value if decision.budget_rule else None
            form.opens_at.data, form.closes_at.data = utc_to_paris(decision.opens_at), utc_to_paris(decision.closes_at)
            form.districts.data = [d.id for d in decision.districts]
        form.options.add_rows(max(1, NEW_ROWS - len(form.options.entries)))
    elif request.form.get("add_rows"):
        form.options.add_rows(NEW_ROWS)
    return form


def _save(form, decision):
    return services.save_decision(
        decision, current_user, title=form.title.data, question=form.question.data,
        description=form.description.data or "", method=Method(form.method.data),
        opens_at=paris_to_utc(form.opens_at.data), closes_at=paris_to_utc(form.closes_at.data),
        options=form.options.parsed,
        max_choices=form.max_choices.data, budget=whole_number(form.budget),
        budget_rule=next((r for r in BudgetRule if r.value == form.budget_rule.data), None),
        voter_cost_limit=whole_number(form.voter_cost_limit), district_ids=form.districts.data or [],
        number_of_winners=form.number_of_winners.data or 1,
    )


def _saved(decision, message):
    flash(message, "success")
    if services.is_short(decision):
        flash(SHORT_VOTE_WARNING, "info")
    return redirect(url_for("decisions.detail", decision_id=decision.id))


def _form_page(form, decision):
    """The whole form for the chosen method; "add rows" comes back here with what was typed, unchecked."""
    if request.method == "POST" and not request.form.get("add_rows") and form.validate():
        try:
            saved = _save(form, decision)
        except DomainError as error:
            attach_error(form, error)
        else:
            return _saved(saved, _l("Your changes are saved.") if decision else
                          _l("The decision is saved as a draft. Check it, then announce it."))
    return render_template("decisions/form.html", form=form, decision=decision, method=form.chosen_method(),
                           RANKING_METHODS=RANKING_METHODS, followed=services.process_phase(decision))


@bp.route("/new", methods=["GET", "POST"])
@requires(Action.DECISION_MANAGE)
def new():
    if request.method == "GET" and _method_arg() is None:
        return _method_step(None)
    return _form_page(_decision_form(), None)


@bp.route("/<int:decision_id>/edit", methods=["GET", "POST"])
@requires(Action.DECISION_MANAGE, load=Decision)
def edit(decision):
    if request.method == "GET" and "choose" in request.args:
        return _method_step(decision)
    return _form_page(_decision_form(decision), decision)


@bp.route("/<int:decision_id>/announce", methods=["GET", "POST"])
@requires(Action.DECISION_MANAGE, load=Decision)
def announce(decision):
    """GET: what announcing means, and a warning for a vote shorter than a day; POST: announce."""
    if decision.state is not DecisionState.DRAFT:
        flash_refusal(DomainError(_l("This decision is already announced.")))
        return redirect(url_for("decisions.detail", decision_id=decision.id))
    if request.method == "GET":
        return render_template("decisions/announce.html", decision=decision, short=services.is_short(decision))
    try:
        services.announce(decision, by=current_user)
    except DomainError as error:
        flash_refusal(error)
    else:
        flash(_l("The decision is announced: residents can see it, and the vote opens on its date."), "success")
    return redirect(url_for("decisions.detail", decision_id=decision.id))


@bp.route("/<int:decision_id>/description", methods=["GET", "POST"])
@requires(Action.DECISION_FIX_DESCRIPTION, load=Decision, refused=_announced_only)
def fix_description(decision):
    form = DescriptionForm(obj=decision)
    if form.validate_on_submit():
        try:
            corrections.fix_description(decision, current_user, form.description.data or "")
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The description is corrected; the change is shown on the decision."), "success")
            return redirect(url_for("decisions.detail", decision_id=decision.id))
    return render_template("decisions/description.html", form=form, decision=decision)


def _found(kwargs, name, obj):
    """The object a page's own loader read, as ``requires`` passes it to the view, or 404. The view's action
    (DECISION_VIEW, which hides) is the decisions' visibility rule: ``requires`` applies it to the object."""
    if obj is None:
        abort(404)
    kwargs[name] = obj
    return obj


def _for_page(kwargs):
    """``load`` of the decision's page: the decision with its districts, and what its page shows beside it (the
    view's ``shown``: options, process, whether its description was corrected), in a statement built once."""
    shown = kwargs["shown"] = services.decision_for_page(kwargs.pop("decision_id"))
    return _found(kwargs, "decision", shown.decision)


def _for_results(kwargs):
    """``load`` of the results' page: the decision, and what its page shows beside it (the view's ``shown``: its
    ballots file's fingerprint and its published results, None before publication, whether records follow it up)."""
    shown = kwargs["shown"] = services.decision_for_results(kwargs.pop("decision_id"))
    return _found(kwargs, "decision", shown.decision)


@bp.route("/<int:decision_id>")
@requires(Action.DECISION_VIEW, load=_for_page)
def detail(decision, shown):
    voted, following = (services.voted_and_following(actor(), current_user, decision) if current_user.is_authenticated
                        else (False, False))
    refused = refusal(current_user, Action.DECISION_VOTE, decision) if current_user.is_authenticated else None
    standing = services.district_standing(actor(), decision) if refused is not None and not refused.forbidden else None
    return render_template("decisions/detail.html", decision=decision, voted=voted, vote_refusal=refused,
                           district_refused=standing is not None, district_link=DISTRICT_LINKS.get(standing),
                           short=services.is_short(decision),
                           edits=corrections.description_edits(decision) if shown.corrected else [],
                           state=decision.state, process=shown.process, options=shown.options,
                           following=following)


def _ballot_page(decision, form_data=None, error=None, status=200):
    return render_template("decisions/ballot.html", decision=decision, data=form_data or MultiDict(), error=error,
                           grades=majority_judgment.GRADES, has_errors=error is not None), status


@bp.route("/<int:decision_id>/vote", methods=["GET", "POST"])
@requires(Action.DECISION_VOTE, load=Decision, refused=_back_to)
def vote(decision):
    """GET: the ballot. POST: check it and show the "check your vote" page."""
    if request.method == "GET":
        return _ballot_page(decision)
    if request.form.get("edit"):  # "Change my answers" on the check page
        return _ballot_page(decision, request.form)
    try:
        content = codec.parse_form(decision, request.form)
    except DomainError as error:
        return _ballot_page(decision, request.form, error)
    return render_template("decisions/check.html", decision=decision, content=content,
                           grades=majority_judgment.GRADES, total=codec.chosen_cost(decision, content.get("options", ())))


@bp.route("/<int:decision_id>/vote/confirm", methods=["POST"])
@requires(Action.DECISION_VOTE, load=Decision, refused=_back_to)
def confirm_vote(decision):
    try:
        content = codec.parse_form(decision, request.form)
    except DomainError as error:
        return _ballot_page(decision, request.form, error)
    channel = Channel.COUNTER if assisted_session() else Channel.ONLINE
    try:
        code = services.cast_ballot(actor(), decision, content, channel)
    except DomainError as error:
        return _back_to(decision, error.message)
    receipt = record_if_assisted(AssistedActionKind.VOTE_CAST, entered=services.participation_of(actor(), decision),
                                 about=decision)
    if receipt:
        keep_ballot_code(receipt, code)
        return receipt_redirect(receipt)
    session["tracking_code"] = (decision.id, code)
    return redirect(url_for("decisions.voted", decision_id=decision.id))


@bp.route("/<int:decision_id>/voted")
@requires(Action.DECISION_VOTE)
def voted(decision_id):
    """After the vote, the rule that allowed it refuses a second one: this page asks only for a resident."""
    decision = load_visible(Decision, decision_id)
    if not services.has_voted(actor(), decision):
        return redirect(url_for("decisions.detail", decision_id=decision.id))
    stored = session.pop("tracking_code", None)
    code = stored[1] if stored and stored[0] == decision.id else None
    return render_template("decisions/voted.html", decision=decision, code=code)


def _not_published(decision):
    """The results of a vote anyone may see but whose results nobody published yet: there is nothing at this
    address yet (404), and the page says when there will be, with the way back to the vote."""
    return render_template("decisions/not_published.html", decision=decision, state=decision.state), 404


@bp.route("/<int:decision_id>/results")
@requires(Action.DECISION_VIEW, load=_for_results)
def results(decision, shown):
    # The vote is visible (drafts stay a plain 404); its results may not be yet: say so rather than "not found".
    if not can(current_user, Action.RESULTS_READ, decision):
        return _not_published(decision)
    if decision.published_at is not None:
        data, preview = shown.published, False
    else:  # an official reviewing the count of a closed vote (access: RESULTS_READ)
        counted = queue.preview(decision, current_user)
        if isinstance(counted, DecisionJob):
            return render_template("decisions/job.html", decision=decision, job=counted)
        data, preview = json.loads(counted.results_json), True
    # The options' labels by id as the results name them (winners, ties, grades): a comprehension here rather than
    # a loop of updates in the template, a call each.
    return render_template("decisions/results.html", decision=decision, data=data, preview=preview,
                           labels={str(option["id"]): option["label"] for option in data["options"]},
                           chart=bar_chart(decision, data),
                           column_prefix=ballot_file.COLUMN_PREFIX.get(decision.method.value),
                           ballots_sha256=shown.ballots_sha256,
                           records=records_of_decision(decision) if shown.followed_up and not preview else [])


@bp.route("/<int:decision_id>/results/ballot", methods=["GET", "POST"])
@limits.per_ip("SECRET_LIMIT_PER_IP", methods=["POST"])
@requires(Action.DECISION_VIEW, load=Decision)
def check_ballot(decision):
    """"Check my ballot": the published ballot a verification code names, by option labels. An unknown code
    gets the same page with a message in the same place (and the same status). Posted, never in the address:
    with the published ballots file, a code in the browser's history (a library's, a counter's computer) or in
    a server's log would tell how its voter voted."""
    # Before publication nobody checks a ballot, an official reviewing the count included: the ballots are
    # not public yet.
    if decision.published_at is None or not can(current_user, Action.RESULTS_READ, decision):
        return _not_published(decision)
    form = BallotCodeForm()
    typed = form.validate_on_submit()
    return render_template("decisions/check_ballot.html", decision=decision, form=form, looked_up=typed,
                           content=services.published_ballot(decision, form.code.data) if typed else None)


def _queued(decision, kind):
    """Queue the job and have it started after this request; False, the refusal flashed, when refused."""
    try:
        queue.wake(queue.queue_job(decision, kind, current_user))
    except DomainError as error:
        flash_refusal(error)
        return False
    return True


@bp.route("/<int:decision_id>/count", methods=["POST"])
@requires(Action.RESULTS_PUBLISH, load=Decision, refused=_announced_only)
def count(decision):
    """Count again a vote whose count failed (results: the count runs when the page is first seen)."""
    _queued(decision, JobKind.COUNT)
    return redirect(url_for("decisions.results", decision_id=decision.id))


@bp.route("/<int:decision_id>/publish", methods=["GET", "POST"])
@requires(Action.RESULTS_PUBLISH, load=Decision, refused=_announced_only)
def publish(decision):
    """GET: what publishing freezes, once the count was reviewed; POST: publish."""
    if request.method == "GET":
        preview = services.preview_of(decision)
        if preview is None:  # nothing reviewed yet: the count first
            return redirect(url_for("decisions.results", decision_id=decision.id))
        return render_template("decisions/publish.html", decision=decision, data=json.loads(preview.results_json))
    endpoint = "decisions.publication" if _queued(decision, JobKind.PUBLISH) else "decisions.results"
    return redirect(url_for(endpoint, decision_id=decision.id))


@bp.route("/<int:decision_id>/publication")
@requires(Action.RESULTS_READ, load=Decision)
def publication(decision):
    """Where the publication an official asked for is: refreshed by a link, no script."""
    if decision.published_at is not None:
        flash(_l("The results are published."), "success")
        return redirect(url_for("decisions.results", decision_id=decision.id))
    job = queue.latest_job(decision, JobKind.PUBLISH)
    if job is None:
        return redirect(url_for("decisions.results", decision_id=decision.id))
    queue.wake(job)
    return render_template("decisions/job.html", decision=decision, job=job)


def _download(decision, name, filename):
    """A file of the published results, streamed from the database (civic.chunked_files.download: its SHA-256
    as ETag). An official's preview of a closed vote has no files."""
    file = services.published_file(decision, name) if decision.published_at is not None else None
    if file is None:
        abort(404)
    return download(chunks(file.id), file.sha256, file.media_type, filename, file.size, cache=PUBLISHED_FILE_CACHE)


@bp.route("/<int:decision_id>/ballots.csv")
@requires(Action.RESULTS_READ, load=Decision)
@stateless
def ballots_csv(decision):
    return _download(decision, BALLOTS_CSV, f"decision-{decision.id}-ballots.csv")


@bp.route("/<int:decision_id>/ballots.pb")
@requires(Action.RESULTS_READ, load=Decision)
@stateless
def ballots_pb(decision):
    return _download(decision, BALLOTS_PB, f"decision-{decision.id}.pb")


@bp.route("/<int:decision_id>/results.json")
@requires(Action.RESULTS_READ, load=Decision)
@stateless
def results_json(decision):
    return _download(decision, RESULTS_JSON, f"decision-{decision.id}-results.json")


@bp.route("/<int:decision_id>/results.csv")
@requires(Action.RESULTS_READ, load=Decision)
@stateless
def results_csv_file(decision):
    return _download(decision, RESULTS_CSV, f"decision-{decision.id}-results.csv")


@bp.route("/results.schema.json")
@public
@not_in_site_map("the JSON Schema of the results files, for the programs that read them")
@stateless
def results_schema():
    """The JSON Schema every results.json follows (datapackage.json links to it)."""
    return schema_download(opendata.RESULTS_SCHEMA)


@bp.route("/<int:decision_id>/datapackage.json")
@requires(Action.RESULTS_READ, load=Decision)
@stateless
def datapackage_json(decision):
    return _download(decision, DATAPACKAGE, "datapackage.json")
