"""Process operations: set-up, proposals into a process, the technical study, building the vote.
Services flush; the request commits once."""
from datetime import date
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from .. import labels, staff_log
from ..access import Action, check
from ..accounts.models import District
from ..answers.services import ANSWERS_TOPIC
from ..db_types import utcnow
from ..decisions import services as decisions
from ..decisions.models import RANKING_METHODS, BudgetRule, DecisionState, Method
from ..domain import DomainError
from ..followup import services as followup
from ..extensions import db
from ..following.services import followers, topic
from ..i18n import current_language
from ..legal.logo import LogoRefused, sanitise
from ..notifications.services import mail_to
from ..pagination import keyset_page
from ..proposals.models import Proposal, ProposalState
from ..proposals.services import submit_proposal
from ..rows import read_columns
from ..targets import TargetType
from ..themes.models import Theme
from ..timezones import FIRST_YEAR, LAST_YEAR, paris_day_bounds
from ..transaction import lock_rows, unique_insert
from ..typography import long_date
from .models import KIND_ORDER, PUBLISHED, Feasibility, Phase, PhaseKind, Process, ProcessProposal
from .phases import today

PROCESSES_PER_PAGE = 10
PROPOSALS_PER_PAGE = 10
QUEUE_PER_PAGE = 20
# The home page shows this many current processes, those ending soonest first.
HOME_PROCESSES = 3


class PhaseRow(NamedTuple):
    """A phase as the official typed it: kind, first and last day (dates), the row's number in the form."""

    kind: PhaseKind
    starts_on: date
    ends_on: date
    row: int


def _row_field(row, name):
    """A row's field, as the form names it: the refusal is shown on it."""
    return f"phases-{row.row - 1}-{name}"


def _check_phases(rows):
    """The phases follow each other without overlapping, each kind once and in the order of KIND_ORDER."""
    if not rows:
        raise DomainError(_l("Give the process at least one phase, with its kind and its dates."), field="phases")
    seen = set()
    for previous, row in zip([None, *rows], rows):
        if not FIRST_YEAR <= row.starts_on.year <= LAST_YEAR or not FIRST_YEAR <= row.ends_on.year <= LAST_YEAR:
            raise DomainError(_l("Step %(n)s: give days between the years %(first)s and %(last)s.", n=row.row,
                                 first=FIRST_YEAR, last=LAST_YEAR),
                              field=_row_field(row, "ends_on" if FIRST_YEAR <= row.starts_on.year <= LAST_YEAR
                                               else "starts_on"))
        if row.ends_on < row.starts_on:
            raise DomainError(_l("Step %(n)s ends before it starts: check its dates.", n=row.row),
                              field=_row_field(row, "ends_on"))
        if row.kind in seen:
            raise DomainError(_l("Step %(n)s: a process has one phase of each kind.", n=row.row),
                              field=_row_field(row, "kind"))
        seen.add(row.kind)
        if previous is None:
            continue
        if KIND_ORDER.index(row.kind) < KIND_ORDER.index(previous.kind):
            # The order read from KIND_ORDER: a kind added there (the questionnaire) is named here too.
            raise DomainError(_l("Step %(n)s: the phases come in this order: %(order)s.", n=row.row,
                                 order=", ".join(str(labels.label(kind)) for kind in KIND_ORDER)),
                              field=_row_field(row, "kind"))
        if row.starts_on <= previous.ends_on:
            raise DomainError(_l("Step %(n)s starts before the end of step %(m)s: phases do not overlap.",
                                 n=row.row, m=previous.row), field=_row_field(row, "starts_on"))


def _chosen(model, ids, field):
    found = {row.id: row for row in db.session.execute(select(model).where(model.id.in_(ids))).scalars()} if ids else {}
    if len(found) != len(set(ids)):
        raise DomainError(_l("Choose from the list."), field=field)
    return [found[i] for i in dict.fromkeys(ids)]


