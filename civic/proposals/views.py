from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import Action, can, public, require_can, requires
from ..answers.models import AnswerStatus
from ..counters.acting import actor, receipt_redirect, record_if_assisted
from ..counters.models import AssistedActionKind
from ..domain import DomainError, attach_error, flash_refusal
from ..extensions import db
from ..i18n import current_language
from ..routing import int_arg, parse_id
from . import services
from .forms import ButtonForm, CommentForm, ProposalForm, WithdrawForm
from .models import Comment, Proposal, ProposalState

bp = Blueprint("proposals", __name__)

STATE_FILTERS = {"published": ProposalState.PUBLISHED, "withdrawn": ProposalState.WITHDRAWN, "all": None}


def _get_proposal(proposal_id):
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    return proposal


@bp.route("/")
@public
def index():
    themes = services.active_themes()
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
        query=query, theme_id=theme_id, state=STATE_FILTERS[state_key], sort=sort,
        page=int_arg("page", 1), per_page=current_app.config["PROPOSALS_PER_PAGE"], answer=answer,
    )
    return render_template("proposals/list.html", page=page, themes=themes, theme_id=theme_id,
                           state=state_key, sort=sort, query=query,
                           answer_key=answer_key if answer is not None else "")


def _proposal_form(obj=None):
    form = ProposalForm(obj=obj)
    if obj is not None and request.method == "GET":
        form.theme.data = obj.theme_id
    form.set_themes(services.active_themes(), current_language())
    return form


