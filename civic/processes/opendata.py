"""The participatory processes as open data (civic.opendata): what their pages show to anybody.

Every published process is public (rules.py: a draft is the staff's), with its phases, themes and districts. Its vote is
named once announced, as its page links it only then. A proposal's entry (its cost estimate and technical study)
is published while the proposal is (Proposal.readable_by_anyone, as the proposals dataset); who studied it never.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..decisions.models import ANNOUNCED, Decision
from ..extensions import db
from ..opendata.datasets import Dataset, register
from ..proposals.models import Proposal
from .models import PUBLISHED, Phase, Process, ProcessProposal, process_district, process_theme


def _ids(statement):
    return set(db.session.execute(statement).scalars())


def _process_rows(processes):
    ids = [p.id for p in processes]
    days = {process_id: (first, last) for process_id, first, last in db.session.execute(
        select(Phase.process_id, func.min(Phase.starts_on), func.max(Phase.ends_on))
        .where(Phase.process_id.in_(ids)).group_by(Phase.process_id))}
    announced = _ids(select(Decision.id).where(Decision.id.in_({p.decision_id for p in processes if p.decision_id}),
                                               ANNOUNCED))
    rows = []
    for p in processes:
        first, last = days.get(p.id, (None, None))
        rows.append({"id": p.id, "title": p.title, "summary": p.summary, "description": p.description or None,
                     "budget": p.budget, "first_day": first, "last_day": last,
                     "decision_id": p.decision_id if p.decision_id in announced else None,
                     "updated_at": p.updated_at})
    return rows


def _phase_rows(phases):
    # Stored from 0; published from 1, as the options of the votes and the pages' numbered steps are.
    return [{"process_id": p.process_id, "position": p.position + 1, "kind": p.kind.value, "starts_on": p.starts_on,
             "ends_on": p.ends_on} for p in phases]


def _pairs(table, column):
    """The rows of a process's link table (themes or districts), for a batch of processes: one query."""
    def serialise(processes):
        pairs = db.session.execute(select(table.c.process_id, table.c[column])
                                   .where(table.c.process_id.in_([p.id for p in processes]))
                                   .order_by(table.c.process_id, table.c[column]))
        return [{"process_id": process_id, column: other} for process_id, other in pairs]
    return serialise


def _entry_rows(entries):
    # A proposal merged into one hidden since is not linked: its page says nothing of where it went.
    targets = _ids(select(Proposal.id).where(
        Proposal.id.in_({e.merged_into_id for e in entries if e.merged_into_id}), Proposal.readable_by_anyone))
    rows = []
    for e in entries:
        studied = e.studied
        rows.append({
            "proposal_id": e.proposal_id, "process_id": e.process_id, "cost_estimate": e.cost_estimate,
            "feasibility": e.feasibility.value if studied else None,
            "estimated_cost": e.estimated_cost if studied else None,
            "study_reason": (e.study_reason or None) if studied else None,
            "department": (e.department or None) if studied else None,
            "merged_into_id": e.merged_into_id if studied and e.merged_into_id in targets else None,
            "studied_at": e.studied_at if studied else None,
        })
    return rows


register(Dataset(
    name="processes", title=_l("Participatory processes"),
    description=_l("The participatory processes: their presentation, budget, first and last days, and the vote "
                   "built from their projects once it is announced."),
    query=lambda: select(Process).where(PUBLISHED), key=Process.id, serialise=_process_rows, order=30))
register(Dataset(
    name="process_phases", title=_l("Phases of the processes"),
    description=_l("The dated phases of each process (ideas, technical study, vote, results, follow-up)."),
    query=lambda: select(Phase).join(Process, Process.id == Phase.process_id).where(PUBLISHED), key=Phase.id,
    serialise=_phase_rows, order=31))
register(Dataset(
    name="process_themes", title=_l("Themes of the processes"),
    description=_l("The themes a process is about; a process without any is about every theme."),
    query=lambda: select(Process).where(PUBLISHED), key=Process.id, serialise=_pairs(process_theme, "theme_id"),
    api=False, order=32))
register(Dataset(
    name="process_districts", title=_l("Districts of the processes"),
    description=_l("The districts a process is limited to; a process without any concerns the whole territory."),
    query=lambda: select(Process).where(PUBLISHED), key=Process.id,
    serialise=_pairs(process_district, "district_id"), api=False, order=33))
register(Dataset(
    name="process_proposals", title=_l("Proposals of the processes"),
    description=_l("The proposals submitted into a process, the cost their author estimated, and their technical "
                   "study once made: feasibility, estimated cost, reason and department consulted."),
    query=lambda: select(ProcessProposal).join(Proposal, Proposal.id == ProcessProposal.proposal_id)
    .join(Process, Process.id == ProcessProposal.process_id).where(Proposal.readable_by_anyone, PUBLISHED),
    key=ProcessProposal.proposal_id, serialise=_entry_rows,
    withdrawn_by=(Proposal.state, Proposal.held_by_reports, Proposal), order=34))
