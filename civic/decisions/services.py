"""Decision operations: set-up, casting, counting, publishing. Services flush; the request commits."""
import hashlib
import json
import secrets
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import District, Role, User
from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..proposals.models import Proposal
from ..voting.pabulib import PbFile, write as write_pb
from . import ballots as codec
from .models import (Ballot, BudgetRule, Channel, Decision, DecisionState, Method, Option,
                     Participation, ResultSnapshot)

CODE_VERSION = "civic-voting-1"
# No ambiguous characters (0/O, 1/I/L): the code is read aloud and typed back.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BREAKDOWN_MINIMUM = 10


def visible_decisions(include_drafts=False):
    statement = select(Decision).order_by(Decision.opens_at.desc(), Decision.id.desc())
    if not include_drafts:
        statement = statement.where(Decision.announced_at.is_not(None))
    return db.session.execute(statement).scalars().all()


def _check_dates(opens_at, closes_at):
    if closes_at <= opens_at:
        raise DomainError(_l("The closing date must come after the opening date."), field="closes_at")


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


def save_decision(decision, user, *, title, question, description, method, opens_at, closes_at, options,
                  max_choices=None, budget=None, budget_rule=None, voter_cost_limit=None, district_ids=()):
    """Create (decision=None) or change a decision that has not opened yet."""
    if decision is not None and decision.state not in (DecisionState.DRAFT, DecisionState.SCHEDULED):
        raise DomainError(_l("This decision is open or closed: only its description can still be corrected."))
    _check_dates(opens_at, closes_at)
    _check_options(method, options)
    if method is Method.BUDGET:
        if not budget or budget <= 0:
            raise DomainError(_l("Give the total budget in euros."), field="budget")
        if budget_rule is None:
            raise DomainError(_l("Choose how the winning projects are chosen."), field="budget_rule")
    if decision is None:
        decision = Decision(created_by=user)
        db.session.add(decision)
    decision.title, decision.question, decision.description = title.strip(), question.strip(), description.strip()
    decision.method, decision.opens_at, decision.closes_at = method, opens_at, closes_at
    decision.max_choices = max_choices if method is Method.APPROVAL else None
    decision.budget = budget if method is Method.BUDGET else None
    decision.budget_rule = budget_rule if method is Method.BUDGET else None
    decision.voter_cost_limit = voter_cost_limit if method is Method.BUDGET else None
    districts = [db.session.get(District, d) if d is not None else None for d in district_ids]
    if None in districts:
        raise DomainError(_l("Choose a district from the list."), field="districts")
    decision.districts = districts
    decision.options.clear()
    db.session.flush()
    for position, (label, description_, cost, proposal_id) in enumerate(options):
        decision.options.append(Option(position=position, label=label.strip(), description=description_ or None,
                                       cost=cost if method is Method.BUDGET else None, proposal_id=proposal_id))
    db.session.flush()
    return decision


def announce(decision):
    """Take a draft out of draft: residents see it, and it opens on its date."""
    if decision.state is not DecisionState.DRAFT:
        raise DomainError(_l("This decision is already announced."))
    if decision.opens_at <= utcnow():
        raise DomainError(_l("The opening date is already past: change it before announcing the vote."),
                          field="opens_at")
    decision.announced_at = utcnow()
    db.session.flush()


def has_voted(user, decision):
    return db.session.execute(
        select(func.count(Participation.id)).where(Participation.decision_id == decision.id,
                                                   Participation.user_id == user.id)
    ).scalar_one() > 0


def in_allowed_district(user, decision):
    return not decision.districts or user.district_id in {d.id for d in decision.districts}


def check_can_vote(user, decision):
    """Raise a DomainError that says why this resident cannot vote, if they cannot."""
    if decision.state is not DecisionState.OPEN:
        raise DomainError(_l("This vote is not open."))
    if user.role is not Role.RESIDENT:
        raise DomainError(_l("Only residents vote."))
    if not in_allowed_district(user, decision):
        raise DomainError(_l("This vote is for the residents of: %(districts)s. Check the district in your profile.",
                             districts=", ".join(d.name for d in decision.districts)))
    if has_voted(user, decision):
        raise DomainError(_l("You have already taken part in this vote."))


def _tracking_code():
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))


