"""Weekly figures per counter, for digital-inclusion reporting: counts only, nobody named."""
from sqlalchemy import select

from ..extensions import db
from .assignments import all_counters
from .models import AssistedAction, AssistedActionKind

CONTRIBUTION_KINDS = (AssistedActionKind.PROPOSAL_CREATED, AssistedActionKind.COMMENT_CREATED,
                      AssistedActionKind.SUPPORT_ADDED)


def weekly_statistics():
    """Per counter and ISO week: contributions, ballots, distinct residents helped. Counts only."""
    rows = db.session.execute(
        select(AssistedAction.counter_id, AssistedAction.created_at, AssistedAction.kind, AssistedAction.resident_id)
        .where(AssistedAction.counter_id.is_not(None))
    ).all()
    names = {c.id: c.name for c in all_counters()}
    table = {}
    for counter_id, created_at, kind, resident_id in rows:
        year, week, _day = created_at.isocalendar()
        cell = table.setdefault((names.get(counter_id, "?"), year, week),
                                {"contributions": 0, "ballots": 0, "residents": set()})
        if kind in CONTRIBUTION_KINDS:
            cell["contributions"] += 1
        elif kind is AssistedActionKind.VOTE_CAST:
            cell["ballots"] += 1
        if kind is not AssistedActionKind.SESSION_ENDED:
            cell["residents"].add(resident_id)
    return [
        {"counter": name, "year": year, "week": week, "contributions": cell["contributions"],
         "ballots": cell["ballots"], "residents": len(cell["residents"])}
        for (name, year, week), cell in sorted(table.items(), key=lambda item: (-item[0][1], -item[0][2], item[0][0]))
    ]