def _check_change(process, budget, themes, districts, rows):
    """What an edit may not change in a process already under way, or whose vote is built. Residents acted on
    the days of the phases already started (they proposed, supported, were studied within them): those stay, and
    so does every phase with proposals or studies in it, since proposals and studies come from the first day of
    their phase on. What its proposals name (a theme, a district) stays offered. The vote phase is the vote's days:
    moved while the vote has not opened, the vote moves with it; once it is open, neither moves. Returns the vote's
    new (opens_at, closes_at) when the vote follows the edit, else None. A draft changes freely: nobody has seen
    it, and no vote is built from it."""
    if process.is_draft:
        return None
    day = today()
    new = {row.kind: row for row in rows}
    for phase in process.phases:
        row = new.get(phase.kind)
        if phase.starts_on > day:
            if row is not None and row.starts_on < day:
                raise DomainError(_l("Step %(n)s has not started: it starts today at the earliest.", n=row.row),
                                  field=_row_field(row, "starts_on"))
            continue
        if row is None:
            raise DomainError(_l("The “%(kind)s” phase has started: it stays in the process.",
                                 kind=labels.label(phase.kind)), field="phases")
        if row.starts_on != phase.starts_on:
            raise DomainError(_l("Step %(n)s started on %(day)s: its first day stays.", n=row.row,
                                 day=long_date(phase.starts_on, current_language())),
                              field=_row_field(row, "starts_on"))
        if phase.ends_on < day and row.ends_on != phase.ends_on:
            raise DomainError(_l("Step %(n)s is over: its last day stays.", n=row.row),
                              field=_row_field(row, "ends_on"))
        if phase.ends_on >= day > row.ends_on:
            raise DomainError(_l("Step %(n)s is under way: it ends today at the earliest.", n=row.row),
                              field=_row_field(row, "ends_on"))
    for phase_kind, row in new.items():
        if process.phase_of(phase_kind) is None and row.starts_on < day:
            raise DomainError(_l("Step %(n)s: a phase added to a process starts today at the earliest.", n=row.row),
                              field=_row_field(row, "starts_on"))
    _check_still_offered(process, Proposal.theme_id, {t.id for t in themes}, "themes",
                         _l("Proposals of this process have a theme you took off: keep it, or move them first."))
    _check_still_offered(process, Proposal.district_id, {d.id for d in districts}, "districts",
                         _l("Proposals of this process name a district you took off: keep it, or move them first."))
    return _vote_follows(process, new.get(PhaseKind.VOTE), budget)


def _check_still_offered(process, column, kept, field, message):
    """``kept`` empty is every theme (or district): nothing is taken off."""
    if not kept:
        return
    taken_off = select(ProcessProposal.proposal_id).join(Proposal, Proposal.id == ProcessProposal.proposal_id).where(
        ProcessProposal.process_id == process.id, column.is_not(None), column.not_in(kept))
    if db.session.execute(taken_off.exists().select()).scalar():
        raise DomainError(message, field=field)


def _vote_follows(process, row, budget):
    decision = process.decision
    if decision is None:
        return None
    if row is None:
        raise DomainError(_l("The vote of this process is built: its vote phase stays in the process."),
                          field="phases")
    # The vote follows its phase's days when they change; the hours the official gave it on its own page stay
    # otherwise.
    phase = process.phase_of(PhaseKind.VOTE)
    moved = (row.starts_on, row.ends_on) != (phase.starts_on, phase.ends_on)
    opens_at, closes_at = paris_day_bounds(row.starts_on, row.ends_on) if moved else (decision.opens_at,
                                                                                      decision.closes_at)
    budget_changed = decision.method is Method.BUDGET and budget != decision.budget
    if not moved and not budget_changed:
        return None
    if decision.state not in (DecisionState.DRAFT, DecisionState.SCHEDULED):
        if moved:
            raise DomainError(_l("Step %(n)s: the vote of this process has opened; its days no longer change.",
                                 n=row.row), field=_row_field(row, "starts_on" if row.starts_on != phase.starts_on
                                                              else "ends_on"))
        raise DomainError(_l("The participatory budget vote of this process has opened; its budget no longer "
                             "changes."), field="budget")
    if budget_changed and not budget:
        raise DomainError(_l("The vote of this process is a participatory budget: give its total budget."),
                          field="budget")
    if moved and decision.announced_at is not None and opens_at <= utcnow():
        raise DomainError(_l("Step %(n)s: the vote of this process is announced; it opens on a day to come.",
                             n=row.row), field=_row_field(row, "starts_on"))
    return opens_at, closes_at