def cast_ballot(user, decision, content, channel=Channel.ONLINE):
    """Store one ballot and the participation record; return the ballot's tracking code.

    The two rows are written in one transaction. The UNIQUE (decision, voter) constraint
    on the participation decides between simultaneous submissions: the loser's SAVEPOINT
    is rolled back, ballot included, and it is told the resident already voted.
    """
    check_can_vote(user, decision)
    code = _tracking_code()
    try:
        with db.session.begin_nested():
            db.session.add(Participation(decision_id=decision.id, user_id=user.id, channel=channel))
            db.session.add(Ballot(id=secrets.token_hex(16), decision_id=decision.id,
                                  cast_on=datetime.now(UTC).date(), channel=channel,
                                  tracking_code=code, content=codec.dumps(content)))
    except IntegrityError:
        raise DomainError(_l("You have already taken part in this vote.")) from None
    return code


def _ballot_rows(decision):
    return db.session.execute(
        select(Ballot.tracking_code, Ballot.channel, Ballot.content).where(Ballot.decision_id == decision.id)
    ).all()


def eligible_voters(decision):
    statement = select(func.count(User.id)).where(User.role == Role.RESIDENT, User.active)
    if decision.districts:
        statement = statement.where(User.district_id.in_([d.id for d in decision.districts]))
    return db.session.execute(statement).scalar_one()


def compute_results(decision, rows=None):
    """The count as plain JSON-able data, from the ballots in the database (or given rows)."""
    rows = _ballot_rows(decision) if rows is None else rows
    contents = [codec.loads(r.content) for r in rows]
    option_ids = [o.id for o in decision.options]
    by_channel = {c.value: sum(1 for r in rows if r.channel is c) for c in Channel}
    breakdown_allowed = all(n >= BREAKDOWN_MINIMUM for n in by_channel.values())
    results = {
        "decision_id": decision.id,
        "method": decision.method.value,
        "options": [{"id": o.id, "label": o.label, "cost": o.cost} for o in decision.options],
        "ballots": len(rows),
        "eligible": eligible_voters(decision),
        "count": _count(decision, option_ids, contents),
        "by_channel": by_channel if breakdown_allowed else None,
        "breakdown": None,
    }
    if breakdown_allowed:
        results["breakdown"] = {
            c.value: _count(decision, option_ids, [codec.loads(r.content) for r in rows if r.channel is c])
            for c in Channel
        }
    return results


def _count(decision, option_ids, contents):
    return codec.summarise(decision.method, option_ids, contents, budget=decision.budget,
                           costs={o.id: o.cost for o in decision.options}, rule=decision.budget_rule)


def pb_text(decision, rows):
    """The ballots of a participatory budget in the Pabulib format."""
    instance = codec.budget_instance(decision)
    ballots = [frozenset(codec.loads(r.content)["options"]) for r in rows]
    rule = "greedy" if decision.budget_rule is BudgetRule.GREEDY else "equalshares/add1"
    pb = PbFile.from_instance(instance, ballots, meta={
        "description": decision.title, "country": "France", "unit": decision.title,
        "instance": str(decision.id), "vote_type": "approval", "rule": rule, "currency": "EUR",
        **({"max_sum_cost": str(decision.voter_cost_limit)} if decision.voter_cost_limit else {}),
    })
    for row, r in zip(pb.votes, rows):
        row["voter_id"] = r.tracking_code
    for option in decision.options:
        pb.projects[str(option.id)]["name"] = option.label
    pb.project_fields = ("project_id", "cost", "name")
    return write_pb(pb)


def publish_results(decision, user):
    """Freeze the count: results, shuffled ballots file and its SHA-256. Publishing twice makes one snapshot."""
    if decision.state is not DecisionState.CLOSED:
        raise DomainError(_l("Results can be published once the vote is closed, and only once."))
    rows = list(_ballot_rows(decision))
    secrets.SystemRandom().shuffle(rows)
    results = compute_results(decision, rows)
    with_channel = results["by_channel"] is not None
    csv_text = codec.ballots_csv(decision, [(r.tracking_code, r.channel.value, codec.loads(r.content)) for r in rows],
                                 with_channel)
    snapshot = ResultSnapshot(
        decision_id=decision.id, published_by_id=user.id, code_version=CODE_VERSION,
        results_json=json.dumps(results, sort_keys=True, ensure_ascii=False),
        ballots_csv=csv_text, ballots_sha256=hashlib.sha256(csv_text.encode()).hexdigest(),
        ballots_pb=pb_text(decision, rows) if decision.method is Method.BUDGET else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(snapshot)
    except IntegrityError:
        raise DomainError(_l("Results can be published once the vote is closed, and only once.")) from None
    db.session.refresh(decision)
    return snapshot
