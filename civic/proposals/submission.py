"""What a person sees once a proposal is submitted, wherever the form was (a proposal alone, or into a process)."""
from flask import flash, redirect, url_for
from flask_babel import lazy_gettext as _l

from ..counters.acting import receipt_redirect, record_if_assisted
from ..counters.models import AssistedActionKind
from .models import ProposalState


def submitted(proposal):
    """At a counter, the receipt of the assisted session; online, the proposal's page saying what becomes of it."""
    receipt = record_if_assisted(AssistedActionKind.PROPOSAL_CREATED, entered=proposal)
    if receipt:
        return receipt_redirect(receipt)
    if proposal.state is ProposalState.PENDING:
        flash(_l("Your proposal is saved. It will be published once a moderator has read it."), "success")
    else:
        flash(_l("Your proposal is published."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))
