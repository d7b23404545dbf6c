"""What a receipt says, and what its follow-up code shows anyone: the contribution and its state,
nothing personal.

Each package registers, for what it owns, a line for the printed receipt and how the follow-up
page shows it (a template that gets ``entered``: the object, or None once it is gone, a
support withdrawn say).
"""
from dataclasses import dataclass

from .. import targets
from ..extensions import db
from ..registry import Registry
from .audit import action_by_code
from .models import ReceiptBallotCode


@dataclass(frozen=True)
class ReceiptKind:
    type: object       # a TargetType
    template: str      # the follow-up page's part for it
    summary: object = None  # (obj) -> the line printed on the receipt, or None


_kinds = Registry("receipt kind")


def register_receipt(kind):
    _kinds.add(kind.type, kind)


def receipt_kinds():
    return dict(_kinds)


def _entered(action):
    return targets.get(action.object_type, action.object_id) if action.object_type in _kinds else None


def summary(action):
    """The line the receipt prints about what was entered, or None."""
    kind, entered = _kinds.get(action.object_type), _entered(action)
    return kind.summary(entered) if kind is not None and kind.summary and entered is not None else None


def follow_up(code):
    action = action_by_code(code)
    if action is None or action.object_type not in _kinds:
        return None
    return {"action": action, "counter": action.counter, "template": _kinds[action.object_type].template,
            "entered": _entered(action)}


def keep_ballot_code(action, code):
    """Keep the tracking code of the ballot ``action`` recorded for its receipt, until its session ends."""
    db.session.add(ReceiptBallotCode(assisted_action_id=action.id, session_id=action.session_id, code=code))


def ballot_code(action):
    """The tracking code the receipt of ``action`` prints, while its session is open; None otherwise."""
    kept = db.session.get(ReceiptBallotCode, action.id)
    return kept.code if kept is not None else None
