"""Processes in a chosen phase, and proposals submitted into them."""
from datetime import timedelta

from civic.accounts.models import Role
from civic.extensions import db
from civic.processes.models import Feasibility, PhaseKind, ProcessProposal
from civic.processes.phases import today
from civic.processes.services import PhaseRow, publish, save_process
from civic.timezones import paris_day_bounds
from tests.factories import make_proposal, make_user

# Where today falls, as (kind, first day, last day) counted in days from today: each kind lasts ten days.
KINDS = (PhaseKind.IDEAS, PhaseKind.STUDY, PhaseKind.VOTE, PhaseKind.RESULTS, PhaseKind.FOLLOW_UP)


def phase_days(current=PhaseKind.IDEAS):
    """Five phases of ten days, the one of kind ``current`` under way (None: all of them to come)."""
    index = KINDS.index(current) if current is not None else -1
    first = today() - timedelta(days=10 * index + 5) if current is not None else today() + timedelta(days=3)
    return [(kind, first + timedelta(days=10 * n), first + timedelta(days=10 * n + 9)) for n, kind in enumerate(KINDS)]


def make_process(current=PhaseKind.IDEAS, title="Budget participatif 2027", budget=100_000, by=None, phases=None,
                 published=True, **fields):
    rows = [PhaseRow(kind, start, end, n) for n, (kind, start, end) in enumerate(phases or phase_days(current), 1)]
    official = by or make_user(role=Role.ELECTED)
    process = save_process(None, official, title=title, summary="Vos idées pour la ville.",
                           description=fields.pop("description", "Un budget pour vos projets."), budget=budget,
                           theme_ids=fields.pop("theme_ids", []), district_ids=fields.pop("district_ids", []),
                           phases=rows, **fields)
    if published:
        publish(process, official)
    db.session.commit()
    return process


def _set_days(process, days):
    for phase, (_kind, start, end_) in zip(process.phases, days):
        phase.starts_on, phase.ends_on = start, end_
    process.starts_at, process.ends_at = paris_day_bounds(process.phases[0].starts_on, process.phases[-1].ends_on)
    db.session.commit()


def move_to(process, kind):
    """Move every phase so that the one of ``kind`` is today's (None: all to come), as an official would."""
    _set_days(process, phase_days(kind))


def end(process):
    """Every phase in the past."""
    _set_days(process, [(kind, start - timedelta(days=20), end_ - timedelta(days=20))
                        for kind, start, end_ in phase_days(PhaseKind.FOLLOW_UP)])


def propose_in(process, author=None, title="Un jardin partagé", cost_estimate=None, **fields):
    proposal = make_proposal(author=author, title=title, **fields)
    db.session.add(ProcessProposal(proposal_id=proposal.id, process_id=process.id, cost_estimate=cost_estimate))
    db.session.commit()
    return proposal


def mark_studied(proposal, feasibility=Feasibility.FEASIBLE, cost=20_000, reason="Faisable par les services."):
    entry = db.session.get(ProcessProposal, proposal.id)
    entry.feasibility, entry.estimated_cost, entry.study_reason = feasibility, cost, reason
    db.session.commit()
    return entry
