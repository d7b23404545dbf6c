"""Decision operations: set-up, casting, counting, publishing. Services flush; the request commits."""
import enum
import json
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, case, delete, exists, func, insert, literal_column, or_, select, union_all, update
from sqlalchemy.orm.attributes import set_committed_value

from .. import staff_log
from ..access import Action, Role, check
from ..accounts.erasure import ALREADY_ERASED
from ..accounts.models import District, User
from ..codes import random_code, typed_code
from ..counters.models import Channel
from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..following.models import Follow
from ..following.services import notify_followers
from ..followup.models import ImplementationRecord
from ..i18n import current_language
from ..jobs import job
from ..pagination import keyset_page
from ..processes.models import PhaseKind, Process
from ..privacy.groups import large_enough
from ..proposals.models import Proposal
from ..registry import Registry
from ..rows import read_columns
from ..targets import TargetType
from ..timezones import paris_day_bounds
from ..transaction import lock_for_write, lock_rows, unique_insert
from ..typography import long_date
from . import ballots as codec
from . import publication
from .files import (BALLOTS_CSV, DATAPACKAGE, RESULTS_CSV, RESULTS_JSON, joined_text, read_text, stored, stored_files,
                    with_text)
from .models import (ANNOUNCED, RANKING_METHODS, RESULTS_PUBLISHED, Ballot, Decision, DecisionState,
                     DescriptionEdit, ErasedVoter, Method, Option, Participation, ResultPreview, ResultSnapshot,
                     decision_district, identities_of, state_from_dates)
from .version import code_version

TRACKING_CODE_LENGTH = 10
# Each new ballot is written together with this many earlier ballots of the same decision,
# rewritten in random order (see cast_ballot).
MIX_SIZE = 9


DECISIONS_PER_PAGE = 20
SHORT_VOTE = timedelta(days=1)


class DecisionCard(NamedTuple):
    """What the list of decisions shows of one (decisions/list.html), its state as of the moment the list was read."""
    id: int
    title: str
    method: Method
    max_choices: int | None
    opens_at: datetime
    closes_at: datetime
    state: DecisionState


# Built once, for residents and for officials (drafts too): its pages' queries are built once as well. Its columns
# only, read without the ORM (civic.rows): a page of twenty Decision objects cost more to load than to show.
_ALL_DECISIONS = select(Decision.id, Decision.title, Decision.method, Decision.max_choices, Decision.opens_at,
                        Decision.closes_at, Decision.announced_at, Decision.published_at)
_ANNOUNCED_DECISIONS = _ALL_DECISIONS.where(ANNOUNCED)


def decisions_page(include_drafts=False, page=1, after=None, before=None):
    """A page of the decisions (DecisionCard), the latest opening first (drafts only for those who prepare them)."""
    shown = keyset_page(_ALL_DECISIONS if include_drafts else _ANNOUNCED_DECISIONS, (Decision.opens_at, Decision.id),
                        page=page, per_page=DECISIONS_PER_PAGE, after=after, before=before, descending=True,
                        built_once=True)
    now = utcnow()
    shown.items = [DecisionCard(id_, title, method, max_choices, opens_at, closes_at,
                                state_from_dates(published_at, announced_at, opens_at, closes_at, now))
                   for id_, title, method, max_choices, opens_at, closes_at, announced_at, published_at in shown.items]
    return shown


class OptionShown(NamedTuple):
    """What a decision's page shows of an option (decisions/detail.html), read as columns of its statement."""
    id: int
    label: str
    description: str
    cost: int | None
    proposal_id: int | None


class ProcessLink(NamedTuple):
    """The process whose vote a decision is, as the decision's page links to it."""
    id: int
    title: str


# A decision's page: the decision, its options as columns, its districts, the process whose vote it is (its id and
# title) and whether its description was ever corrected, in one statement built once: a row per option and
# district (a district vote names a few). The ORM's joined loading of the options and districts cost more than
# the rest of the statement (721 -> 456 Python calls for the demo's budget vote); the options are plain columns,
# which the page alone reads (Decision.options stays unloaded), and the districts the District rows the vote's
# rule reads through Decision.districts, set as its loaded value. The page reads the corrections only when there
# are some (typo fixes, rare).
_OPTION_SHOWN = (Option.id, Option.label, Option.description, Option.cost, Option.proposal_id)
_DECISION_PAGE = (select(Decision, Process.id, Process.title,
                         exists().where(DescriptionEdit.decision_id == Decision.id), *_OPTION_SHOWN, District)
                  .outerjoin(Process, Process.decision_id == Decision.id)
                  .outerjoin(Option, Option.decision_id == Decision.id)
                  .outerjoin(decision_district, decision_district.c.decision_id == Decision.id)
                  .outerjoin(District, District.id == decision_district.c.district_id)
                  .where(Decision.id == bindparam("decision_id"))
                  .order_by(Option.position, Option.id, District.name, District.id))