def save_process(process, user, *, title, summary, description, budget, theme_ids, district_ids, phases,
                 illustration=None, remove_illustration=False):
    """Create (process=None) or change a process. ``phases``: PhaseRow, in the form's order; ``illustration``: the
    bytes of an uploaded SVG, sanitised as the logo is."""
    if process is not None:
        # Two officials saving it at once take turns; its vote too, before its state is read (an official announcing
        # it meanwhile waits, then reads the days this edit gave it).
        lock_rows(*([process, process.decision] if process.decision is not None else [process]))
    check(user, Action.PROCESS_MANAGE, process)
    _check_phases(phases)
    themes = _chosen(Theme, theme_ids, "themes")
    districts = _chosen(District, district_ids, "districts")
    drawing = None
    if illustration:
        try:
            drawing = sanitise(illustration)
        except LogoRefused as refused:
            raise DomainError(refused.message, field="illustration") from None
    vote_moves = _check_change(process, budget, themes, districts, phases) if process is not None else None
    if vote_moves is not None:
        decisions.follow_process(process.decision, user, *vote_moves, budget=budget)
    before = _logged(process) if process is not None else {}
    if process is None:
        process = Process(created_by=user)
        db.session.add(process)
    process.title, process.summary, process.description = title.strip(), summary.strip(), description.strip()
    process.budget = budget
    process.themes, process.districts = themes, districts
    if drawing is not None:
        process.illustration = drawing
    elif remove_illustration:
        process.illustration = None
    process.starts_at, process.ends_at = paris_day_bounds(phases[0].starts_on, phases[-1].ends_on)
    process.updated_at = utcnow()
    # The phases are written again; their positions and kinds are UNIQUE per process, so the old ones go first.
    process.phases.clear()
    db.session.flush()
    process.phases.extend(Phase(position=position, kind=row.kind, starts_on=row.starts_on, ends_on=row.ends_on)
                          for position, row in enumerate(phases))
    db.session.flush()
    after = _logged(process)
    changed = [key for key in after if before.get(key) != after[key]]
    if changed:
        staff_log.record(user, "process", "update" if before else "create", TargetType.PROCESS, process.id,
                         {key: before[key] for key in changed if key in before}, {key: after[key] for key in changed})
    return process


def _logged(process):
    """What the staff log keeps of a process's set-up, to say what each save changed."""
    return {"title": process.title, "summary": process.summary, "description": process.description,
            "budget": process.budget, "themes": [t.id for t in process.themes],
            "districts": [d.id for d in process.districts],
            "phases": [f"{p.kind.value} {p.starts_on.isoformat()} {p.ends_on.isoformat()}" for p in process.phases],
            "illustration": process.illustration is not None}


def publish(process, by):
    """Take a draft out of draft: from now on anybody sees it, and residents take part as its phases allow."""
    lock_rows(process)  # two officials publishing it at once: the second is told it is done
    check(by, Action.PROCESS_PUBLISH, process)
    process.published_at = utcnow()
    db.session.flush()
    staff_log.record(by, "process", "publish", TargetType.PROCESS, process.id, {"published": False},
                     {"published": True})


staff_log.describe("process", "publish", _l("Process n° %(n)s published"))


CURRENT, UPCOMING, PAST, DRAFTS = "current", "upcoming", "past", "drafts"
WHEN = (CURRENT, UPCOMING, PAST)


# Each list of processes (order, descending, condition), built once with "now" bound: building the page's
# statements cost as much as running them.
_LISTS = {
    DRAFTS: ((Process.id,), True, Process.published_at.is_(None)),
    UPCOMING: ((Process.starts_at, Process.id), False, PUBLISHED & (Process.starts_at > bindparam("now"))),
    PAST: ((Process.ends_at, Process.id), True, PUBLISHED & (Process.ends_at <= bindparam("now"))),
    CURRENT: ((Process.ends_at, Process.id), False,
              PUBLISHED & (Process.starts_at <= bindparam("now")) & (Process.ends_at > bindparam("now"))),
}
_LISTED = {when: (select(*order).where(condition), order, descending)
           for when, (order, descending, condition) in _LISTS.items()}
class PhaseDays(NamedTuple):
    kind: PhaseKind
    starts_on: date
    ends_on: date


