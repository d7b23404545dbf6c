"""An agent deletes the account of a resident registered at a counter, at their request, in an assisted
session: the resident has no password to confirm with, so their presence (the identity checked when the
session opened) and their request, stated by the agent, stand for it. The audit log keeps that it was done,
when, where and by whom, for nobody any more; the receipt says so. The session ends with it."""
from flask_babel import lazy_gettext as _l

from ..accounts.erasure import erase_account, refusal
from ..domain import DomainError
from .audit import log
from .models import AssistedActionKind, SessionEnd
from .sessions import end_session

HAS_A_PASSWORD = _l("This resident has an online account: they delete it themselves from “My data”, with their "
                    "password.")
NOT_ASKED = _l("The resident must ask for it, here, in person.")


def erasure_refusal(session):
    """Why the resident of ``session`` cannot be erased here, or None."""
    if session.resident.can_log_in:
        return HAS_A_PASSWORD
    return refusal(session.resident)


def erase_resident(session, *, asked, remove_contributions):
    """Returns the audit row the receipt prints."""
    reason = erasure_refusal(session)
    if reason is not None:
        raise DomainError(reason)
    if not asked:
        raise DomainError(NOT_ASKED, field="asked")
    action = log(AssistedActionKind.ACCOUNT_ERASED, session=session)
    erase_account(session.resident, remove_contributions)
    end_session(session, SessionEnd.BUTTON)
    return action