# Its results' page: the decision with the ballots' fingerprint its snapshot keeps, and its published results
# (results.json, stored a chunk at a time: a row per chunk, one for such a small file). The fingerprint as a column,
# not the snapshot joinedloaded: the page shows nothing else of it, and a second entity's loading cost more than the
# rest of the statement (the demo's results about 0.1 ms of CPU a request). Whether some follow-up record opened for
# its winners comes with it: the page reads them only then (a vote without projects has none).
_RESULTS_PAGE = with_text(select(Decision, ResultSnapshot.ballots_sha256,
                                 exists().where(ImplementationRecord.decision_id == Decision.id))
                          .outerjoin(ResultSnapshot, ResultSnapshot.decision_id == Decision.id)
                          .where(Decision.id == bindparam("decision_id")), Decision.id, RESULTS_JSON)


class DecisionPage(NamedTuple):
    decision: Decision | None
    options: list[OptionShown]
    process: ProcessLink | None  # the process whose vote it is
    corrected: bool  # whether its description was corrected


def decision_for_page(decision_id):
    """A DecisionPage: the decision (its districts loaded, not its options) with what its page shows, or None."""
    rows = db.session.execute(_DECISION_PAGE, {"decision_id": decision_id}).all()
    if not rows:
        return DecisionPage(None, [], None, False)
    decision, process_id, process_title, corrected = rows[0][:4]
    # Rows are options x districts: each option once, in order, and each district once, by name (an option's rows).
    options = list(dict.fromkeys(OptionShown._make(row[4:9]) for row in rows if row[4] is not None))
    set_committed_value(decision, "districts", list(dict.fromkeys(row[9] for row in rows if row[9] is not None)))
    return DecisionPage(decision, options, ProcessLink(process_id, process_title) if process_id is not None else None,
                        bool(corrected))


class ResultsPage(NamedTuple):
    decision: Decision | None
    ballots_sha256: str | None  # the ballots file's SHA-256 fingerprint, None before publication
    published: dict | None  # its published results as read from results.json, None before publication
    followed_up: bool  # whether follow-up records opened for its winners


def decision_for_results(decision_id):
    """A ResultsPage: the decision and what its results' page shows beside it, or None."""
    rows = db.session.execute(_RESULTS_PAGE, {"decision_id": decision_id}).all()
    if not rows:
        return ResultsPage(None, None, None, False)
    text = joined_text(data for _decision, _fingerprint, _followed_up, data in rows)
    decision, fingerprint, followed_up, _data = rows[0]
    return ResultsPage(decision, fingerprint, json.loads(text) if text is not None else None, bool(followed_up))


def open_decisions():
    """The votes open now, the latest opening first."""
    now = utcnow()
    return db.session.execute(
        select(Decision).where(ANNOUNCED, Decision.published_at.is_(None),
                               Decision.opens_at <= now, Decision.closes_at > now)
        .order_by(Decision.opens_at.desc(), Decision.id.desc())).scalars().all()


def _for_district(statement, district_id):
    """The votes the residents of ``district_id`` are called to: those of every district, and those of theirs."""
    if district_id is None:
        return statement
    of_decision = decision_district.c.decision_id == Decision.id
    return statement.where(or_(~exists().where(of_decision),
                               exists().where(of_decision, decision_district.c.district_id == district_id)))


def latest_opened(limit, district_id=None):
    """The ``limit`` announced votes that opened last (open now, closed or published since)."""
    statement = select(Decision).where(ANNOUNCED, Decision.opens_at <= utcnow())
    return db.session.execute(_for_district(statement, district_id)
                              .order_by(Decision.opens_at.desc(), Decision.id.desc()).limit(limit)).scalars().all()


def latest_published(limit, district_id=None):
    """The ``limit`` votes whose results were published last."""
    statement = select(Decision).where(RESULTS_PUBLISHED)
    return db.session.execute(_for_district(statement, district_id)
                              .order_by(Decision.published_at.desc(), Decision.id.desc()).limit(limit)).scalars().all()


