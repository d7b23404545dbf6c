"""Proposal, support and comment operations. Services flush; the request commits once."""
from functools import cache
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, case, exists, func, literal, select, tuple_, union_all
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import District, User
from ..answers.models import Answer, AnswerEdit
from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..i18n import current_language
from ..following.models import Follow
from ..followup.models import ImplementationRecord
from ..moderation.models import ModerationMode, Report
from ..moderation.services import mode_for, resolve_reports
from ..pagination import Page, count, keyset_page
from ..processes.models import Process, ProcessProposal
from ..rows import read_columns
from ..targets import TargetType
from ..text import search_terms
from ..themes.models import Theme
from ..themes.services import ThemeName, offered_theme
from ..transaction import lock_rows, unique_insert
from . import search
from .models import PUBLIC_STATES, Comment, Proposal, ProposalState, Support

SORTS = ("newest", "supported")


def _offered_district(district_id):
    """The district a resident chose, if any; DomainError on the form's district field when it does not exist."""
    if district_id is None:
        return None
    district = db.session.get(District, district_id)
    if district is None:
        raise DomainError(_l("Choose a district from the list."), field="district")
    return district


def submit_proposal(author, title, body, theme_id, place=None, district_id=None):
    """Published at once, or held for review when its theme (or the site) is pre-moderated."""
    theme = offered_theme(theme_id)
    district = _offered_district(district_id)
    held = mode_for(theme) is ModerationMode.PRE
    proposal = Proposal(
        title=title.strip(), body=body.strip(), theme=theme, place=(place or "").strip() or None, district=district,
        author=author, state=ProposalState.PENDING if held else ProposalState.PUBLISHED,
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


def _lock_open(proposal, shared=True):
    """Keep moderators from changing the proposal until this contribution is saved (they wait for it, or
    it waits for them and sees their decision), and check it is still open."""
    lock_rows(proposal, shared=shared)
    if not is_open(proposal):
        raise DomainError(NOT_OPEN)


def edit_proposal(proposal, title, body, theme_id, place=None, district_id=None):
    theme = offered_theme(theme_id)
    district = _offered_district(district_id)
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
    proposal.district = district
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
    # The kept counts (kept_counts) answer most pages without a query; they leave out deleted and hidden
    # comments, which still count here: only a proposal that shows none asks the tables.
    if proposal.support_count or proposal.comment_count:
        return True
    return db.session.execute(
        select(
            exists().where(Support.proposal_id == proposal.id)
            | exists().where(Comment.proposal_id == proposal.id)
        )
    ).scalar()


# Built once, values bound: every proposal page a resident opens runs it.
_HAS_SUPPORTED = select(exists().where(Support.proposal_id == bindparam("proposal_id"),
                                       Support.user_id == bindparam("user_id")))


def has_supported(user, proposal):
    if not user.is_authenticated:
        return False
    return db.session.execute(_HAS_SUPPORTED, {"proposal_id": proposal.id, "user_id": user.id}).scalar()


def support_proposal(user, proposal):
    """Add the user's support; a second submission (double click, two tabs) changes nothing."""
    # Not shared: the support count's trigger will update the row (see kept_counts).
    _lock_open(proposal, shared=False)
    if has_supported(user, proposal):
        return False
    with unique_insert() as insert:
        db.session.add(Support(proposal_id=proposal.id, user_id=user.id))
    return not insert.duplicate


def support_of(user, proposal):
    return db.session.execute(
        db.select(Support).where(Support.proposal_id == proposal.id, Support.user_id == user.id)).scalar_one()


def withdraw_support(user, proposal):
    # The proposal's row first, as every change of its supports takes it (kept_counts): a merge moving
    # them meanwhile makes this wait for it, never both wait for each other.
    lock_rows(proposal)
    deleted = db.session.execute(
        db.delete(Support).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    ).rowcount
    return deleted > 0


def add_comment(author, proposal, body, parent_id=None):
    # Not shared: the comment count's trigger will update the row (see kept_counts).
    _lock_open(proposal, shared=False)
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


THREADS_PER_PAGE = 10
# A thread shows its first replies on the proposal's page; the thread's own page shows them all, page by page.
REPLIES_SHOWN = 3
REPLIES_PER_PAGE = 20

_THREAD_ORDER = (Comment.created_at, Comment.id)


def _with_author(statement):
    return statement.options(joinedload(Comment.author), selectinload(Comment.counter))


# A proposal page's threads and their first replies, in statements built once with their values bound (the
# proposal, the threads' ids): every proposal page runs them.
_THREADS = select(Comment.id, *_THREAD_ORDER).where(Comment.proposal_id == bindparam("proposal_id"),
                                                    Comment.parent_id.is_(None))
_COMMENTS = _with_author(select(Comment).where(Comment.id.in_(bindparam("ids", expanding=True))))
_RANKED = select(Comment.id, func.row_number().over(partition_by=Comment.parent_id, order_by=_THREAD_ORDER)
                 .label("position")).where(Comment.parent_id.in_(bindparam("thread_ids", expanding=True))).subquery()
_FIRST_REPLIES = _with_author(select(Comment).join(_RANKED, _RANKED.c.id == Comment.id)
                              .where(_RANKED.c.position <= REPLIES_SHOWN).order_by(*_THREAD_ORDER))
_REPLY_COUNTS = (select(Comment.parent_id, func.count(Comment.id))
                 .where(Comment.parent_id.in_(bindparam("thread_ids", expanding=True))).group_by(Comment.parent_id))


def comment_threads(proposal, page=1, after=None, before=None, any_thread=True):
    """A page of the proposal's threads, oldest first: a Page whose items are (comment, replies shown,
    number of replies) with replies shown the first REPLIES_SHOWN ones. ``any_thread``: False when the proposal is
    known to have none (ProposalPage.discussed), then no statement is run for a page typed or first."""
    if not any_thread and after is None and before is None:
        return Page(items=[], page=1, per_page=THREADS_PER_PAGE, more=False)  # as keyset_page's of an empty list
    keys = keyset_page(_THREADS, _THREAD_ORDER, page=page, per_page=THREADS_PER_PAGE, after=after, before=before,
                       params={"proposal_id": proposal.id}, built_once=True)
    ids = [row.id for row in keys.items]
    if not ids:  # no thread (yet) on most proposals
        return keys
    comments = {c.id: c for c in db.session.execute(_COMMENTS, {"ids": ids}).scalars()}
    replies, counts = _first_replies(ids)
    keys.items = [(comments[i], replies.get(i, []), counts.get(i, 0)) for i in ids]
    return keys


def _first_replies(thread_ids):
    """The first REPLIES_SHOWN replies of each thread, and each thread's number of replies, in two queries
    whatever the number of threads."""
    if not thread_ids:
        return {}, {}
    replies = {}
    for reply in db.session.execute(_FIRST_REPLIES, {"thread_ids": thread_ids}).scalars():
        replies.setdefault(reply.parent_id, []).append(reply)
    return replies, dict(db.session.execute(_REPLY_COUNTS, {"thread_ids": thread_ids}).all())


def find_thread(proposal, comment_id):
    """The thread (first comment) ``comment_id`` of ``proposal`` with its author, or None."""
    return db.session.execute(_with_author(select(Comment).where(
        Comment.id == comment_id, Comment.proposal_id == proposal.id, Comment.parent_id.is_(None)))).scalar()


def thread_replies(thread, page=1, after=None, before=None):
    """A page of a thread's replies, oldest first."""
    keys = keyset_page(select(Comment.id, *_THREAD_ORDER).where(Comment.parent_id == thread.id),
                       _THREAD_ORDER, page=page, per_page=REPLIES_PER_PAGE, after=after, before=before)
    ids = [row.id for row in keys.items]
    replies = {c.id: c for c in db.session.execute(_with_author(select(Comment).where(Comment.id.in_(ids))))
               .scalars()}
    keys.items = [replies[i] for i in ids]
    return keys


def comment_position(comment):
    """Where a comment is shown: (thread, its page among the proposal's threads, the reply's page in its
    thread or None for a thread's first comment)."""
    thread = comment if comment.parent_id is None else db.session.get(Comment, comment.parent_id)
    threads_before = db.session.execute(select(func.count(Comment.id)).where(
        Comment.proposal_id == thread.proposal_id, Comment.parent_id.is_(None),
        tuple_(*_THREAD_ORDER) < tuple_(literal(thread.created_at, Comment.created_at.type), thread.id))).scalar_one()
    reply_page = None
    if comment is not thread:
        replies_before = db.session.execute(select(func.count(Comment.id)).where(
            Comment.parent_id == thread.id,
            tuple_(*_THREAD_ORDER) < tuple_(literal(comment.created_at, Comment.created_at.type), comment.id))
        ).scalar_one()
        reply_page = replies_before // REPLIES_PER_PAGE + 1
    return thread, threads_before // THREADS_PER_PAGE + 1, reply_page


def _visible_comments():
    return (Comment.deleted_at.is_(None), Comment.hidden_at.is_(None), Comment.held_by_reports.is_(False))


# "More than 1,000 proposals found" says as much to a reader as the exact number, and costs a thousandth.
COUNT_CAP = 1000


class ProposalRow(NamedTuple):
    proposal: Proposal  # or, for lists of cards, a ProposalCard
    supports: int
    comments: int


class ProposalCard(NamedTuple):
    """What a list's card shows of a proposal (templates/components/proposals.html), read as columns: a page of
    proposal objects with their themes cost as much to load as the rest of the list."""
    id: int
    title: str
    language: str | None
    state: ProposalState
    place: str | None
    created_at: object
    theme: ThemeName


_ORDERS = {
    "newest": (Proposal.created_at, Proposal.id),
    "supported": (Proposal.support_count, Proposal.created_at, Proposal.id),
}


@cache  # one per shape of list (sort, which filters): a few dozen at most
def _listing(sort, one_state, answer, theme, district, process, with_authors):
    """(the matching proposals' order columns, the rows of a page) for a list of that shape, built once: the
    values of its filters are bound as "state", "answer", "theme_id", "district_id" and "process_id"."""
    order = _ORDERS[sort]
    statement = select(*order).where(Proposal.held_by_reports.is_(False))
    statement = statement.where(Proposal.state == bindparam("state") if one_state
                                else Proposal.state.in_(PUBLIC_STATES))
    if answer == "none":
        statement = statement.where(~exists().where(Answer.proposal_id == Proposal.id))
    elif answer:
        statement = statement.where(exists().where(Answer.proposal_id == Proposal.id,
                                                   Answer.status == bindparam("answer")))
    if theme:
        statement = statement.where(Proposal.theme_id == bindparam("theme_id"))
    if district:
        statement = statement.where(Proposal.district_id == bindparam("district_id"))
    if process:
        statement = statement.where(exists().where(ProcessProposal.proposal_id == Proposal.id,
                                                   ProcessProposal.process_id == bindparam("process_id")))
    return statement, _page_rows(statement, order, with_authors)


# A card's columns (ProposalCard, ThemeName), then the counts; they hold every order's columns, which the cursors
# are made of.
_CARD = (Proposal.id, Proposal.title, Proposal.language, Proposal.state, Proposal.place, Proposal.created_at,
         Proposal.theme_id, Theme.name, Theme.name_en, Proposal.support_count, Proposal.comment_count)


def _page_rows(statement, order, with_authors):
    """The rows of a page: objects with their authors for a feed, a card's columns otherwise. Many-to-one joins keep
    the LIMIT as it is."""
    if with_authors:
        return statement.with_only_columns(Proposal, *order).options(joinedload(Proposal.theme),
                                                                     joinedload(Proposal.author))
    return statement.with_only_columns(*_CARD).join_from(Proposal, Theme, Proposal.theme_id == Theme.id)


@cache  # one per searched statement (search.matching builds each once)
def _searched_rows(statement, sort, with_authors):
    return _page_rows(statement, _ORDERS[sort], with_authors)


def _row(row):
    if isinstance(row[0], Proposal):
        return ProposalRow(row[0], row[0].support_count, row[0].comment_count)
    *card, theme_id, theme, theme_en, supports, comments = row
    return ProposalRow(ProposalCard(*card, ThemeName(theme_id, theme, theme_en)), supports, comments)


def list_proposals(query="", theme_id=None, state=ProposalState.PUBLISHED, sort="newest", page=1, per_page=10,
                   answer=None, after=None, before=None, counted=True, district_id=None, process_id=None,
                   with_authors=False):
    """A page of (proposal, supports, comments) rows of public proposals.

    The page is read in one statement through the indexes of the sort order (and of the search), from
    the cursor of the link followed, with each proposal's theme; its counts are kept in its row.
    ``answer``: an AnswerStatus, "none" (not answered yet) or None (any). ``counted``: also count every
    matching proposal (for "N proposals found"). ``with_authors``: also load their authors (a feed names them).
    ``process_id``: only the proposals of that process."""
    order = _ORDERS[sort]
    statement, rows = _listing(sort, state is not None, "none" if answer == "none" else answer is not None,
                               bool(theme_id), bool(district_id), process_id is not None, with_authors)
    params = {"state": state, "answer": answer, "theme_id": theme_id, "district_id": district_id,
              "process_id": process_id}
    if search_terms(query):  # built once per shape of query too, the words bound
        statement, words = search.matching(statement, query, db.session.get_bind().dialect.name)
        rows = _searched_rows(statement, sort, with_authors)
        params.update(words)
    total = count(statement, cap=COUNT_CAP, params=params, built_once=True) if counted else None
    keys = keyset_page(rows, order, page=page, per_page=per_page, after=after, before=before, descending=True,
                       total=total, count_cap=COUNT_CAP, params=params, built_once=True)
    keys.items = [_row(row) for row in keys.items]
    return keys


# Which of home's two lists a row of _home_lists() is in.
NEWEST, MOST_SUPPORTED = 0, 1


@cache  # built once, on first use (the lists' statements are built once too)
def _home_lists():
    """The newest and the most supported published proposals, "per_page" of each, in one statement: home shows
    both, without links to further pages, so it needs neither keyset_page's cursors nor a statement each."""
    parts = []
    for which, sort in ((NEWEST, "newest"), (MOST_SUPPORTED, "supported")):
        _statement, rows = _listing(sort, one_state=True, answer=False, theme=False, district=False, process=False,
                                    with_authors=False)
        listed = rows.order_by(*(column.desc() for column in _ORDERS[sort])).limit(bindparam("per_page")).subquery()
        parts.append(select(literal(which).label("list"), *listed.c))
    both = union_all(*parts).subquery()
    # UNION ALL keeps no order: each list sorted again, in its own order (the support count for the second only).
    return select(*both.c).order_by(both.c.list, case((both.c.list == MOST_SUPPORTED, both.c.support_count)).desc(),
                                    both.c.created_at.desc(), both.c.id.desc())


def newest_and_most_supported(per_page):
    """([ProposalRow], [ProposalRow]): the ``per_page`` newest published proposals and the ``per_page`` most
    supported ones (the lists of list_proposals' first pages, sorted "newest" and "supported")."""
    lists = ([], [])
    for which, *row in read_columns(_home_lists(), {"state": ProposalState.PUBLISHED, "per_page": per_page}).all():
        lists[which].append(_row(row))
    return lists


class ProposalPage(NamedTuple):
    """What a proposal's page reads in its one statement: the proposal with what the page shows of it, its official
    answer, the reader's own marks (always False for a visitor not logged in), and whether it has what the page would
    otherwise ask further statements about (follow-up records, threads, earlier versions of its answer)."""
    proposal: Proposal
    answer: Answer | None
    supported: bool
    following: bool
    reported: bool
    # Whether a follow-up record names it: the page reads the records only then (few proposals have one).
    followed_up: bool
    # Whether it has a thread, shown or not (a deleted or hidden comment keeps its place): the page reads its
    # threads only then (many proposals have none).
    discussed: bool
    # Whether its answer was changed since first given: the page reads the earlier versions only then.
    answer_changed: bool


@cache  # one for visitors, one for those logged in; built on first use, once the mappers have Proposal.process_entry
def _for_page(logged_in):
    # Whatever the page and the rules read of it (tests/test_proposal_page.py counts the statements; a raiseload
    # here would cost a fifth of the statement on every request).
    marks = ((exists().where(Support.proposal_id == Proposal.id, Support.user_id == bindparam("supporter_id")),
              exists().where(Follow.user_id == bindparam("reader_id"), Follow.target_type == TargetType.PROPOSAL,
                             Follow.target_id == Proposal.id),
              exists().where(Report.reporter_id == bindparam("reader_id"), Report.target_type == TargetType.PROPOSAL,
                             Report.target_id == Proposal.id)) if logged_in else (literal(False),) * 3)
    followed_up = exists().where(ImplementationRecord.proposal_id == Proposal.id)
    discussed = exists().where(Comment.proposal_id == Proposal.id, Comment.parent_id.is_(None))
    answer_changed = exists().where(AnswerEdit.answer_id == Answer.id)
    # The author and the process are read for a few of their columns only: the ORM sets up a row's columns one by
    # one, and the process's are set up on each of its phases' rows.
    return (select(Proposal, Answer, *marks, followed_up, discussed, answer_changed)
            .outerjoin(Answer, Answer.proposal_id == Proposal.id)
            .where(Proposal.id == bindparam("proposal_id"))
            .options(joinedload(Proposal.author).load_only(User._display_name, User.erased_at),
                     joinedload(Proposal.theme), joinedload(Proposal.district), joinedload(Proposal.counter),
                     joinedload(Proposal.process_entry).joinedload(ProcessProposal.process)
                     .load_only(Process.title, Process.decision_id).joinedload(Process.phases)))


def proposal_for_page(proposal_id, reader, supporter):
    """A ProposalPage in one statement, or None. ``reader``: who reads the page (their follow and report);
    ``supporter``: whose support the page shows (the resident a counter agent acts for, else the reader)."""
    logged_in = reader.is_authenticated
    values = {"proposal_id": proposal_id}
    if logged_in:
        values.update(reader_id=reader.id, supporter_id=supporter.id)
    row = db.session.execute(_for_page(logged_in), values).unique().first()
    return ProposalPage(*row) if row else None


def proposal_counts(proposal):
    return proposal.support_count, proposal.comment_count
