"""Proposal, support and comment operations. Services flush; the request commits once."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from ..answers.models import Answer
from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..i18n import current_language
from ..moderation.models import ModerationMode
from ..moderation.services import mode_for, resolve_reports
from ..pagination import paginate_rows
from ..text import LIKE_ESCAPE, like_contains, normalize_for_search, search_terms
from ..themes.services import offered_theme
from ..transaction import lock_rows, unique_insert
from .models import PUBLIC_STATES, Comment, Proposal, ProposalState, Support

SORTS = ("newest", "supported")


def _search_text(title, body):
    return normalize_for_search(f"{title}\n{body}")


def submit_proposal(author, title, body, theme_id, place=None):
    """Published at once, or held for review when its theme (or the site) is pre-moderated."""
    theme = offered_theme(theme_id)
    held = mode_for(theme) is ModerationMode.PRE
    proposal = Proposal(
        title=title.strip(), body=body.strip(), theme=theme, place=(place or "").strip() or None,
        author=author, state=ProposalState.PENDING if held else ProposalState.PUBLISHED,
        search_text=_search_text(title, body),
        language=current_language(),
    )
    db.session.add(proposal)
    db.session.flush()
    return proposal


NOT_EDITABLE = _l("This proposal can no longer be edited: it already has supports or comments, or it was withdrawn.")
NOT_OPEN = _l("This proposal can no longer be supported, commented on or withdrawn: it was withdrawn, or moderation "
             "is reviewing it.")


def is_editable(proposal):
    """Not public yet (waiting for review, or sent back for a change), or published without any support
    or comment: what people supported or discussed does not change under them."""
    if proposal.state in (ProposalState.CHANGES_REQUESTED, ProposalState.PENDING):
        return True
    return is_open(proposal) and not proposal_has_activity(proposal)


def is_open(proposal):
    """Published and not held after reports: open to supports, comments, and withdrawal by its author."""
    return proposal.state is ProposalState.PUBLISHED and not proposal.held_by_reports


def _lock_open(proposal):
    """Keep moderators from changing the proposal until this contribution is saved (they wait for it, or
    it waits for them and sees their decision), and check it is still open."""
    lock_rows(proposal, shared=True)
    if not is_open(proposal):
        raise DomainError(NOT_OPEN)


def edit_proposal(proposal, title, body, theme_id, place=None):
    theme = offered_theme(theme_id)
    # A moderator's decision or a first support may have come since the page was shown: decide on the row as
    # it is now, and keep others from changing it until this is saved.
    lock_rows(proposal)
    if not is_editable(proposal):
        raise DomainError(NOT_EDITABLE)
    if proposal.state is ProposalState.CHANGES_REQUESTED:
        proposal.state = ProposalState.PENDING  # changed as asked: back to the moderators
    proposal.theme = theme
    proposal.title = title.strip()
    proposal.body = body.strip()
    proposal.place = (place or "").strip() or None
    proposal.search_text = _search_text(proposal.title, proposal.body)
    proposal.updated_at = utcnow()
    db.session.flush()


def withdraw_proposal(proposal, reason):
    lock_rows(proposal)  # a moderator hiding it at the same moment: whoever comes second sees the first
    if not is_open(proposal):
        raise DomainError(NOT_OPEN)
    proposal.state = ProposalState.WITHDRAWN
    proposal.withdrawn_reason = reason.strip()
    proposal.updated_at = utcnow()
    db.session.flush()


def proposal_has_activity(proposal):
    return db.session.execute(
        select(
            exists().where(Support.proposal_id == proposal.id)
            | exists().where(Comment.proposal_id == proposal.id)
        )
    ).scalar()


def has_supported(user, proposal):
    if not user.is_authenticated:
        return False
    return db.session.execute(
        select(exists().where(Support.proposal_id == proposal.id, Support.user_id == user.id))
    ).scalar()


def support_proposal(user, proposal):
    """Add the user's support; a second submission (double click, two tabs) changes nothing."""
    _lock_open(proposal)
    if has_supported(user, proposal):
        return False
    with unique_insert() as insert:
        db.session.add(Support(proposal_id=proposal.id, user_id=user.id))
    return not insert.duplicate


def support_of(user, proposal):
    return db.session.execute(
        db.select(Support).where(Support.proposal_id == proposal.id, Support.user_id == user.id)).scalar_one()


def withdraw_support(user, proposal):
    deleted = db.session.execute(
        db.delete(Support).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    ).rowcount
    return deleted > 0


def add_comment(author, proposal, body, parent_id=None):
    _lock_open(proposal)
    parent = None
    if parent_id:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.proposal_id != proposal.id or not parent.open_for_replies:
            raise DomainError(_l("The comment you are replying to is no longer available."), field="body")
        if parent.parent_id is not None:
            # One level of replies: answering a reply continues its thread.
            parent = db.session.get(Comment, parent.parent_id)
            if parent.is_hidden:
                raise DomainError(_l("The comment you are replying to is no longer available."), field="body")
    comment = Comment(proposal=proposal, author=author, body=body.strip(), parent_id=parent.id if parent else None,
                      language=current_language())
    db.session.add(comment)
    db.session.flush()
    return comment


def delete_comment(comment):
    """Its author deletes it: reports waiting on it are settled, a moderator has nothing left to decide."""
    comment.deleted_at = utcnow()
    resolve_reports(comment, comment.deleted_at)
    db.session.flush()


def comment_threads(proposal):
    """Top-level comments oldest first, each with its replies loaded."""
    return db.session.execute(
        select(Comment).where(Comment.proposal_id == proposal.id, Comment.parent_id.is_(None))
        .order_by(Comment.created_at, Comment.id)
    ).scalars().all()


def _counts():
    supports = (
        select(func.count(Support.id)).where(Support.proposal_id == Proposal.id)
        .correlate(Proposal).scalar_subquery().label("supports")
    )
    comments = (
        select(func.count(Comment.id)).where(Comment.proposal_id == Proposal.id, Comment.deleted_at.is_(None),
                                             Comment.hidden_at.is_(None), Comment.held_by_reports.is_(False))
        .correlate(Proposal).scalar_subquery().label("comments")
    )
    return supports, comments


def list_proposals(query="", theme_id=None, state=ProposalState.PUBLISHED, sort="newest", page=1, per_page=10,
                   answer=None):
    """A page of (proposal, supports, comments) rows of public proposals; counts come from the data each time.

    ``answer``: an AnswerStatus, "none" (not answered yet) or None (any)."""
    supports, comments = _counts()
    statement = select(Proposal, supports, comments).join(Proposal.theme).where(
        Proposal.state.in_(PUBLIC_STATES), Proposal.held_by_reports.is_(False))
    if state is not None:
        statement = statement.where(Proposal.state == state)
    if answer == "none":
        statement = statement.where(~exists().where(Answer.proposal_id == Proposal.id))
    elif answer is not None:
        statement = statement.where(exists().where(Answer.proposal_id == Proposal.id, Answer.status == answer))
    if theme_id:
        statement = statement.where(Proposal.theme_id == theme_id)
    for term in search_terms(query):
        statement = statement.where(Proposal.search_text.like(like_contains(term), escape=LIKE_ESCAPE))
    if sort == "supported":
        statement = statement.order_by(supports.desc(), Proposal.created_at.desc(), Proposal.id.desc())
    else:
        statement = statement.order_by(Proposal.created_at.desc(), Proposal.id.desc())
    return paginate_rows(statement, page, per_page)


def proposal_counts(proposal):
    supports, comments = _counts()
    row = db.session.execute(select(supports, comments).where(Proposal.id == proposal.id)).one()
    return row.supports, row.comments