class ProcessCard(NamedTuple):
    """What a list's card shows of a process (templates/processes/_steps.html), read as columns: a page of process
    and phase objects cost more to load than its statement. Its phase of a day is the model's own."""
    id: int
    title: str
    summary: str
    phases: list  # [PhaseDays], in their order
    phase_on = Process.phase_on
    current_phase = Process.current_phase


_CARD = (Process.id, Process.title, Process.summary, Phase.kind, Phase.starts_on, Phase.ends_on)
# A page's processes and their phases, in one statement.
_CARDS = (select(*_CARD).outerjoin(Phase, Phase.process_id == Process.id)
          .where(Process.id.in_(bindparam("ids", expanding=True))).order_by(Process.id, Phase.position))


def _cards(rows):
    """[ProcessCard] of rows of _CARD (a process's phases in a row each), in their order."""
    cards = {}
    for process_id, title, summary, kind, starts_on, ends_on in rows:
        card = cards.get(process_id)
        if card is None:
            card = cards[process_id] = ProcessCard(process_id, title, summary, [])
        if kind is not None:
            card.phases.append(PhaseDays(kind, starts_on, ends_on))
    return list(cards.values())


def processes_page(when, page=1, after=None, before=None):
    """A page of current processes (ending soonest first), upcoming ones (starting soonest first) or past ones
    (the latest ended first), published; or of drafts (the latest created first), which only staff list."""
    statement, order, descending = _LISTED[when]
    keys = keyset_page(statement, order, page=page, per_page=PROCESSES_PER_PAGE, after=after, before=before,
                       descending=descending, params={"now": utcnow()}, built_once=True)
    keys.items = _with_phases([row.id for row in keys.items])
    return keys


def _with_phases(ids):
    if not ids:
        return []
    found = {card.id: card for card in _cards(read_columns(_CARDS, {"ids": ids}).all())}
    return [found[i] for i in ids]


# The home page's processes with their phases in one statement, built once with its values bound: every home
# page runs it, and building it (or three of them) cost more than running it.
_UNDER_WAY = (select(Process.id)
              .where(PUBLISHED, Process.starts_at <= bindparam("now"), Process.ends_at > bindparam("now"))
              .order_by(Process.ends_at, Process.id).limit(bindparam("limit")).subquery())
_CURRENT_PROCESSES = (select(*_CARD).join(_UNDER_WAY, _UNDER_WAY.c.id == Process.id)
                      .outerjoin(Phase, Phase.process_id == Process.id)
                      .order_by(Process.ends_at, Process.id, Phase.position))


def current_processes(limit=HOME_PROCESSES):
    """What the home page shows first: the processes under way, those ending soonest first."""
    return _cards(read_columns(_CURRENT_PROCESSES, {"now": utcnow(), "limit": limit}).all())


def follow_up_scope(process):
    """The implementation records of what ``process`` decided: its vote's winners and its accepted proposals."""
    return followup.Scope(decisions=select(Process.decision_id).where(Process.id == process.id),
                          proposals=select(ProcessProposal.proposal_id).where(ProcessProposal.process_id == process.id))


def submit_into(process, author, *, title, body, theme_id, place=None, district_id=None, cost_estimate=None):
    """A proposal submitted into ``process``, while its ideas phase allows it (moderated as any proposal)."""
    lock_rows(process, shared=True)  # an official moving the phases meanwhile: decided on the dates as saved
    check(author, Action.PROCESS_PROPOSE, process)
    if process.themes and theme_id not in {t.id for t in process.themes}:
        raise DomainError(_l("Choose a theme from the list."), field="theme")
    if district_id is not None and process.districts and district_id not in {d.id for d in process.districts}:
        raise DomainError(_l("Choose a district from the list."), field="district")
    proposal = submit_proposal(author, title, body, theme_id, place, district_id)
    db.session.add(ProcessProposal(proposal_id=proposal.id, process_id=process.id, cost_estimate=cost_estimate))
    db.session.flush()
    return proposal


def _studied(process):
    """The proposals of ``process`` the study reads: public (published, not held by reports)."""
    return (select(ProcessProposal.proposal_id).join(Proposal, Proposal.id == ProcessProposal.proposal_id)
            .where(ProcessProposal.process_id == process.id, Proposal.state == ProposalState.PUBLISHED,
                   Proposal.held_by_reports.is_(False)))


