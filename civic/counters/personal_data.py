"""What "my data" shows of the counters: every action an agent entered for the person (privacy.registry)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..privacy.registry import Section, register_section
from .models import AssistedAction

SECTION_KEY = "assisted_actions"

register_section(Section(
    key=SECTION_KEY, title=_l("Entered on your behalf at a counter"), order=90, empty=_l("Nothing."),
    rows=lambda people: select(AssistedAction).where(AssistedAction.resident_id.in_(people))
    .options(joinedload(AssistedAction.counter), joinedload(AssistedAction.agent)),
    time=(AssistedAction.created_at, AssistedAction.id), template="counters/_my_data.html",
    as_json=lambda a: {"kind": a.kind.value, "at": a.created_at.isoformat(),
                       "counter": a.counter.name if a.counter else None,
                       "agent": a.agent.display_name if a.agent else None,
                       "object": a.object_type.value if a.object_type else None, "object_id": a.object_id}))
