"""Implementation records: opened by a publication or an accepted answer, changed by officials, read by everyone.

Records open themselves (``open_for_publication``, ``open_for_answer``: registered into the decisions and answers
services, so they run in the transaction that publishes or answers): nothing decided is forgotten because no
official thought of opening its follow-up. Every change writes one history row per field, a staff log entry, and
an e-mail to the followers when the status changes or a milestone is added.

The lists and totals take a ``Scope``: the whole site, or the decisions and proposals of a part of it (a
participatory process names its own), so that one page per process and the site-wide page read alike.
"""
from dataclasses import dataclass
from typing import NamedTuple

from flask_babel import format_number, lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from .. import staff_log
from ..access import Action, check
from ..accounts.models import District
from ..accounts.services import all_districts
from ..answers.models import AnswerStatus
from ..db_types import utcnow
from ..decisions.models import Method
from ..domain import DomainError
from ..extensions import db
from ..following.services import notify_followers
from ..forms import MAX_AMOUNT
from ..pagination import keyset_page
from ..proposals.models import Proposal
from ..rows import read_columns
from ..targets import TargetType
from ..themes.models import Theme
from ..themes.services import active_themes
from ..timezones import FIRST_YEAR, LAST_YEAR
from ..transaction import lock_rows, unique_insert
from .models import (MILESTONE_MAX, REASON_MAX, ChangedField, ImplementationRecord, ImplementationStatus,
                     Milestone, RecordChange, public_title)

# Votes whose winning options may be projects; an option is one when it has a cost or comes from a proposal
# (a library's name elected by single choice is not something to build).
ELECTING_METHODS = (Method.BUDGET, Method.APPROVAL, Method.SINGLE_CHOICE, Method.MAJORITY_JUDGMENT)
# Answers that commit the collectivité to do what the proposal asks.
ACCEPTING = (AnswerStatus.ACCEPTED, AnswerStatus.ACCEPTED_WITH_CHANGES, AnswerStatus.DONE)
PROGRESS_MESSAGE = _l("Enter the progress as a whole number from 0 to 100.")
COST_MESSAGE = _l("Enter the actual cost in whole euros, from 0 to %(max)s, or leave it empty.",
                  max=LazyString(format_number, MAX_AMOUNT))  # in the reader's language
RECORDS_PER_PAGE = 20
# The record's page shows the latest changes of its history, and says how many earlier ones there are.
CHANGES_SHOWN = 30
_ORDER = (ImplementationRecord.opened_at, ImplementationRecord.id)


@dataclass(frozen=True)
class Scope:
    """Which records: those of ``decisions`` or of ``proposals`` (SELECTs of ids), or all when both are None."""
    decisions: object = None
    proposals: object = None

    def condition(self):
        parts = []
        if self.decisions is not None:
            parts.append(ImplementationRecord.decision_id.in_(self.decisions))
        if self.proposals is not None:
            parts.append(ImplementationRecord.proposal_id.in_(self.proposals))
        return or_(*parts) if parts else None


SITE = Scope()


def _filtered(statement, scope, status=None, theme_id=None, district_id=None):
    condition = scope.condition()
    if condition is not None:
        statement = statement.where(condition)
    if status is not None:
        statement = statement.where(ImplementationRecord.status == status)
    if theme_id is not None:
        statement = statement.where(ImplementationRecord.theme_id == theme_id)
    if district_id is not None:
        statement = statement.where(ImplementationRecord.district_id == district_id)
    return statement


# --- Opening --------------------------------------------------------------------------------------------------

def _open(official, **fields):
    record = ImplementationRecord(opened_at=utcnow(), updated_at=utcnow(), **fields)
    db.session.add(record)
    db.session.flush()
    db.session.add(RecordChange(record_id=record.id, changed_at=record.opened_at, field=ChangedField.OPENED,
                                after=record.status.value, author_role=official.role if official else None))
    return record


def is_project(option):
    return option.decision.method is Method.BUDGET or option.cost is not None or option.proposal_id is not None


def open_for_publication(decision, results, official):
    """A record for each winning project of the published ``results``, unless it has one; returns them."""
    if decision.method not in ELECTING_METHODS:
        return []
    winners = {str(w) for w in results["count"].get("winners", ())}
    had = set(db.session.execute(select(ImplementationRecord.option_id)
                                 .where(ImplementationRecord.decision_id == decision.id)).scalars())
    district = decision.districts[0].id if len(decision.districts) == 1 else None
    opened = []
    for option in decision.options:
        if str(option.id) in winners and option.id not in had and is_project(option):
            proposal = option.proposal_id and db.session.get(Proposal, option.proposal_id)
            opened.append(_open(official, title=option.label, decision_id=decision.id, option_id=option.id,
                                proposal_id=option.proposal_id, voted_cost=option.cost, district_id=district,
                                theme_id=proposal.theme_id if proposal else None))
    return opened