_UPCOMING = Decision.opens_at > bindparam("now")
# Built once with its values bound: every home page runs it, and building it cost as much as running it. Its
# columns only: the page shows five of them, and a Decision object (its state read from the clock at each look)
# cost more to load than the statement to run.
_CURRENT_AND_UPCOMING = (
    select(Decision.id, Decision.title, _UPCOMING.label("upcoming"), Decision.opens_at, Decision.closes_at)
    .where(ANNOUNCED, Decision.published_at.is_(None), Decision.closes_at > bindparam("now"))
    .order_by(_UPCOMING, case((_UPCOMING, Decision.opens_at), else_=Decision.closes_at), Decision.id)
    .limit(bindparam("limit")))


class VoteCard(NamedTuple):
    """What the home page shows of a vote open or to come."""
    id: int
    title: str
    state: DecisionState
    opens_at: datetime
    closes_at: datetime


def current_and_upcoming(limit):
    """Up to ``limit`` announced votes not closed yet (VoteCard): those open now by nearest deadline, then those to
    come by nearest opening (what the home page shows). Announced, not published and not closed, each is to come or
    open as Decision.state_at says, at the moment the statement read them."""
    rows = read_columns(_CURRENT_AND_UPCOMING, {"now": utcnow(), "limit": limit}).all()
    return [VoteCard(vote_id, title, DecisionState.SCHEDULED if upcoming else DecisionState.OPEN, opens_at, closes_at)
            for vote_id, title, upcoming, opens_at, closes_at in rows]


def _check_dates(opens_at, closes_at):
    if closes_at <= opens_at:
        raise DomainError(_l("The closing date must come after the opening date."), field="closes_at")


def process_phase(decision):
    """(process, its vote phase) when ``decision`` is the vote a participatory process built, else None. The vote
    follows that phase, and a participatory budget the process's budget (the process's edit moves them:
    processes.services): on the vote's own page its hours may change, not its days nor its budget, or the vote
    and its process would say two things."""
    if decision is None or decision.id is None:
        return None
    process = db.session.execute(select(Process).where(Process.decision_id == decision.id)).scalar()
    phase = process.phase_of(PhaseKind.VOTE) if process is not None else None
    return None if phase is None else (process, phase)


def _check_process(decision, method, opens_at, closes_at, budget):
    followed = process_phase(decision)
    if followed is None:
        return
    process, phase = followed
    first_day, last_day = paris_day_bounds(phase.starts_on, phase.starts_on), paris_day_bounds(phase.ends_on,
                                                                                                  phase.ends_on)
    if not first_day[0] <= opens_at < first_day[1]:
        raise DomainError(_l("This vote follows the vote phase of its process: it opens on %(day)s. Choose the hour "
                             "here; change the day on the process's page.",
                             day=long_date(phase.starts_on, current_language())), field="opens_at")
    if not last_day[0] < closes_at <= last_day[1]:
        raise DomainError(_l("This vote follows the vote phase of its process: it closes on %(day)s. Choose the hour "
                             "here; change the day on the process's page.",
                             day=long_date(phase.ends_on, current_language())), field="closes_at")
    # As when the process builds it: a participatory budget spends the process's budget, and needs one.
    if method is Method.BUDGET and budget != process.budget:
        raise DomainError(_l("This vote's budget is its process's: change it on the process's page.")
                          if process.budget else
                          _l("Give the process its total budget before building a participatory budget vote."),
                          field="budget")


def _check_options(method, options):
    """options: list of (label, description, cost, proposal_id)."""
    minimum = 0 if method is Method.YES_NO else 2
    if len(options) < minimum:
        raise DomainError(_l("Give at least two options."), field="options")
    if method is Method.BUDGET and any(not cost or cost <= 0 for _label, _d, cost, _p in options):
        raise DomainError(_l("Give every project a cost in euros."), field="options")
    for _label, _d, _cost, proposal_id in options:
        if proposal_id is not None and db.session.get(Proposal, proposal_id) is None:
            raise DomainError(_l("There is no proposal number %(n)s.", n=proposal_id), field="options")


def _check_winners(method, number_of_winners, options):
    if method in RANKING_METHODS and not 1 <= number_of_winners < len(options):
        raise DomainError(_l("The number of winners must be at least 1 and less than the number of options "
                             "(%(n)s).", n=len(options)), field="number_of_winners")


