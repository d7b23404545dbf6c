"""What "my data" shows of follows (privacy.registry)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..privacy.registry import Section, register_section
from .models import Follow

register_section(Section(
    key="follows", title=_l("What you follow"), order=60, empty=_l("Nothing."), template="following/_my_follows.html",
    rows=lambda people: select(Follow).where(Follow.user_id.in_(people)), time=(Follow.created_at, Follow.id),
    as_json=lambda f: {"target": f.target_type.value, "target_id": f.target_id, "since": f.created_at.isoformat()}))
