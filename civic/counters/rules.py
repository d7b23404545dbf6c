"""Who works at the desks, who manages them, and who reads what they did."""
from ..access import NOT_ALLOWED, Action, Role, register, register_visibility
from .models import AssistedAction, AssistedActionKind


def _own_receipt(user, action):
    """An agent reprints the receipts they gave, not other agents' (nor audit rows without a receipt: an
    erasure's has no follow-up code, there is nothing left to follow)."""
    with_receipt = action.follow_up_code is not None or action.kind is AssistedActionKind.ACCOUNT_ERASED
    return None if action.agent_id == user.id and with_receipt else NOT_ALLOWED


register(Action.COUNTER_DESK, {Role.COUNTER_AGENT})
register(Action.COUNTER_MANAGE, {Role.ADMIN})
register(Action.AUDIT_READ, {Role.ADMIN})
register(Action.COUNTER_STATS, {Role.ELECTED, Role.ADMIN})
register(Action.RECEIPT_READ, {Role.COUNTER_AGENT}, check=_own_receipt, hides=True)
register_visibility(AssistedAction, Action.RECEIPT_READ)
register(Action.ATTACH_CONTRIBUTIONS, {Role.RESIDENT})