def save_decision(decision, user, *, title, question, description, method, opens_at, closes_at, options,
                  max_choices=None, budget=None, budget_rule=None, voter_cost_limit=None, district_ids=(),
                  number_of_winners=1):
    """Create (decision=None) or change a decision that has not opened yet."""
    if decision is not None:
        lock_rows(decision)  # another official announcing or changing it at the same moment: one after the other
    check(user, Action.DECISION_MANAGE, decision)
    _check_dates(opens_at, closes_at)
    if decision is not None and decision.announced_at is not None and opens_at <= utcnow():
        # An announced vote opens on its date; moving that date into the past would open it unannounced.
        raise DomainError(_l("The opening date of an announced vote must be in the future."), field="opens_at")
    _check_options(method, options)
    _check_winners(method, number_of_winners, options)
    if method is Method.BUDGET:
        if not budget or budget <= 0:
            raise DomainError(_l("Give the total budget in euros."), field="budget")
        if budget_rule is None:
            raise DomainError(_l("Choose how the winning projects are chosen."), field="budget_rule")
    _check_process(decision, method, opens_at, closes_at, budget)
    districts = [db.session.get(District, d) if d is not None else None for d in district_ids]
    if None in districts:
        raise DomainError(_l("Choose a district from the list."), field="districts")
    if decision is None:
        decision = Decision(created_by=user)
        db.session.add(decision)
    decision.title, decision.question, decision.description = title.strip(), question.strip(), description.strip()
    decision.method, decision.opens_at, decision.closes_at = method, opens_at, closes_at
    decision.max_choices = max_choices if method is Method.APPROVAL else None
    decision.number_of_winners = number_of_winners if method in RANKING_METHODS else 1
    decision.budget = budget if method is Method.BUDGET else None
    decision.budget_rule = budget_rule if method is Method.BUDGET else None
    decision.voter_cost_limit = voter_cost_limit if method is Method.BUDGET else None
    decision.districts = districts
    decision.options.clear()
    db.session.flush()
    for position, (label, description_, cost, proposal_id) in enumerate(options):
        decision.options.append(Option(position=position, label=label.strip(), description=(description_ or "").strip(),
                                       cost=cost, proposal_id=proposal_id))
    db.session.flush()
    return decision


def follow_process(decision, user, opens_at, closes_at, budget=None):
    """Move a vote built from a participatory process with its vote phase, and carry the process's budget to a
    participatory budget vote, while it has not opened (the process's edit checked the rest)."""
    lock_rows(decision)
    check(user, Action.DECISION_MANAGE, decision)
    _check_dates(opens_at, closes_at)
    decision.opens_at, decision.closes_at = opens_at, closes_at
    if decision.method is Method.BUDGET:
        decision.budget = budget
    db.session.flush()


def is_short(decision):
    """A vote open less than a day: residents who look once a day may miss it (the official is warned)."""
    return decision.closes_at - decision.opens_at < SHORT_VOTE


def announce(decision, by):
    """Take a draft out of draft: residents see it, and it opens on its date."""
    lock_rows(decision)
    check(by, Action.DECISION_MANAGE, decision)
    if decision.state is not DecisionState.DRAFT:
        raise DomainError(_l("This decision is already announced."))
    if decision.opens_at <= utcnow():
        raise DomainError(_l("The opening date is already past: change it before announcing the vote."),
                          field="opens_at")
    decision.announced_at = utcnow()
    db.session.flush()
    staff_log.record(by, "publication", "announce", TargetType.DECISION, decision.id, {"state": "draft"},
                     {"state": decision.state.value, "opens_at": decision.opens_at, "closes_at": decision.closes_at})


staff_log.describe("publication", "announce", _l("Vote n° %(n)s announced"))
staff_log.describe("publication", "publish", _l("Results of vote n° %(n)s published"))
staff_log.describe_fields(TargetType.DECISION, "publication", {
    "state": staff_log.Field(_l("State"), staff_log.enum_value(DecisionState)),
    "opens_at": staff_log.Field(_l("Opens"), staff_log.moment),
    "closes_at": staff_log.Field(_l("Closes"), staff_log.moment),
    "ballots_sha256": staff_log.Field(_l("SHA-256 of the ballots file")),
    "code_version": staff_log.Field(_l("Version of the counting code")),
})


# Built once (every resident's vote page asks it), each row a decision and what it is to the reader. Erased
# voters are rare: the account's identities (a statement and a keyed hash each) are read only for the decisions
# that have any.
_VOTED = (select(Participation.decision_id, literal_column("'voted'"))
          .where(Participation.user_id == bindparam("user_id"),
                 Participation.decision_id.in_(bindparam("decision_ids", expanding=True))))
# EXISTS stops at a vote's first erased voter, where a DISTINCT would read them all on each page.
_WITH_ERASED = (select(Decision.id, literal_column("'erased'"))
                .where(Decision.id.in_(bindparam("decision_ids", expanding=True)),
                       exists().where(ErasedVoter.decision_id == Decision.id)))
