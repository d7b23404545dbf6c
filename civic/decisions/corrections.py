"""Typo fixes to an open decision's description: the only change allowed once voting started, all kept and shown.

"Typo-size" is measured as the characters removed plus the characters added (difflib's
opcodes over the two texts). A real change of what residents are voting on needs a new
decision, so anything larger than a few words is refused.

The public page shows each correction as whole words removed and added (a character diff
such as "descript[+i]o[-i]n" is hard to read and worse when read aloud), with about
CONTEXT characters of unchanged text around each change.
"""
from difflib import SequenceMatcher
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from ..domain import DomainError
from ..extensions import db
from ..transaction import lock_rows
from .models import DecisionState, DescriptionEdit

# Why these numbers: a typo fix touches a few characters. 20 removed-plus-added characters
# cover a misspelt word or two ("commencerons" -> "commenceront" is 2, a wrong 8-letter
# word replaced is 16); on a long text, 5 % of its length allows a handful of scattered
# fixes. Anything larger starts to change what residents read before voting, which needs
# a new decision. The share is of the text as published (before the fix), so growing the
# text cannot raise its own allowance.
MAX_CHANGED_CHARACTERS = 20
MAX_CHANGED_SHARE = 0.05
CONTEXT = 30  # characters of unchanged text shown on each side of a change, about five words


@lru_cache(maxsize=256)
def _opcodes(before, after):
    """difflib opcodes of the two texts. The common start and end are set aside first: a typo fix in
    a long text then costs next to nothing, and the public page, which diffs every correction on
    each view, stays fast (cached, as the same few corrections are shown again and again)."""
    start = 0
    shortest = min(len(before), len(after))
    while start < shortest and before[start] == after[start]:
        start += 1
    end = 0
    while end < shortest - start and before[-1 - end] == after[-1 - end]:
        end += 1
    middle = SequenceMatcher(None, before[start:len(before) - end], after[start:len(after) - end], autojunk=False)
    opcodes = [("equal", 0, start, 0, start)] if start else []
    opcodes += [(tag, i1 + start, i2 + start, j1 + start, j2 + start) for tag, i1, i2, j1, j2 in middle.get_opcodes()]
    if end:
        opcodes.append(("equal", len(before) - end, len(before), len(after) - end, len(after)))
    return tuple(opcodes)


def changed_characters(before, after):
    """Characters removed plus characters added to turn `before` into `after`."""
    return sum((i2 - i1) + (j2 - j1) for tag, i1, i2, j1, j2 in _opcodes(before, after) if tag != "equal")


def allowed_change(before):
    """Characters a fix may remove and add, measured against the text as residents read it."""
    return max(MAX_CHANGED_CHARACTERS, int(MAX_CHANGED_SHARE * len(before)))


def fix_description(decision, user, description):
    """Once open, only the description changes, by a typo-size amount, and every change is kept.

    Two officials correcting at the same moment take turns: each correction is measured against,
    and logged after, the one saved before it, so the log replays every change in order."""
    description = description.strip()
    lock_rows(decision)
    if decision.state not in (DecisionState.OPEN, DecisionState.CLOSED):
        raise DomainError(_l("Only the description of an open or closed vote is corrected this way."))
    before = decision.description or ""
    if description == before:
        return
    if not description:
        raise DomainError(_l("The description cannot be emptied once the vote is open."), field="description")
    if changed_characters(before, description) > allowed_change(before):
        raise DomainError(_l("This changes more than a typo (at most %(n)d characters here). What residents vote "
                             "on cannot change once the vote is open: create a new decision instead.",
                             n=allowed_change(before)), field="description")
    db.session.add(DescriptionEdit(decision_id=decision.id, user_id=user.id, before=before, after=description))
    decision.description = description
    db.session.flush()


# Built once, its value bound: every decision's page runs it.
_DESCRIPTION_EDITS = (select(DescriptionEdit).where(DescriptionEdit.decision_id == bindparam("decision_id"))
                      .order_by(DescriptionEdit.id))


def description_edits(decision):
    return db.session.execute(_DESCRIPTION_EDITS, {"decision_id": decision.id}).scalars().all()


def _changes(before, after):
    """The changed regions [i1, i2, j1, j2], widened to whole words and merged when they touch."""
    regions = []
    opcodes = _opcodes(before, after)
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            continue
        changed = before[i1:i2] + after[j1:j2]
        # Widen over the rest of a word the change is part of, within the unchanged runs on either
        # side: these are the same in both texts, so both sides move together.
        # A "word" longer than CONTEXT (a reference number, say) stays cut at the changed characters.
        if changed[:1].isalnum():
            stop = regions[-1][1] if regions else 0
            wide = i1
            while wide > stop and before[wide - 1].isalnum():
                wide -= 1
            if i1 - wide <= CONTEXT:
                i1, j1 = wide, j1 - (i1 - wide)
        if changed[-1:].isalnum() and index + 1 < len(opcodes):
            stop = opcodes[index + 1][2]  # the end of the unchanged run that follows
            wide = i2
            while wide < stop and before[wide].isalnum():
                wide += 1
            if wide - i2 <= CONTEXT:
                i2, j2 = wide, j2 + (wide - i2)
        if regions and i1 <= regions[-1][1]:
            regions[-1][1:] = [i2, regions[-1][2], j2]
        else:
            regions.append([i1, i2, j1, j2])
    return regions


def _shorten(text, head, tail):
    """Unchanged text kept to `head` characters at its start and `tail` at its end, cut between words."""
    if len(text) <= head + tail + 1:
        return text
    start = text[:head]
    if head and " " in start.rstrip():
        start = start[:start.rstrip().rindex(" ") + 1]
    end = text[len(text) - tail:] if tail else ""
    if tail and " " in end.lstrip():
        end = end[len(end) - len(end.lstrip()) + end.lstrip().index(" "):]
    return start + "…" + end


def diff_segments(before, after):
    """What a correction changed, for showing: [(kind, text)] with kind "equal", "removed" or "added".

    Changes are widened to whole words; unchanged text keeps about CONTEXT characters on each side
    of a change, with "…" for what is left out. No change gives no segment."""
    segments = []
    previous = 0  # end, in `before`, of the last change
    for i1, i2, j1, j2 in _changes(before, after):
        equal = before[previous:i1]
        if equal:
            segments.append(("equal", _shorten(equal, CONTEXT if segments else 0, CONTEXT)))
        if i2 > i1:
            segments.append(("removed", before[i1:i2]))
        if j2 > j1:
            segments.append(("added", after[j1:j2]))
        previous = i2
    if segments and previous < len(before):
        segments.append(("equal", _shorten(before[previous:], CONTEXT, 0)))
    return segments
