"""What "my data" shows of moderation: the reports the person made (privacy.registry)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..privacy.registry import Section, register_section
from .models import Report

register_section(Section(
    key="reports", title=_l("Your reports"), order=50, template="moderation/_my_reports.html",
    rows=lambda people: select(Report).where(Report.reporter_id.in_(people)), time=(Report.created_at, Report.id),
    as_json=lambda r: {"target": r.target_type.value, "target_id": r.target_id, "reason": r.reason.value,
                       "text": r.text, "at": r.created_at.isoformat()}))