def is_studied(entry):
    """Whether the study reads this proposal of a process (the queue lists it)."""
    return db.session.execute(_studied(entry.process).where(ProcessProposal.proposal_id == entry.proposal_id)
                              .exists().select()).scalar()


def study_queue(process, pending_only=True, page=1, after=None, before=None):
    """A page of the process's proposals to study (or all of them), oldest first."""
    statement = _studied(process)
    if pending_only:
        statement = statement.where(ProcessProposal.feasibility.is_(None))
    keys = keyset_page(statement, (ProcessProposal.proposal_id,), page=page, per_page=QUEUE_PER_PAGE, after=after,
                       before=before)
    keys.items = _entries([row.proposal_id for row in keys.items])
    return keys


def _entries(proposal_ids):
    found = {e.proposal_id: e for e in db.session.execute(
        select(ProcessProposal).where(ProcessProposal.proposal_id.in_(proposal_ids))
        .options(joinedload(ProcessProposal.proposal).joinedload(Proposal.theme))).scalars()}
    return [found[i] for i in proposal_ids]


def _study_fields(entry):
    return {"feasibility": entry.feasibility.value if entry.feasibility else None,
            "estimated_cost": entry.estimated_cost, "reason": entry.study_reason, "department": entry.department,
            "merged_into": entry.merged_into_id}


def study(entry, by, *, feasibility, estimated_cost, reason, department, merged_into_id=None):
    """Record (or change) the study of a proposal of a process. Nothing is removed: a proposal found not feasible
    stays readable with the reason. Its author and followers are told of the first study and of each change of
    feasibility. Returns False when it already said this."""
    reason, department = (reason or "").strip(), (department or "").strip() or None
    if not reason:
        raise DomainError(_l("Write the reason: residents read it with the study."), field="reason")
    if feasibility is Feasibility.FEASIBLE and not estimated_cost:
        raise DomainError(_l("Give the estimated cost of a feasible project: the vote carries it."),
                          field="estimated_cost")
    if not is_studied(entry):
        raise DomainError(_l("Only the published proposals of the process are studied."))
    merged_into = None
    if feasibility is Feasibility.MERGED:
        merged_into = db.session.get(ProcessProposal, merged_into_id) if merged_into_id else None
        # Into a proposal residents read, which is not itself merged: a chain or a loop would lead nowhere.
        if (merged_into is None or merged_into.process_id != entry.process_id or merged_into_id == entry.proposal_id
                or not is_studied(merged_into) or merged_into.feasibility is Feasibility.MERGED):
            raise DomainError(_l("Give the number of another published proposal of this process, not merged itself."),
                              field="merged_into")
    lock_rows(entry.process, shared=True)  # the vote being built meanwhile: then this study is refused
    check(by, Action.PROCESS_STUDY, entry.process)
    lock_rows(entry.proposal)  # two staff members studying it at once: one after the other
    before = _study_fields(entry) if entry.studied else {}
    earlier = entry.feasibility
    entry.feasibility, entry.estimated_cost = feasibility, estimated_cost
    entry.study_reason, entry.department = reason, department
    entry.merged_into_id = merged_into.proposal_id if merged_into else None
    after = _study_fields(entry)
    if before == after:
        return False
    entry.studied_at, entry.studied_by_id = utcnow(), by.id
    db.session.flush()
    staff_log.record(by, "process", "study", TargetType.PROPOSAL, entry.proposal_id, before, after)
    if earlier is not feasibility:
        _tell(entry, earlier)
    return True


def _tell(entry, earlier):
    """The author (unless they turned off the answers' e-mails: a study is the collectivité's answer in a
    process) and the proposal's followers, each once."""
    proposal = entry.proposal
    subject = _l("The technical study of your proposal: %(title)s", title=proposal.title)
    said = {"entry": entry, "earlier_feasibility": earlier, "proposal": proposal}
    told = set()
    if proposal.author.notify_answers and mail_to(proposal.author, "mail/studied.txt", subject, topic=ANSWERS_TOPIC,
                                                  role="author", **said):
        told.add(proposal.author_id)
    subject = _l("The technical study of a proposal you follow: %(title)s", title=proposal.title)
    for user in followers(TargetType.PROPOSAL, proposal.id):
        if user.id not in told:
            mail_to(user, "mail/studied.txt", subject, topic=topic(TargetType.PROPOSAL, proposal.id),
                    role="follower", **said)
            told.add(user.id)