_VOTED_OR_ERASED = union_all(_VOTED, _WITH_ERASED)
# A decision's page asks the same of its one decision, and whether the reader follows it: a row of three EXISTS
# with plain values, read without the ORM (civic.rows), rather than a union over lists, whose expanding IN is
# written again at each execution (240 -> 158 Python calls for the resident's reading of the demo's budget vote).
_ONE = bindparam("decision_id")
_VOTED_ERASED_FOLLOWED = select(
    exists().where(Participation.user_id == bindparam("user_id"), Participation.decision_id == _ONE),
    exists().where(ErasedVoter.decision_id == _ONE),
    exists().where(Follow.user_id == bindparam("follower_id"), Follow.target_type == TargetType.DECISION,
                   Follow.target_id == _ONE))


def _voted_as_erased(user, decision_ids):
    """Which of ``decision_ids`` (votes with erased voters) ``user`` took part in under an account erased since."""
    return set(db.session.execute(
        select(ErasedVoter.decision_id).where(ErasedVoter.identity.in_(identities_of(user.id)),
                                              ErasedVoter.decision_id.in_(decision_ids))).scalars())


def voted_in(user, decision_ids):
    """Which of ``decision_ids`` ``user`` took part in: under this account, or as the person they are under
    an account erased since (ErasedVoter, by any identity of the account or of the records attached to it).
    One query for them all, so that a page listing votes asks once (two more when some have erased voters)."""
    if not decision_ids:
        return set()
    voted, erased = set(), set()
    for decision_id, what in db.session.execute(_VOTED_OR_ERASED, {"user_id": user.id,
                                                                   "decision_ids": list(decision_ids)}):
        (voted if what == "voted" else erased).add(decision_id)
    if erased - voted:
        voted |= _voted_as_erased(user, erased - voted)
    return voted


def voted_and_following(user, follower, decision):
    """(whether ``user`` took part in ``decision``, as has_voted says, whether ``follower`` follows it) in one
    reading, for the decision's page; has_voted asks no more in this request. At a counter the voter is the
    resident the agent acts for, the follower whoever is logged in (the follow button acts for them)."""
    voted, erased, following = read_columns(_VOTED_ERASED_FOLLOWED, {
        "user_id": user.id, "decision_id": decision.id, "follower_id": follower.id}).one()
    voted = bool(voted) or (bool(erased) and decision.id in _voted_as_erased(user, {decision.id}))
    g.setdefault("civic_voted", {})[(user.id, decision.id)] = voted
    return voted, bool(following)


def has_voted(user, decision):
    """Whether ``user`` took part in ``decision``, as voted_in says: asked once per request (a vote's page, its
    rule and its template each ask it). cast_ballot asks again once it holds the voter's row."""
    if not has_request_context():
        return decision.id in voted_in(user, [decision.id])
    known = g.setdefault("civic_voted", {})
    key = (user.id, decision.id)
    if key not in known:
        known[key] = decision.id in voted_in(user, [decision.id])
    return known[key]


def _forget_voted(user, decision):
    """What has_voted read earlier in this request is read again: the voter's row is now held, or a ballot written."""
    if has_request_context():
        g.get("civic_voted", {}).pop((user.id, decision.id), None)


@job("erased voters forgotten once their votes closed")
def forget_erased_voters():
    """The hashed identities of erased voters go once the vote closes: nobody can vote in it any more."""
    closed = select(Decision.id).where(or_(RESULTS_PUBLISHED, Decision.closes_at <= utcnow()))
    return db.session.execute(delete(ErasedVoter).where(ErasedVoter.decision_id.in_(closed))).rowcount


def participation_of(user, decision):
    return db.session.execute(select(Participation).where(Participation.decision_id == decision.id,
                                                          Participation.user_id == user.id)).scalar_one()


# Why a ballot is refused outside the voting period: said by its side of the period, so that a resident
# coming back too late learns the vote has closed, not that it is "not open" (as if it might open).
NOT_OPEN_YET = _l("This vote has not opened yet.")
CLOSED = _l("This vote has closed: ballots are no longer accepted.")


def in_allowed_district(user, decision):
    return district_refusal(user, decision) is None


def district_votes_exist():
    """Whether some vote is for the residents of some districts: registration then asks for one."""
    return db.session.execute(select(decision_district.c.decision_id).limit(1)).first() is not None


class DistrictStanding(enum.Enum):
    """Where a resident stands for a district vote, so that a refusal can say why and what to do."""

    NOT_SET = "not_set"  # no district in the profile
    ELSEWHERE = "elsewhere"  # another district
    TOO_LATE = "too_late"  # the right district, stated after the vote opened


