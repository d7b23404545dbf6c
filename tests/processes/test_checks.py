"""The database holds the rules of a process and of its technical study, whatever writes the rows."""
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from civic.extensions import db
from civic.processes.models import Feasibility, Phase, Process, ProcessProposal
from tests.processes.helpers import make_process, mark_studied, propose_in


def _refused(statement):
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(statement)


def test_a_process_and_its_phases_keep_their_rules(ctx):
    process = make_process()
    _refused(update(Process).where(Process.id == process.id).values(budget=-1))
    _refused(update(Process).where(Process.id == process.id).values(ends_at=process.starts_at))
    phase = process.phases[0]
    _refused(update(Phase).where(Phase.id == phase.id).values(ends_on=phase.starts_on - timedelta(days=1)))
    db.session.execute(update(Process).where(Process.id == process.id).values(budget=None))


def test_a_study_keeps_its_rules(ctx):
    process = make_process()
    garden, bench = propose_in(process), propose_in(process, title="Des bancs")
    entry = ProcessProposal.proposal_id == garden.id
    _refused(update(ProcessProposal).where(entry).values(feasibility=Feasibility.NOT_FEASIBLE, study_reason=""))
    _refused(update(ProcessProposal).where(entry).values(feasibility=Feasibility.NOT_FEASIBLE, study_reason=None))
    _refused(update(ProcessProposal).where(entry).values(feasibility=Feasibility.FEASIBLE, study_reason="Oui.",
                                                         estimated_cost=None))
    _refused(update(ProcessProposal).where(entry).values(feasibility=Feasibility.NOT_FEASIBLE, study_reason="Non.",
                                                         merged_into_id=bench.id))
    _refused(update(ProcessProposal).where(entry).values(feasibility=Feasibility.MERGED, study_reason="Doublon.",
                                                         merged_into_id=garden.id))
    _refused(update(ProcessProposal).where(entry).values(cost_estimate=-5))
    mark_studied(bench)
    db.session.execute(update(ProcessProposal).where(entry).values(
        feasibility=Feasibility.MERGED, study_reason="Doublon.", merged_into_id=bench.id))