def open_for_answer(proposal, answer, official):
    """A record for a proposal an answer accepts, unless it has one (from a vote it won, or an earlier
    acceptance); an answer saying it is done opens it done. Returns the record opened, or None."""
    if answer.status not in ACCEPTING or records_of_proposal(proposal):
        return None
    done = answer.status is AnswerStatus.DONE
    with unique_insert() as insert:  # two officials accepting it at once: the index keeps one record
        record = _open(official, title=proposal.title, proposal_id=proposal.id, theme_id=proposal.theme_id,
                       status=ImplementationStatus.DONE if done else ImplementationStatus.TO_DO,
                       progress=100 if done else 0)
    return None if insert.duplicate else record


# --- Reading --------------------------------------------------------------------------------------------------

def records(scope=SITE, status=None, theme_id=None, district_id=None, page=1, after=None, before=None,
            per_page=RECORDS_PER_PAGE):
    """A page of records, the latest opened first, with what their rows show."""
    keys = keyset_page(_filtered(select(ImplementationRecord.id, *_ORDER), scope, status, theme_id, district_id),
                       _ORDER, page=page, per_page=per_page, after=after, before=before, descending=True)
    ids = [row.id for row in keys.items]
    loaded = {r.id: r for r in db.session.execute(
        select(ImplementationRecord).where(ImplementationRecord.id.in_(ids))
        .options(joinedload(ImplementationRecord.theme), joinedload(ImplementationRecord.district),
                 joinedload(ImplementationRecord.proposal))).scalars()}
    keys.items = [loaded[i] for i in ids]
    return keys


@dataclass(frozen=True)
class Totals:
    count: dict  # {ImplementationStatus: number of records}
    spent: int  # the actual costs entered
    voted: int  # the costs the votes carried, abandoned projects included: it is what was decided

    @property
    def records(self):
        return sum(self.count.values())


def totals(scope=SITE, theme_id=None, district_id=None):
    """The records' numbers by status and their costs, in one statement (a filter by status would leave the
    other statuses at zero: it is not taken)."""
    statement = _filtered(select(ImplementationRecord.status, func.count(), func.sum(ImplementationRecord.actual_cost),
                                 func.sum(ImplementationRecord.voted_cost)), scope, None, theme_id, district_id)
    rows = db.session.execute(statement.group_by(ImplementationRecord.status)).all()
    count = {status: 0 for status in ImplementationStatus}
    spent = voted = 0
    for status, number, actual, carried in rows:
        count[status] = number
        spent += actual or 0
        voted += carried or 0
    return Totals(count=count, spent=spent, voted=voted)


def listing(scope, status_key, theme_id, district_id, **page):
    """What templates/followup/_records.html shows of ``scope``: its totals, the filters and a page of records
    (``status_key``: a status's value, anything else is every status)."""
    status = next((s for s in ImplementationStatus if s.value == status_key), None)
    return {
        "page": records(scope, status, theme_id, district_id, **page),
        "totals": totals(scope, theme_id, district_id),
        "themes": active_themes(),
        "districts": all_districts(),
        "status_key": status.value if status else "", "theme_id": theme_id, "district_id": district_id,
    }


def milestones(record):
    return db.session.execute(select(Milestone).where(Milestone.record_id == record.id)
                              .order_by(Milestone.day, Milestone.id)).scalars().all()


def history(record, shown=CHANGES_SHOWN):
    """(the latest ``shown`` changes, newest first, those of one save in the order of the form; how many there
    are in all)."""
    changes = db.session.execute(select(RecordChange).where(RecordChange.record_id == record.id)
                                 .options(joinedload(RecordChange.milestone)).order_by(RecordChange.changed_at.desc(), RecordChange.id)
                                 .limit(shown + 1)).scalars().all()
    total = len(changes) if len(changes) <= shown else db.session.execute(
        select(func.count()).where(RecordChange.record_id == record.id)).scalar_one()
    return changes[:shown], total


class RecordLink(NamedTuple):
    """What a proposal's or a decision's page shows of a follow-up record (followup/_macros.html, record_links),
    read as columns: the records as objects, with their proposals for the title, cost more to load than to find."""
    id: int
    public_title: str
    status: ImplementationStatus
    progress: int


# Built once, their values bound: every page of a followed-up proposal and of published results runs one.
_RECORD_LINKS = select(ImplementationRecord.id, ImplementationRecord.title, ImplementationRecord.title_withdrawn,
                       ImplementationRecord.status, ImplementationRecord.progress).order_by(ImplementationRecord.id)
_RECORDS_OF_PROPOSAL = _RECORD_LINKS.where(ImplementationRecord.proposal_id == bindparam("proposal_id"))
_RECORDS_OF_DECISION = _RECORD_LINKS.where(ImplementationRecord.decision_id == bindparam("decision_id"))


def _record_links(statement, values):
    # Columns only, read without the ORM's execution (civic.rows): 303 -> 202 Python calls for three records.
    return [RecordLink(id_, public_title(title, withdrawn), status, progress)
            for id_, title, withdrawn, status, progress in read_columns(statement, values).all()]


def records_of_proposal(proposal):
    """RecordLinks of the proposal's records."""
    return _record_links(_RECORDS_OF_PROPOSAL, {"proposal_id": proposal.id})