def district_standing(user, decision):
    """None when ``user`` may vote as far as districts go, else a DistrictStanding: a district vote is for
    the residents who stated one of its districts before it opened (moving from district to district
    would otherwise let one vote in each)."""
    if not decision.districts:
        return None
    if user.district_id is None:
        return DistrictStanding.NOT_SET
    if user.district_id not in {d.id for d in decision.districts}:
        return DistrictStanding.ELSEWHERE
    if user.district_since is None or user.district_since >= decision.opens_at:
        return DistrictStanding.TOO_LATE
    return None


def district_refusal(user, decision):
    """None when ``user`` may vote as far as districts go, else why not, in words."""
    standing = district_standing(user, decision)
    if standing is None:
        return None
    districts = ", ".join(d.name for d in decision.districts)
    if standing is DistrictStanding.NOT_SET:
        return _l("This vote is reserved to the residents of: %(districts)s. Your profile does not say which "
                  "district you live in, so you cannot take part in this vote.", districts=districts)
    if standing is DistrictStanding.ELSEWHERE:
        return _l("This vote is reserved to the residents of: %(districts)s. Your profile says you live in "
                  "%(yours)s, so you cannot take part in this vote.", districts=districts, yours=user.district.name)
    return _l("This vote is reserved to the residents of: %(districts)s. You stated this district in your "
              "profile after the vote opened, so you cannot take part in this vote.", districts=districts)


def _tracking_code():
    return random_code(TRACKING_CODE_LENGTH)


def _still_open(decision):
    """Read again inside the casting transaction: publication may have happened since the first check."""
    row = db.session.execute(select(Decision.published_at, Decision.opens_at, Decision.closes_at)
                             .where(Decision.id == decision.id)).one()
    return row.published_at is None and row.opens_at <= utcnow() < row.closes_at


def _ballots_to_mix(decision):
    """Up to MIX_SIZE earlier ballots of the decision, those whose random keys follow a random point."""
    pivot = secrets.token_hex(16)
    picked = []
    for after in (True, False):
        statement = (select(Ballot.id, Ballot.tracking_code, Ballot.content)
                     .where(Ballot.decision_id == decision.id, Ballot.id > pivot if after else Ballot.id <= pivot)
                     .order_by(Ballot.id).limit(MIX_SIZE - len(picked))
                     .with_for_update(skip_locked=True))  # PostgreSQL: never wait for another voter's rows
        picked += db.session.execute(statement).all()
        if len(picked) >= MIX_SIZE:
            break
    return [{"id": r.id, "decision_id": decision.id, "tracking_code": r.tracking_code, "content": r.content}
            for r in picked]


def _write_ballot(decision, code, content):
    """Insert the new ballot together with earlier ones, all rewritten in random order.

    On PostgreSQL every row records the transaction that wrote it (xmin) and sits where it
    was appended (ctid); SQLite's write-ahead log keeps a transaction's pages together.
    The participation row and the ballot row are necessarily written by the same transaction,
    so that transaction also deletes and re-inserts up to MIX_SIZE earlier ballots: anyone
    reading the database sees the newest ballot only as one of at least ten (once ten exist),
    each of the older ones as one of many. Publication rewrites them all (publish_results).
    """
    rows = _ballots_to_mix(decision)
    if rows:
        db.session.execute(delete(Ballot).where(Ballot.id.in_([r["id"] for r in rows])))
    rows.append({"id": secrets.token_hex(16), "decision_id": decision.id, "tracking_code": code,
                 "content": codec.dumps(content)})
    secrets.SystemRandom().shuffle(rows)
    db.session.execute(insert(Ballot), rows)


