"""What decisions are to the other packages: followed once announced, shown from a receipt (and its ballot
code recognised on the follow-up page), and the votes a person took part in on "my data"."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..counters.models import assisted_fields
from ..accounts.services import register_district_use
from ..codes import ALPHABET
from ..counters.receipts import ReceiptKind, register_other_code, register_receipt
from ..following.services import register_followable
from ..opendata import sitemap
from ..privacy.registry import Section, register_section
from ..targets import TargetType
from .models import ANNOUNCED, Decision, DecisionState, Participation
from .services import TRACKING_CODE_LENGTH, district_votes_exist

register_district_use("votes", district_votes_exist)
register_followable(TargetType.DECISION, lambda decision: decision.state is not DecisionState.DRAFT)
register_receipt(ReceiptKind(type=TargetType.DECISION, template="decisions/_follow_up.html",
                             summary=lambda d: _l("Vote: %(title)s", title=d.title)))
# A counter receipt prints the ballot's code beside the follow-up code; typed in the wrong form, it is
# recognised by its length (never looked up: the follow-up page must not tell which codes exist).
register_other_code("ballot", lambda code: len(code) == TRACKING_CODE_LENGTH and set(code) <= set(ALPHABET),
                    "decisions/_ballot_code.html")
register_section(Section(
    key="votes", title=_l("Votes you took part in"), order=40, template="decisions/_my_votes.html",
    rows=lambda people: select(Participation, Decision.title).join(Decision, Decision.id == Participation.decision_id)
    .where(Participation.user_id.in_(people)).options(joinedload(Participation.counter)),
    time=(Participation.created_at, Participation.id),
    as_json=lambda row: {"decision_id": row.Participation.decision_id, "decision_title": row.title,
                         "voted_at": row.Participation.created_at.isoformat(), **assisted_fields(row.Participation)}))

# Every announced decision's page is public (rules._viewable: only drafts, never announced, are the officials').
sitemap.register(sitemap.RecordPages("decisions", "decisions.detail", "decision_id", order=20,
                                     query=lambda: select(Decision.id).where(ANNOUNCED)))
