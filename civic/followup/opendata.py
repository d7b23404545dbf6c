"""The follow-up of what was decided as open data (civic.opendata): what /realisations and the records' pages
show to anybody, every record, its milestones and its public history.

A record names its proposal, and gives its title, only while anybody may read the proposal; the history is signed
with the role the official acted in, as the page shows it, never a name.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..opendata.datasets import Dataset, register
from ..proposals.models import Proposal
from .models import ImplementationRecord, ImplementationStatus, Milestone, RecordChange


def _record_rows(records):
    readable = set(db.session.execute(select(Proposal.id).where(
        Proposal.id.in_({r.proposal_id for r in records if r.proposal_id}), Proposal.readable_by_anyone)).scalars())
    # A proposal moderation took off the pages takes its title off the record (models: title_withdrawn).
    return [{
        "id": r.id, "title": r.title if r.proposal_id is None or r.proposal_id in readable else None, "status": r.status.value, "progress": r.progress, "voted_cost": r.voted_cost,
        "actual_cost": r.actual_cost,
        # Kept when the work starts again, but the page shows it only while abandoned.
        "abandon_reason": r.reason if r.status is ImplementationStatus.ABANDONED else None,
        "decision_id": r.decision_id, "option_id": r.option_id,
        "proposal_id": r.proposal_id if r.proposal_id in readable else None,
        "theme_id": r.theme_id, "district_id": r.district_id, "opened_at": r.opened_at, "updated_at": r.updated_at,
    } for r in records]


def _milestone_rows(milestones):
    return [{"id": m.id, "record_id": m.record_id, "day": m.day, "text": m.text} for m in milestones]


def _change_rows(changes):
    return [{"id": c.id, "record_id": c.record_id, "changed_at": c.changed_at, "field": c.field.value,
             "before": c.before, "after": c.after, "milestone_id": c.milestone_id,
             "author_role": c.author_role.value if c.author_role else None} for c in changes]


register(Dataset(
    name="implementation_records", title=_l("Follow-up of the projects"),
    description=_l("What became of each winning project and accepted proposal: status, progress, cost voted and "
                   "actual cost, why it was abandoned, where it comes from."),
    query=lambda: select(ImplementationRecord), key=ImplementationRecord.id, serialise=_record_rows,
    withdrawn_by=(Proposal.state, Proposal.held_by_reports), order=70))
register(Dataset(
    name="implementation_milestones", title=_l("Milestones of the projects"),
    description=_l("The dated steps of the work on each project."),
    query=lambda: select(Milestone), key=Milestone.id, serialise=_milestone_rows, order=71))
register(Dataset(
    name="implementation_changes", title=_l("History of the follow-up"),
    description=_l("Every change made to the follow-up of a project, as its page shows it: the field, before and "
                   "after, when, and the role of the official who made it."),
    query=lambda: select(RecordChange), key=RecordChange.id, serialise=_change_rows, order=72))