def cast_ballot(user, decision, content, channel=Channel.ONLINE):
    """Store one ballot and the participation record; return the ballot's tracking code.

    The UNIQUE (decision, voter) constraint on the participation decides between
    simultaneous submissions: the loser's SAVEPOINT is rolled back, ballot included, and
    it is told the resident already voted. The decision row is share-locked (PostgreSQL)
    and the state read again after writing, so a ballot is either counted by a publication
    or refused, never committed after the count was read. The voter's row is share-locked too: an
    erasure (which locks it to update it) then waits for the ballot's commit and finds its participation,
    or the ballot waits for the erasure's and is refused; without it, a participation committed while the
    erasure read them would leave no ErasedVoter, and the person could vote again.
    """
    lock_rows(user, shared=True)
    if user.is_erased:
        raise DomainError(ALREADY_ERASED)
    _forget_voted(user, decision)  # decided on what the database says now that the voter's row is held
    check(user, Action.DECISION_VOTE, decision)
    for _attempt in range(3):
        code = _tracking_code()
        with unique_insert() as insert:
            db.session.execute(select(Decision.id).where(Decision.id == decision.id).with_for_update(read=True))
            db.session.add(Participation(decision_id=decision.id, user_id=user.id, channel=channel))
            db.session.flush()
            _write_ballot(decision, code, content)
            if not _still_open(decision):  # it was open when checked above: it closed or was published since
                raise DomainError(CLOSED)
        _forget_voted(user, decision)  # a ballot written, or another request's, whose participation refused this one
        if not insert.duplicate:
            return code
        if has_voted(user, decision):
            raise DomainError(_l("You have already taken part in this vote."))
        # Two ballots drew the same tracking code: draw again.
    raise DomainError(_l("Your ballot could not be recorded. Try again."))


def eligible_voters(decision):
    """Residents who could vote when the vote closed (for a district vote, see in_allowed_district):
    active accounts created and with their e-mail confirmed before closes_at, and residents registered
    at a counter before it (no e-mail: their identity was checked there), unless attached to an account
    since, which then counts for them. Whether an account was active or attached then is not kept: its
    present state is counted, which is why the count is frozen at the closing (freeze_electorate).
    Whoever took part counts too, whatever their account's state now: an erased voter's ballot stays
    counted, so must they (turnout never above 100 %), and each account once."""
    eligible = and_(
        User.role == Role.RESIDENT, User.active, User.merged_into_id.is_(None), User.created_at < decision.closes_at,
        or_(User.email_confirmed_at < decision.closes_at, User.email_normalized.is_(None)))
    if decision.districts:
        eligible = and_(eligible, User.district_id.in_([d.id for d in decision.districts]),
                        User.district_since < decision.opens_at)
    took_part = User.id.in_(select(Participation.user_id).where(Participation.decision_id == decision.id))
    return db.session.execute(select(func.count(User.id)).where(or_(eligible, took_part))).scalar_one()


def turnout_by_channel(decision):
    """Voters per channel, from the participation records, or None when a channel has too few to be told apart."""
    counts = dict(db.session.execute(
        select(Participation.channel, func.count(Participation.id))
        .where(Participation.decision_id == decision.id).group_by(Participation.channel)).all())
    by_channel = {c.value: counts.get(c, 0) for c in Channel}
    return by_channel if all(large_enough(n) for n in by_channel.values()) else None


def _closing_barrier(decision, **values):
    """Hold the decision's row until the transaction ends, once its vote is over, and set ``values``
    (or nothing). Ballots being cast hold it shared until they commit (cast_ballot): this waits for
    them, and any ballot after it finds the vote closed. Raises the refusal when the vote is not
    closed, or already published."""
    now = utcnow()
    held = db.session.execute(
        update(Decision).where(Decision.id == decision.id, Decision.closes_at <= now, Decision.published_at.is_(None))
        .values(**(values or {"announced_at": Decision.announced_at})),
        execution_options={"synchronize_session": False}).rowcount
    if not held:
        raise DomainError(_l("Results can be published once the vote is closed, and only once."))
    if values:
        db.session.expire(decision, list(values))
    freeze_electorate(decision)


def freeze_electorate(decision):
    """Set the decision's electorate, once, if its vote has closed: the eligible accounts as of its closing
    (eligible_voters), counted by whichever comes first after it, the clock job, the officials' count or
    the publication, in their transaction. The UPDATE only sets an unset electorate: two of them at the
    same moment count the same accounts, and the first to commit is kept."""
    if decision.electorate is None and decision.closes_at <= utcnow():
        db.session.execute(update(Decision).where(Decision.id == decision.id, Decision.electorate.is_(None))
                           .values(electorate=eligible_voters(decision)),
                           execution_options={"synchronize_session": False})
        db.session.expire(decision, ["electorate"])
    return decision.electorate


@job("electorates of the votes that closed frozen")
def freeze_closed_electorates():
    """Freeze the electorate of every vote that closed since the last run (freeze_electorate)."""
    # Results published before electorates were frozen keep the one their results.json states; no column for them.
    closed = db.session.execute(select(Decision).where(ANNOUNCED,
                                                       Decision.closes_at <= utcnow(), Decision.published_at.is_(None),
                                                       Decision.electorate.is_(None))).scalars().all()
    for decision in closed:
        freeze_electorate(decision)
    return len(closed)


