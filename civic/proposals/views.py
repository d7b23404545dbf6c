from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ..access import Action, can, current_account, public, requires
from ..accounts.services import all_districts
from ..answers.models import AnswerStatus
from ..answers.services import earlier_versions
from ..counters.acting import actor, receipt_redirect, record_if_assisted
from ..counters.models import AssistedActionKind
from ..domain import DomainError, attach_error, flash_refusal
from ..extensions import db
from ..followup.services import records_of_proposal
from ..i18n import current_language
from ..moderation.services import reported_by
from ..pagination import page_args
from ..processes.phases import proposal_refusal
from ..routing import int_arg, parse_id
from ..site_map import PARTICIPATION, in_site_map
from ..targets import TargetType
from ..themes.services import active_themes, theme_choices
from . import opendata  # noqa: F401 - registers the proposals and comments datasets
from . import personal_data, registrations  # noqa: F401 - register "my data" sections, moderation, follows
from . import rules  # noqa: F401 - registers the package's access rules
from . import kept_counts, services  # noqa: F401 - kept_counts: its triggers come with the tables
from .forms import CommentForm, ProposalForm, WithdrawForm
from .models import COMMENT_MAX, Comment, Proposal, ProposalState
from .submission import submitted

bp = Blueprint("proposals", __name__)

STATE_FILTERS = {"published": ProposalState.PUBLISHED, "withdrawn": ProposalState.WITHDRAWN, "all": None}


@bp.route("/")
@public
@in_site_map(_l("Proposals"), PARTICIPATION + 10)
def index():
    themes = theme_choices()
    theme_id = int_arg("theme")
    state_key = request.args.get("state", "published")
    if state_key not in STATE_FILTERS:
        state_key = "published"
    sort = request.args.get("sort", "newest")
    if sort not in services.SORTS:
        sort = "newest"
    query = request.args.get("q", "").strip()[:200]
    answer_key = request.args.get("answer", "")
    answers = {s.value: s for s in AnswerStatus}
    answer = "none" if answer_key == "none" else answers.get(answer_key)
    page = services.list_proposals(
        query=query, theme_id=theme_id, state=STATE_FILTERS[state_key], sort=sort, answer=answer,
        per_page=current_app.config["PROPOSALS_PER_PAGE"], **page_args(),
    )
    return render_template("proposals/list.html", page=page, themes=themes, theme_id=theme_id,
                           state=state_key, sort=sort, query=query,
                           answer_key=answer_key if answer is not None else "")


def _proposal_form(obj=None):
    form = ProposalForm(obj=obj)
    if obj is not None and request.method == "GET":
        form.theme.data = obj.theme_id
        form.district.data = obj.district_id
    form.set_themes(active_themes(), current_language())
    form.set_districts(all_districts())
    return form


def _back_to(proposal, message):
    """Refused because of the proposal's state (edited, withdrawn or hidden meanwhile): say why on its page."""
    flash_refusal(DomainError(message))
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))


@bp.route("/new", methods=["GET", "POST"])
@requires(Action.PROPOSAL_CREATE)
@in_site_map(_l("Submit a proposal"), PARTICIPATION + 11)
def new():
    form = _proposal_form()
    if form.validate_on_submit():
        try:
            proposal = services.submit_proposal(actor(), form.title.data, form.body.data,
                                                form.theme.data, form.place.data, form.district_id)
        except DomainError as error:
            attach_error(form, error)
        else:
            return submitted(proposal)
    return render_template("proposals/form.html", form=form, proposal=None)


def _render_detail(shown, comment_form=None, status=200):
    """The page of ``shown`` (a services.ProposalPage)."""
    proposal = shown.proposal
    supports, comments = services.proposal_counts(proposal)
    threads = services.comment_threads(proposal, **page_args(), any_thread=shown.discussed)
    reader = current_account()
    reported = reported_by(reader, [c for thread, replies, _count in threads.items for c in (thread, *replies)])
    if shown.reported:
        reported.add((TargetType.PROPOSAL, proposal.id))
    may_comment = can(reader, Action.COMMENT_CREATE, proposal)
    return render_template(
        "proposals/detail.html",
        proposal=proposal,
        answer=shown.answer,
        earlier_answers=earlier_versions(shown.answer) if shown.answer_changed else ([], 0),
        following=shown.following,
        merged_into=_merged_into(proposal),
        supports=supports,
        comment_count=comments,
        supported=shown.supported,
        threads=threads,
        may_comment=may_comment,
        # A form only when one was posted, to show it again with its errors: the blank comment form is written in the
        # template, as the follow and support buttons are (building and rendering the WTForms form cost some 6 % of
        # the page).
        comment_form=comment_form,
        comment_max=COMMENT_MAX,
        reported=reported,
        records=records_of_proposal(proposal) if shown.followed_up else [],
        # A proposal of a process is supported in some of its phases only: said when the phase is why not.
        phase_refusal=proposal_refusal(proposal, Action.PROPOSAL_SUPPORT),
    ), status


def _merged_into(proposal):
    """The proposal this one was merged into, when the reader may read it."""
    kept = db.session.get(Proposal, proposal.merged_into_id) if proposal.merged_into_id else None
    return kept if kept is not None and can(current_account(), Action.PROPOSAL_READ, kept) else None


