"""The public moderation journal as open data (civic.opendata): every decision as the journal page lists it,
the content's kind and number (none for kinds whose numbers stay private: civic.targets.Kind.key), the decision
and its public reason; never who took it, nor what was said to the author alone."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import targets
from ..opendata.datasets import Dataset, register
from .models import ModerationAction


def _rows(actions):
    return [{"id": a.id, "created_at": a.created_at, "target_type": a.target_type.value,
             "target_id": a.target_id if targets.number_is_public(a.target_type) else None,
             "decision": a.kind.value, "merged_into_id": a.merged_into_id, "public_reason": a.public_reason or None}
            for a in actions]


register(Dataset(
    name="moderation_journal", title=_l("Moderation journal"),
    description=_l("Every moderation decision: which content, what was decided and the public reason, without names."),
    query=lambda: select(ModerationAction), key=ModerationAction.id, serialise=_rows, order=40))
