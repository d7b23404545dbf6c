"""How each kind of content is moderated, registered by the package that owns it.

Moderation knows reports, the queue, the journal and the order of things; the owner of a
kind of content knows its states. A moderated object has ``author`` and ``author_id``,
``held_by_reports`` (hidden after reports until a moderator decides) and ``moderation_reason``
(the public reason of the last decision); its package registers the rest here.
"""
from dataclasses import dataclass

from ..registry import Registry
from ..targets import type_of
from .models import MODERATED_TYPES


@dataclass(frozen=True)
class Moderated:
    type: object          # a TargetType of MODERATED_TYPES
    decisions: object     # (target) -> the ModerationKinds possible in its state
    apply: object         # (target, kind, reason, message, merge_into) -> None
    state: object         # (target) -> a dict of what a decision changes (the staff log's before and after)
    reportable: object    # (target) -> whether residents may report it now
    template: str         # how a moderator sees one (expects `target`)
    report_title: object  # the title of the report page
    reviewed: object      # (target) -> what the author's e-mail says was reviewed
    # () -> a SELECT of (target_id, since) of those waiting for a review without any report (the queue pages it).
    waiting: object = None
    # Loader options for what ``template`` reads of a target (its author...): a page of the queue loads its
    # targets of one type in one query.
    eager: tuple = ()
    # MERGE: (target, number) -> the object that number names, or None; (target, into) -> whether it may merge.
    merged_with: object = None
    can_merge: object = None


_moderated = Registry("moderated type")


def register(moderated):
    if moderated.type not in MODERATED_TYPES:
        raise ValueError(f"report.target_type does not allow {moderated.type}")
    _moderated.add(moderated.type, moderated)


def registered():
    return dict(_moderated)


def moderated(target):
    return _moderated[type_of(target)]
