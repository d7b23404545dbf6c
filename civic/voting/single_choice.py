"""Single choice (plurality): each voter picks one option, or votes blank.

Each ballot is one option id, or None for a blank vote. The option(s) with
the most votes win. When several options share the highest count they are all
listed as winners and the result is flagged as a tie: this module never picks
one at random, the decision then belongs to the rules of the consultation.
Blank votes are counted and published but given to no option. With no vote for
any option there is no winner.
"""
from collections import Counter
from dataclasses import dataclass

EXPLANATION_EN = (
    "Each voter chooses one option, or votes blank. The option with the most votes "
    "wins. Blank votes are counted and shown but go to no option. If several options "
    "have the same highest number of votes, they are all shown as tied winners."
)
EXPLANATION_FR = (
    "Chaque votant choisit une seule option, ou vote blanc. L'option qui recueille le "
    "plus de voix l'emporte. Les votes blancs sont comptés et publiés mais ne vont à "
    "aucune option. Si plusieurs options sont à égalité en tête, elles sont toutes "
    "indiquées comme gagnantes ex æquo."
)


@dataclass(frozen=True)
class Result:
    counts: dict  # option -> votes, in the order the options were given (zeros included)
    blank: int
    winners: tuple  # every option with the highest count (empty when nobody chose an option)

    @property
    def tie(self):
        return len(self.winners) > 1

    @property
    def total(self):
        return sum(self.counts.values()) + self.blank


def top(counts):
    """Options with the highest positive count, in the given order."""
    best = max(counts.values(), default=0)
    return tuple(o for o, c in counts.items() if c == best) if best > 0 else ()


def check_options(options):
    options = tuple(options)
    if len(set(options)) != len(options):
        raise ValueError("duplicate option")
    return options


def count(options, ballots):
    """Count ballots (option ids, or None for blank) among `options`."""
    options = check_options(options)
    known = set(options)
    tally = Counter()
    for ballot in ballots:
        if ballot is not None and ballot not in known:
            raise ValueError(f"unknown option {ballot!r}")
        tally[ballot] += 1
    counts = {o: tally[o] for o in options}
    return Result(counts=counts, blank=tally[None], winners=top(counts))