def _proposal_page(kwargs):
    """``load`` of the proposal's page: the proposal with all its page shows, its answer and the reader's marks (the
    view's ``shown``), in one statement, or 404. The view's action (PROPOSAL_VIEW, which hides) is the proposals'
    visibility rule: ``requires`` applies it to the proposal."""
    shown = services.proposal_for_page(kwargs.pop("proposal_id"), current_account(), actor())
    if shown is None:
        abort(404)
    kwargs["shown"] = shown
    return shown.proposal


@bp.route("/<int:proposal_id>")
@requires(Action.PROPOSAL_VIEW, load=_proposal_page)
def detail(shown):
    if not can(current_account(), Action.PROPOSAL_READ, shown.proposal):
        return render_template("proposals/unavailable.html", proposal=shown.proposal)
    return _render_detail(shown)


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@requires(Action.PROPOSAL_EDIT, load=Proposal, refused=_back_to)
def edit(proposal):
    form = _proposal_form(obj=proposal)
    if form.validate_on_submit():
        try:
            services.edit_proposal(proposal, form.title.data, form.body.data, form.theme.data, form.place.data,
                                   form.district_id)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("Your changes are saved."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template("proposals/form.html", form=form, proposal=proposal)


@bp.route("/<int:proposal_id>/withdraw", methods=["GET", "POST"])
@requires(Action.PROPOSAL_WITHDRAW, load=Proposal)
def withdraw(proposal):
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_proposal(proposal, form.reason.data)
        except DomainError as error:  # moderation hid it since the page was shown
            return _back_to(proposal, error.message)
        flash(_l("Your proposal is withdrawn."), "success")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template("proposals/withdraw.html", form=form, proposal=proposal)


@bp.route("/<int:proposal_id>/support", methods=["POST"])
@requires(Action.PROPOSAL_SUPPORT, load=Proposal)
def support(proposal):
    try:
        supported = services.support_proposal(actor(), proposal)
    except DomainError as error:  # moderation hid it since the page was shown
        return _back_to(proposal, error.message)
    if supported:
        receipt = record_if_assisted(AssistedActionKind.SUPPORT_ADDED, entered=services.support_of(actor(), proposal))
        if receipt:
            return receipt_redirect(receipt)
        flash(_l("Your support is recorded."), "success")
    else:
        flash(_l("You already support this proposal."), "info")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id, _anchor="support"))


@bp.route("/<int:proposal_id>/support/withdraw", methods=["POST"])
@requires(Action.PROPOSAL_SUPPORT, load=Proposal)
def unsupport(proposal):
    if services.withdraw_support(actor(), proposal):
        receipt = record_if_assisted(AssistedActionKind.SUPPORT_WITHDRAWN, about=proposal)
        if receipt:
            return receipt_redirect(receipt)
        flash(_l("Your support is withdrawn."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id, _anchor="support"))


@bp.route("/<int:proposal_id>/comments", methods=["POST"])
@requires(Action.COMMENT_CREATE, load=Proposal)
def comment(proposal):
    form = CommentForm()
    parent_id = parse_id(form.parent_id.data)
    if form.validate_on_submit():
        try:
            created = services.add_comment(actor(), proposal, form.body.data, parent_id)
        except DomainError as error:
            attach_error(form, error)
        else:
            receipt = record_if_assisted(AssistedActionKind.COMMENT_CREATED, entered=created)
            if receipt:
                return receipt_redirect(receipt)
            flash(_l("Your comment is published."), "success")
            return redirect(_comment_url(created))
    if parent_id:
        parent = services.find_thread(proposal, parent_id)
        if parent is not None and parent.open_for_replies:
            return _render_thread(proposal, parent, form)
    return _render_detail(services.proposal_for_page(proposal.id, current_account(), actor()), comment_form=form)


def _render_thread(proposal, thread, form):
    replies = services.thread_replies(thread, **page_args())
    return render_template("proposals/thread.html", proposal=proposal, thread=thread, form=form, replies=replies,
                           reported=reported_by(current_account(), [thread, *replies.items]))


@bp.route("/<int:proposal_id>/comments/<int:comment_id>")
@requires(Action.PROPOSAL_READ, load=Proposal)
def thread(proposal, comment_id):
    """A thread with all its replies, page by page, and the form to reply (without JavaScript, replying
    means coming here)."""
    parent = services.find_thread(proposal, comment_id)
    if parent is None:
        abort(404)
    return _render_thread(proposal, parent, CommentForm(formdata=None, parent_id=str(parent.id)))


def _comment_url(comment):
    """The page that shows ``comment``, opened at it."""
    thread_, threads_page, reply_page = services.comment_position(comment)
    anchor = f"comment-{comment.id}"
    if reply_page is None:
        return url_for("proposals.detail", proposal_id=comment.proposal_id,
                       page=threads_page if threads_page > 1 else None, _anchor=anchor)
    return url_for("proposals.thread", proposal_id=comment.proposal_id, comment_id=thread_.id,
                   page=reply_page if reply_page > 1 else None, _anchor=anchor)


@bp.route("/comments/<int:comment_id>")
@requires(Action.COMMENT_VIEW, load=Comment)
def comment_link(comment):
    """A comment's lasting address (links from moderation, receipts, mails): its page moves as others
    are written."""
    return redirect(_comment_url(comment))


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@requires(Action.COMMENT_DELETE, load=Comment)
def delete_comment(comment):
    """GET: the comment and a button, as deleting cannot be undone; POST: delete it."""
    if request.method == "GET":
        return render_template("proposals/delete_comment.html", comment=comment, back=_comment_url(comment))
    services.delete_comment(comment)
    flash(_l("Your comment is deleted."), "success")
    return redirect(_comment_url(comment))