@bp.route("/new", methods=["GET", "POST"])
@requires(Action.PROPOSAL_CREATE)
def new():
    form = _proposal_form()
    if form.validate_on_submit():
        try:
            proposal = services.submit_proposal(actor(), form.title.data, form.body.data,
                                                form.theme.data, form.place.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            receipt = record_if_assisted(proposal, object_type="proposal", object_id=proposal.id)
            if receipt:
                return receipt_redirect(receipt)
            if proposal.state is ProposalState.PENDING:
                flash(_l("Your proposal is saved. It will be published once a moderator has read it."), "success")
            else:
                flash(_l("Your proposal is published."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template("proposals/form.html", form=form, proposal=None)


def _render_detail(proposal, comment_form=None, status=200):
    from ..answers.services import answer_of
    from ..following.services import is_following

    supports, comments = services.proposal_counts(proposal)
    return render_template(
        "proposals/detail.html",
        proposal=proposal,
        answer=answer_of(proposal),
        following=is_following(current_user, "proposal", proposal.id),
        merged_into=_merged_into(proposal),
        supports=supports,
        comment_count=comments,
        supported=services.has_supported(actor(), proposal),
        threads=services.comment_threads(proposal),
        comment_form=comment_form or CommentForm(formdata=None),
        button_form=ButtonForm(formdata=None),
    ), status


def _merged_into(proposal):
    """The proposal this one was merged into, when the reader may see it."""
    kept = db.session.get(Proposal, proposal.merged_into_id) if proposal.merged_into_id else None
    return kept if kept is not None and _may_read(kept) else None


def _may_read(proposal):
    """Its author and moderators read a proposal that is not public; others see why it is not.
    A merged proposal stays readable if it had been published: its supports and comments were public."""
    merged_after_publication = proposal.state is ProposalState.MERGED and proposal.published_at is not None
    return proposal.is_public or merged_after_publication or (
        current_user.is_authenticated and (proposal.author_id == current_user.id
                                           or can(current_user, Action.MODERATE)))


@bp.route("/<int:proposal_id>")
@public
def detail(proposal_id):
    proposal = _get_proposal(proposal_id)
    if not _may_read(proposal):
        if proposal.state in (ProposalState.PENDING, ProposalState.CHANGES_REQUESTED, ProposalState.MERGED):
            abort(404)  # never published: nothing to say publicly
        return render_template("proposals/unavailable.html", proposal=proposal)
    return _render_detail(proposal)


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@requires(Action.PROPOSAL_EDIT)
def edit(proposal_id):
    proposal = _get_proposal(proposal_id)
    if proposal.author_id != current_user.id:
        abort(403)
    if not can(current_user, Action.PROPOSAL_EDIT, proposal):
        flash(services.NOT_EDITABLE, "error")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    form = _proposal_form(obj=proposal)
    if form.validate_on_submit():
        try:
            services.edit_proposal(proposal, form.title.data, form.body.data, form.theme.data, form.place.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("Your changes are saved."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template("proposals/form.html", form=form, proposal=proposal)


@bp.route("/<int:proposal_id>/withdraw", methods=["GET", "POST"])
@requires(Action.PROPOSAL_WITHDRAW)
def withdraw(proposal_id):
    proposal = _get_proposal(proposal_id)
    require_can(Action.PROPOSAL_WITHDRAW, proposal)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_proposal(proposal, form.reason.data)
        except DomainError as error:  # moderation hid it since the page was shown
            flash_refusal(error)
        else:
            flash(_l("Your proposal is withdrawn."), "success")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template("proposals/withdraw.html", form=form, proposal=proposal)


@bp.route("/<int:proposal_id>/support", methods=["POST"])
@requires(Action.PROPOSAL_SUPPORT)
def support(proposal_id):
    proposal = _get_proposal(proposal_id)
    require_can(Action.PROPOSAL_SUPPORT, proposal)
    try:
        supported = services.support_proposal(actor(), proposal)
    except DomainError as error:  # moderation hid it since the page was shown
        flash_refusal(error)
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    if supported:
        support = services.support_of(actor(), proposal)
        receipt = record_if_assisted(support, object_type="support", object_id=support.id)
        if receipt:
            return receipt_redirect(receipt)
        flash(_l("Your support is recorded."), "success")
    else:
        flash(_l("You already support this proposal."), "info")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id, _anchor="support"))


@bp.route("/<int:proposal_id>/support/withdraw", methods=["POST"])
@requires(Action.PROPOSAL_SUPPORT)
def unsupport(proposal_id):
    proposal = _get_proposal(proposal_id)
    require_can(Action.PROPOSAL_SUPPORT, proposal)
    if services.withdraw_support(actor(), proposal):
        receipt = record_if_assisted(None, object_type="proposal", object_id=proposal.id,
                                     kind=AssistedActionKind.SUPPORT_WITHDRAWN)
        if receipt:
            return receipt_redirect(receipt)
        flash(_l("Your support is withdrawn."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id, _anchor="support"))


@bp.route("/<int:proposal_id>/comments", methods=["POST"])
@requires(Action.COMMENT_CREATE)
def comment(proposal_id):
    proposal = _get_proposal(proposal_id)
    require_can(Action.COMMENT_CREATE, proposal)
    form = CommentForm()
    parent_id = parse_id(form.parent_id.data)
    if form.validate_on_submit():
        try:
            created = services.add_comment(actor(), proposal, form.body.data, parent_id)
        except DomainError as error:
            attach_error(form, error)
        else:
            receipt = record_if_assisted(created, object_type="comment", object_id=created.id)
            if receipt:
                return receipt_redirect(receipt)
            flash(_l("Your comment is published."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id, _anchor=f"comment-{created.id}"))
    if parent_id:
        parent = db.session.get(Comment, parent_id)
        if parent is not None and parent.proposal_id == proposal.id and parent.open_for_replies:
            return render_template("proposals/reply.html", proposal=proposal, parent=parent, form=form)
    return _render_detail(proposal, comment_form=form)


@bp.route("/<int:proposal_id>/comments/<int:comment_id>/reply")
@requires(Action.COMMENT_CREATE)
def reply(proposal_id, comment_id):
    proposal = _get_proposal(proposal_id)
    require_can(Action.COMMENT_CREATE, proposal)
    parent = db.session.get(Comment, comment_id)
    if parent is None or parent.proposal_id != proposal.id or not parent.open_for_replies:
        abort(404)
    form = CommentForm(formdata=None, parent_id=str(parent.id))
    return render_template("proposals/reply.html", proposal=proposal, parent=parent, form=form)


@bp.route("/comments/<int:comment_id>/delete", methods=["POST"])
@requires(Action.COMMENT_DELETE)
def delete_comment(comment_id):
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    require_can(Action.COMMENT_DELETE, comment)
    services.delete_comment(comment)
    flash(_l("Your comment is deleted."), "success")
    return redirect(url_for("proposals.detail", proposal_id=comment.proposal_id, _anchor=f"comment-{comment.id}"))