staff_log.describe("process", "create", _l("Process n° %(n)s created"))
staff_log.describe("process", "update", _l("Process n° %(n)s changed"))
staff_log.describe_fields(TargetType.PROCESS, "process", {
    "title": staff_log.Field(_l("Title")),
    "summary": staff_log.Field(_l("Summary")),
    "description": staff_log.Field(_l("Description")),
    "budget": staff_log.Field(_l("Total budget in euros")),
    "themes": staff_log.Field(_l("Themes (numbers)")),
    "districts": staff_log.Field(_l("Districts (numbers)")),
    "phases": staff_log.Field(_l("Phases (kind, first and last day)")),
    "illustration": staff_log.Field(_l("Illustration")),
    "published": staff_log.Field(_l("Published for residents")),
})

STUDIED, STUDY_CHANGED = _l("Proposal n° %(n)s studied"), _l("Study of proposal n° %(n)s changed")
staff_log.describe("process", "study", lambda before, _after: STUDY_CHANGED if before else STUDIED)
staff_log.describe_fields(TargetType.PROPOSAL, "process", {
    "feasibility": staff_log.Field(_l("Feasibility"), staff_log.enum_value(Feasibility)),
    "estimated_cost": staff_log.Field(_l("Estimated cost in euros")),
    "reason": staff_log.Field(_l("Public reason")),
    "department": staff_log.Field(_l("Department consulted")),
    "merged_into": staff_log.Field(_l("Merged into"), staff_log.numbered_as(TargetType.PROPOSAL)),
})


def feasible_projects(process):
    """The feasible proposals of ``process`` a vote is built from, in the order they were submitted."""
    return _entries(db.session.execute(_studied(process).where(ProcessProposal.feasibility == Feasibility.FEASIBLE)
                                       .order_by(ProcessProposal.proposal_id)).scalars().all())


def _excerpt(text, length=300):
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + " …"


def build_vote(process, by, question, method=Method.BUDGET, budget_rule=BudgetRule.GREEDY, number_of_winners=1):
    """A draft decision asking ``question`` from the process's feasible projects, in one step: each project's title,
    the start of its text and the study's estimated cost (counted by a participatory budget, shown to voters by the
    other methods), linked to its proposal; the process's budget, districts and vote phase's days. The official then
    reviews and announces it as any vote. Once per process."""
    lock_rows(process)  # two officials building it at once: the second is refused
    check(by, Action.PROCESS_BUILD_VOTE, process)
    projects = feasible_projects(process)
    if len(projects) < 2:
        raise DomainError(_l("A vote needs at least two projects, and fewer are studied feasible: the vote is built "
                             "from the feasible ones."))
    if method is Method.BUDGET and not process.budget:
        raise DomainError(_l("Give the process its total budget before building a participatory budget vote."),
                          field="method")
    phase = process.phase_of(PhaseKind.VOTE)
    opens_at, closes_at = paris_day_bounds(phase.starts_on, phase.ends_on)
    options = [(e.proposal.title, _excerpt(e.proposal.body), e.estimated_cost, e.proposal_id) for e in projects]
    decision = decisions.save_decision(
        None, by, title=process.title, question=question, description=process.summary, method=method,
        opens_at=opens_at, closes_at=closes_at, options=options, budget=process.budget, budget_rule=budget_rule,
        district_ids=[d.id for d in process.districts],
        number_of_winners=number_of_winners if method in RANKING_METHODS else 1)
    with unique_insert(DomainError(_l("The vote of this process is already built."))):
        process.decision_id = decision.id
    staff_log.record(by, "process", "build_vote", TargetType.DECISION, decision.id, {},
                     {"process": process.id, "options": len(options)})
    return decision


staff_log.describe("process", "build_vote", _l("Vote n° %(n)s built from the feasible projects of a process"))
staff_log.describe_fields(TargetType.DECISION, "process", {
    "process": staff_log.Field(_l("Process n°")),
    "options": staff_log.Field(_l("Projects")),
})
