"""What "my data" shows of follows (privacy.registry)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..privacy.registry import Section, register_section
from .models import Follow

register_section(Section(
    key="follows", title=_l("What you follow"), order=60, empty=_l("Nothing."), template="following/_my_follows.html",
    rows=lambda people: db.session.execute(select(Follow).where(Follow.user_id.in_([p.id for p in people]))
                                           .order_by(Follow.created_at)).scalars().all(),
    as_json=lambda f: {"target": f.target_type.value, "target_id": f.target_id, "since": f.created_at.isoformat()}))