def records_of_decision(decision):
    """RecordLinks of a decision's winning projects, in the order they were opened (the options')."""
    return _record_links(_RECORDS_OF_DECISION, {"decision_id": decision.id})


# --- Changing -------------------------------------------------------------------------------------------------

def _number(value, field, maximum, message):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise DomainError(message, field=field)
    return value


def _known(model, ident, field, message):
    if ident is None:
        return None
    if db.session.get(model, ident) is None:
        raise DomainError(message, field=field)
    return ident


def update_record(official, record, status, progress, actual_cost, reason="", theme_id=None, district_id=None):
    """Change what the record says; returns the fields changed (empty: it already said this, nothing is written).
    Validated whole before anything changes."""
    reason = (reason or "").strip()
    progress = _number(progress, "progress", 100, PROGRESS_MESSAGE)
    if progress is None:
        raise DomainError(PROGRESS_MESSAGE, field="progress")
    actual_cost = _number(actual_cost, "actual_cost", MAX_AMOUNT, COST_MESSAGE)
    if status is ImplementationStatus.ABANDONED and not reason:
        raise DomainError(_l("Say why the project is abandoned: residents read the reason with its status."),
                          field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_l("At most %(max)d characters.", max=REASON_MAX), field="reason")
    if status is ImplementationStatus.DONE and progress != 100:
        raise DomainError(_l("A project done is at 100 %: set the progress to 100 or choose another status."),
                          field="progress")
    theme_id = _known(Theme, theme_id, "theme", _l("Choose a theme from the list."))
    district_id = _known(District, district_id, "district", _l("Choose a district from the list."))
    check(official, Action.IMPLEMENTATION_UPDATE, record)
    lock_rows(record)  # two officials saving at once: each change is written against what the other saved
    before = {"status": record.status, "progress": record.progress, "actual_cost": record.actual_cost,
              "reason": record.reason}
    # The reason stays the last one given when the project starts again: the history says when it changed.
    after = {"status": status, "progress": progress, "actual_cost": actual_cost,
             "reason": reason if status is ImplementationStatus.ABANDONED else record.reason}
    public = [key for key in before if before[key] != after[key]]
    placed_before = (record.theme_id, record.district_id)
    placed = (theme_id, district_id) != placed_before
    if not public and not placed:
        return []
    now = utcnow()
    for key in public:
        db.session.add(RecordChange(record_id=record.id, changed_at=now, field=ChangedField(key),
                                    before=_text(before[key]), after=_text(after[key]),
                                    author_role=official.role))
    record.status, record.progress, record.actual_cost, record.reason = (
        after["status"], after["progress"], after["actual_cost"], after["reason"])
    record.theme_id, record.district_id, record.updated_at = theme_id, district_id, now
    db.session.flush()
    logged_before = {key: _text(before[key]) for key in public}
    logged_after = {key: _text(after[key]) for key in public}
    if placed:  # where it stands is the officials' filing, not a public change: the staff log keeps it
        logged_before.update(theme_id=placed_before[0], district_id=placed_before[1])
        logged_after.update(theme_id=theme_id, district_id=district_id)
    staff_log.record(official, "followup", "update", TargetType.IMPLEMENTATION, record.id, logged_before,
                     logged_after)
    if "status" in public:
        _tell(record, "mail/implementation_status.txt",
              _l("Project follow-up: “%(title)s” changed status", title=record.public_title), earlier=before["status"])
    return public + (["place"] if placed else [])


def add_milestone(official, record, day, text):
    """A dated step, in the history and e-mailed to the followers."""
    text = (text or "").strip()
    if day is None:
        raise DomainError(_l("Enter the day of the milestone, for example 15/03/2027."), field="day")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DomainError(_l("Enter a day between the years %(first)s and %(last)s.", first=FIRST_YEAR,
                             last=LAST_YEAR), field="day")
    if not text:
        raise DomainError(_l("Say in a sentence what was done or decided."), field="text")
    if len(text) > MILESTONE_MAX:
        raise DomainError(_l("At most %(max)d characters.", max=MILESTONE_MAX), field="text")
    check(official, Action.IMPLEMENTATION_UPDATE, record)
    lock_rows(record)
    milestone = Milestone(record_id=record.id, day=day, text=text, created_at=utcnow())
    db.session.add(milestone)
    db.session.flush()
    db.session.add(RecordChange(record_id=record.id, changed_at=milestone.created_at, field=ChangedField.MILESTONE,
                                milestone_id=milestone.id, author_role=official.role))
    record.updated_at = milestone.created_at
    db.session.flush()
    staff_log.record(official, "followup", "milestone", TargetType.IMPLEMENTATION, record.id, {},
                     {"day": day.isoformat(), "text": text})
    _tell(record, "mail/implementation_milestone.txt",
          _l("Project follow-up: a new milestone for “%(title)s”", title=record.public_title), milestone=milestone)
    return milestone


def _text(value):
    if value is None:
        return None
    return value.value if isinstance(value, ImplementationStatus) else str(value)


def _tell(record, template, subject, **context):
    return notify_followers(TargetType.IMPLEMENTATION, record.id, template, subject, record=record, **context)
