"""Typo fixes to an open decision's description: the only change allowed once voting started, all kept and shown.

"Typo-size" is measured as the characters removed plus the characters added (difflib's
opcodes over the two texts). A real change of what residents are voting on needs a new
decision, so anything larger than a few words is refused.
"""
from difflib import SequenceMatcher

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..domain import DomainError
from ..extensions import db
from .models import DescriptionEdit

# A typo fix touches a few characters; 20 allows a misspelt word or two, 5 % of a long text a
# handful of scattered fixes. Larger changes alter what residents read before voting.
MAX_CHANGED_CHARACTERS = 20
MAX_CHANGED_SHARE = 0.05
CONTEXT = 30  # characters of unchanged text shown around each change


def changed_characters(before, after):
    return sum((i2 - i1) + (j2 - j1) for tag, i1, i2, j1, j2 in
               SequenceMatcher(None, before, after, autojunk=False).get_opcodes() if tag != "equal")


def allowed_change(before):
    """Characters a fix may remove and add, measured against the text as residents read it."""
    return max(MAX_CHANGED_CHARACTERS, int(MAX_CHANGED_SHARE * len(before)))


def fix_description(decision, user, description):
    """Once open, only the description changes, by a typo-size amount, and every change is kept."""
    description = description.strip()
    if description == decision.description:
        return
    if not description:
        raise DomainError(_l("The description cannot be emptied while the vote is open."), field="description")
    if changed_characters(decision.description, description) > allowed_change(decision.description):
        raise DomainError(_l("This changes more than a typo (at most %(n)d characters here). What residents vote "
                             "on cannot change once the vote is open: create a new decision instead.",
                             n=allowed_change(decision.description)), field="description")
    db.session.add(DescriptionEdit(decision_id=decision.id, user_id=user.id, before=decision.description,
                                   after=description))
    decision.description = description
    db.session.flush()


def description_edits(decision):
    return db.session.execute(
        select(DescriptionEdit).where(DescriptionEdit.decision_id == decision.id).order_by(DescriptionEdit.id)
    ).scalars().all()


def diff_segments(before, after):
    """[(kind, text)] with kind "equal", "removed" or "added"; long unchanged runs keep CONTEXT characters
    on each side of a change, with "…" in between."""
    segments = []
    opcodes = SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            text = before[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            head = "" if first else text[:CONTEXT]
            tail = "" if last else text[-CONTEXT:]
            if len(text) > len(head) + len(tail) + 1:
                text = head + "…" + tail
            segments.append(("equal", text))
            continue
        if i2 > i1:
            segments.append(("removed", before[i1:i2]))
        if j2 > j1:
            segments.append(("added", after[j1:j2]))
    return segments
