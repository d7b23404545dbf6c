"""What the follow-up is to the other packages: opened by publications and answers, followed by residents, read
in the staff log, listed in sitemap.xml."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import staff_log
from ..answers.services import after_answer
from ..decisions.services import after_publication
from ..following.services import register_followable
from ..opendata import sitemap
from ..targets import TargetType
from .models import ImplementationRecord, ImplementationStatus
from .services import open_for_answer, open_for_publication

after_publication("followup", open_for_publication)
after_answer("followup", open_for_answer)
# Done or abandoned, a project may still get a milestone (an inauguration, a new start): it can be followed.
register_followable(TargetType.IMPLEMENTATION, lambda _record: True)

staff_log.describe("followup", "update", _l("Project follow-up n° %(n)s changed"))
staff_log.describe("followup", "milestone", _l("Milestone added to project follow-up n° %(n)s"))
staff_log.describe_fields(TargetType.IMPLEMENTATION, "followup", {
    "status": staff_log.Field(_l("Status"), staff_log.enum_value(ImplementationStatus)),
    "progress": staff_log.Field(_l("Progress")),
    "actual_cost": staff_log.Field(_l("Actual cost")),
    "reason": staff_log.Field(_l("Reason for abandoning")),
    "theme_id": staff_log.Field(_l("Theme")),
    "district_id": staff_log.Field(_l("District")),
    "day": staff_log.Field(_l("Day")),
    "text": staff_log.Field(_l("Milestone")),
})

# Every record's page in sitemap.xml: anybody may open each of them.
sitemap.register(sitemap.RecordPages("implementation_records", "followup.detail", "implementation_record_id", order=40,
                                     query=lambda: select(ImplementationRecord.id)))
