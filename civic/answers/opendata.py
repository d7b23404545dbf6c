"""The collectivité's official answers as open data (civic.opendata): the current answer of each proposal that
anybody may read, as its page shows it (the earlier versions stay on the page)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..opendata.datasets import Dataset, register
from ..proposals.models import Proposal
from .models import Answer


def _rows(answers):
    return [{"id": a.id, "proposal_id": a.proposal_id, "status": a.status.value, "text": a.text,
             "author_role": a.author_role.value, "created_at": a.created_at, "updated_at": a.updated_at}
            for a in answers]


register(Dataset(
    name="answers", title=_l("Official answers"),
    description=_l("The collectivité's answer to each proposal: its status, its text and when it was given."),
    query=lambda: select(Answer).join(Proposal, Proposal.id == Answer.proposal_id).where(Proposal.readable_by_anyone),
    key=Answer.id, serialise=_rows, withdrawn_by=(Answer.text, Answer.status, Answer), order=30))
