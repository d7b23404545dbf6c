"""What a receipt says, and what its follow-up code shows anyone: the contribution and its state,
nothing personal.

Each package registers, for what it owns, a line for the printed receipt and how the follow-up
page shows it (a template that gets ``entered``: the object, or None once it is gone, a
support withdrawn say).
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .. import targets
from ..codes import typed_code
from ..extensions import db
from ..registry import Registry
from .audit import action_by_code
from .models import AssistedActionKind, ReceiptBallotCode


@dataclass(frozen=True)
class ReceiptKind:
    type: object       # a TargetType
    template: str      # the follow-up page's part for it
    summary: object = None  # (obj) -> the line printed on the receipt, or None


_kinds = Registry("receipt kind")
# Codes of other kinds that a receipt also prints (a ballot's): name -> (recognise(typed code) -> bool, the
# follow-up page's part saying what the code is and where it is used).
_other_codes = Registry("code printed on receipts")


def register_receipt(kind):
    _kinds.add(kind.type, kind)


def register_other_code(name, recognise, template):
    """A code printed on receipts that is not a follow-up code: the follow-up page recognises it by its
    shape and says where it is used, rather than that no contribution has it."""
    _other_codes.add(name, (recognise, template))


def other_code(code):
    """The follow-up page's part for a code of another kind (see register_other_code), or None."""
    typed = typed_code(code)
    return next((template for recognise, template in _other_codes.values() if recognise(typed)), None)


def receipt_kinds():
    return dict(_kinds)


def _entered(action):
    return targets.get(action.object_type, action.object_id) if action.object_type in _kinds else None


def summary(action):
    """The line the receipt prints about what was entered, or None."""
    kind, entered = _kinds.get(action.object_type), _entered(action)
    return kind.summary(entered) if kind is not None and kind.summary and entered is not None else None


# The line under the follow-up code, worded for what was entered: its noun decides the words around it
# ("Suivez ce vote", "Suivez cette proposition"), and a withdrawn support has nothing left to follow.
_FOLLOW_LINES = {
    AssistedActionKind.PROPOSAL_CREATED: _l("Follow this proposal at %(url)s, without an account."),
    AssistedActionKind.COMMENT_CREATED: _l("Follow this comment at %(url)s, without an account."),
    AssistedActionKind.SUPPORT_ADDED: _l("Follow the proposal you support at %(url)s, without an account."),
    AssistedActionKind.SUPPORT_WITHDRAWN: _l("Check that your support was withdrawn at %(url)s, without an account."),
    AssistedActionKind.VOTE_CAST: _l("Follow this vote at %(url)s, without an account."),
}
_ANY_FOLLOW_LINE = _l("See what was entered at %(url)s, without an account.")


def follow_line(action, url):
    """The receipt's line saying where the follow-up code is typed, worded for ``action``'s kind."""
    return _FOLLOW_LINES.get(action.kind, _ANY_FOLLOW_LINE) % {"url": url}


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
