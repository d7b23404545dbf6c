"""Approval voting: each voter approves as many options as they like.

Each ballot is a set of option ids (an empty set is a blank vote). An option
gets one vote from each ballot that approves it; the ``winners`` options with
the most approvals win (one unless the consultation says otherwise), options
with as many approvals in the order the options were listed
(``single_choice.best``: the stated tie-break, never a draw). When the consultation sets a maximum number of choices,
a ballot approving more options is invalid (ValueError), as is a ballot naming
an unknown option or naming the same option twice.
"""
from collections import Counter
from dataclasses import dataclass

from .single_choice import best, check_options

EXPLANATION_EN = (
    "Each voter approves every option they support, as many as they wish (up to the "
    "limit, if there is one). Each option receives one vote per voter who approved it, "
    "and the option with the most approvals wins (or, when several are to be chosen, the "
    "options with the most approvals). A ballot approving nothing is a blank vote. An option "
    "nobody approved never wins."
)
EXPLANATION_FR = (
    "Chaque votant approuve toutes les options qu'il soutient, autant qu'il le souhaite "
    "(dans la limite fixée, s'il y en a une). Chaque option reçoit une voix par votant "
    "qui l'a approuvée, et l'option la plus approuvée l'emporte (ou, quand plusieurs doivent "
    "être retenues, les options les plus approuvées). Un bulletin qui n'approuve rien est "
    "un vote blanc. Une option qu'aucun votant n'a approuvée n'est jamais retenue."
)
# The stated tie-break (see single_choice.TIE_BREAK_EN): an approval counts as a vote.
TIE_BREAK_EN = "more approvals, then the order in which the options are listed"
TIE_BREAK_FR = "le plus d'approbations, puis l'ordre dans lequel les options sont présentées"


@dataclass(frozen=True)
class Result:
    counts: dict  # option -> approvals, in the order the options were given
    blank: int  # ballots approving nothing
    ballots: int  # all ballots, blank included
    winners: tuple  # the best options, best first (single_choice.best)
    tie: tuple = ()  # single_choice.best


def count(options, ballots, max_choices=None, winners=1):
    """Count approval ballots (iterables of option ids) among `options`; ``winners`` options win."""
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
    chosen, tie = best(counts, winners)
    return Result(counts=counts, blank=blank, ballots=total, winners=chosen, tie=tie)