def preview_of(decision):
    """The results counted for officials since the vote closed (at its present closing date), or None."""
    preview = db.session.get(ResultPreview, decision.id)
    return preview if preview is not None and preview.closes_at == decision.closes_at else None


def ballot_count(decision):
    return db.session.execute(select(func.count(Ballot.id)).where(Ballot.decision_id == decision.id)).scalar_one()


def count_preview(decision, user):
    """Count a closed vote for the officials who review it before publishing, once per closing."""
    check(user, Action.RESULTS_PUBLISH, decision)
    _closing_barrier(decision)
    preview = preview_of(decision)
    if preview is not None:  # counted by someone else while this waited for the row
        return preview
    db.session.execute(delete(ResultPreview).where(ResultPreview.decision_id == decision.id))
    results = publication.count_results(decision, decision.electorate, turnout_by_channel(decision))
    preview = ResultPreview(decision_id=decision.id, closes_at=decision.closes_at,
                            results_json=json.dumps(results, sort_keys=True, ensure_ascii=False))
    db.session.add(preview)
    db.session.flush()
    return preview


# What other packages do in the transaction that publishes results (the follow-up opens a record per winning
# project): (decision, results as published, the official) -> None.
_after_publication = Registry("what follows a publication")


def after_publication(name, function):
    _after_publication.add(name, function)


def publish_results(decision, user):
    """Freeze the count: the ballots rewritten in random order, the ballots files, their SHA-256 and the
    results stored, in the staff log, and the followers told. Publishing twice makes one snapshot."""
    check(user, Action.RESULTS_PUBLISH, decision)
    _closing_barrier(decision, published_at=utcnow())
    version = code_version()
    with publication.bulk_settings():
        ballots = publication.shuffle_ballots(decision)
        results, files = publication.write_open_data(decision, ballots, decision.electorate,
                                                     turnout_by_channel(decision), version)
    snapshot = ResultSnapshot(decision_id=decision.id, published_by_id=user.id, code_version=version,
                              ballots_sha256=files[BALLOTS_CSV].sha256)
    db.session.add(snapshot)
    db.session.execute(delete(ResultPreview).where(ResultPreview.decision_id == decision.id))
    db.session.flush()
    staff_log.record(user, "publication", "publish", TargetType.DECISION, decision.id, {},
                     {"ballots_sha256": snapshot.ballots_sha256, "code_version": snapshot.code_version})
    notify_followers(TargetType.DECISION, decision.id, "mail/results_published.txt",
                     _l("Results published: %(title)s", title=decision.title), decision=decision)
    for _name, function in sorted(_after_publication.items()):
        function(decision, results, user)
    return snapshot


def published_ballot(decision, code):
    """The content of the published ballot whose verification code was typed, or None. Only once published:
    the ballots file makes every ballot public then, and not before."""
    if decision.published_at is None:
        return None
    text = db.session.execute(select(Ballot.content).where(Ballot.decision_id == decision.id,
                                                           Ballot.tracking_code == typed_code(code))).scalar()
    return codec.loads(text) if text is not None else None


def published_results(decision):
    """The published results (results.json), read without the ballots files."""
    return json.loads(read_text(decision.id, RESULTS_JSON))


def published_file(decision, name):
    """A stored file of the published results, or None. Results published before the results CSV and
    datapackage.json were stored (migration 0014) get them now, written as publication writes them."""
    file = stored(decision.id, name)
    if file is None and name in (RESULTS_CSV, DATAPACKAGE) and decision.published_at is not None:
        lock_for_write()
        with unique_insert():  # another request writing them at the same moment: theirs are kept
            publication.write_descriptions(decision, published_results(decision), decision.snapshot.code_version,
                                           stored_files(decision.id))
        file = stored(decision.id, name)
    return file


@job("votes opened, followers told")
def notify_opened_votes():
    """Tell followers of every decision that opened since the last check (once per decision)."""
    now = utcnow()
    # Claimed in one statement: each worker process runs this job, and only the one whose UPDATE
    # marked a decision tells its followers (reading first, then marking, would tell them twice).
    claimed = db.session.execute(
        update(Decision).where(ANNOUNCED, Decision.opens_at <= now,
                               Decision.closes_at > now, Decision.opening_notified_at.is_(None))
        .values(opening_notified_at=now).returning(Decision.id)).scalars().all()
    opened = db.session.execute(select(Decision).where(Decision.id.in_(claimed))).scalars().all()
    for decision in opened:
        notify_followers(TargetType.DECISION, decision.id, "mail/vote_opened.txt",
                         _l("The vote is open: %(title)s", title=decision.title), decision=decision)
    return len(opened)
