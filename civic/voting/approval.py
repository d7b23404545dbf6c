"""Approval voting: each voter approves as many options as they like.

Each ballot is a set of option ids (an empty set is a blank vote). An option
gets one vote from each ballot that approves it; the option(s) with the most
approvals win, and several options sharing the highest count are all listed
as winners (a tie). When the consultation sets a maximum number of choices,
a ballot approving more options is invalid (ValueError), as is a ballot naming
an unknown option or naming the same option twice.
"""
from collections import Counter
from dataclasses import dataclass

from .single_choice import check_options, top

EXPLANATION_EN = (
    "Each voter approves every option they support, as many as they wish (up to the "
    "limit, if there is one). Each option receives one vote per voter who approved it, "
    "and the option with the most approvals wins. A ballot approving nothing is a blank "
    "vote. If several options have the same highest number of approvals, they are all "
    "shown as tied winners."
)
EXPLANATION_FR = (
    "Chaque votant approuve toutes les options qu'il soutient, autant qu'il le souhaite "
    "(dans la limite fixée, s'il y en a une). Chaque option reçoit une voix par votant "
    "qui l'a approuvée, et l'option la plus approuvée l'emporte. Un bulletin qui "
    "n'approuve rien est un vote blanc. Si plusieurs options sont à égalité en tête, "
    "elles sont toutes indiquées comme gagnantes ex æquo."
)


@dataclass(frozen=True)
class Result:
    counts: dict  # option -> approvals, in the order the options were given
    blank: int  # ballots approving nothing
    ballots: int  # all ballots, blank included
    winners: tuple  # every option with the highest count (empty when nothing was approved)

    @property
    def tie(self):
        return len(self.winners) > 1


def count(options, ballots, max_choices=None):
    """Count approval ballots (iterables of option ids) among `options`."""
    options = check_options(options)
    known = set(options)
    tally, blank, total = Counter(), 0, 0
    for ballot in ballots:
        chosen = list(ballot)
        approved = set(chosen)
        if len(approved) != len(chosen):
            raise ValueError("an option is approved twice on one ballot")
        if not approved <= known:
            raise ValueError(f"unknown option(s) {sorted(map(repr, approved - known))}")
        if max_choices is not None and len(approved) > max_choices:
            raise ValueError(f"ballot approves {len(approved)} options, more than {max_choices}")
        tally.update(approved)
        blank += not approved
        total += 1
    counts = {o: tally[o] for o in options}
    return Result(counts=counts, blank=blank, ballots=total, winners=top(counts))
