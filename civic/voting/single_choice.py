"""Single choice (plurality): each voter picks one option, or votes blank.

Each ballot is one option id, or None for a blank vote. The ``winners`` options
with the most votes win (one unless the consultation says otherwise). Options
with as many votes are ordered by the order in which the options were listed,
the first listed first: this is the stated tie-break, deterministic and known
before the vote (never a draw). ``tie`` lists the options that had as many votes
as the last winner, when the tie-break had to leave some of them out. Blank
votes are counted and published but given to no option. An option nobody chose
never wins, so there may be fewer winners than asked for.
"""
from collections import Counter
from dataclasses import dataclass

EXPLANATION_EN = (
    "Each voter chooses one option, or votes blank. The option with the most votes "
    "wins (or, when several are to be chosen, the options with the most votes). Blank votes "
    "are counted and shown but go to no option. An option nobody chose never wins."
)
EXPLANATION_FR = (
    "Chaque votant choisit une seule option, ou vote blanc. L'option qui recueille le "
    "plus de voix l'emporte (ou, quand plusieurs doivent être retenues, les options qui ont le "
    "plus de voix). Les votes blancs sont comptés et publiés mais ne vont à aucune option. "
    "Une option qu'aucun votant n'a choisie n'est jamais retenue."
)


@dataclass(frozen=True)
class Result:
    counts: dict  # option -> votes, in the order the options were given (zeros included)
    blank: int
    winners: tuple  # the best options, best first (see best)
    tie: tuple = ()  # see best


    @property
    def total(self):
        return sum(self.counts.values()) + self.blank


# The stated tie-break, said once: in English in the published files (ballot_file.tie_break), in the reader's
# language after the explanation on the pages (explain.tie_break).
TIE_BREAK_EN = "more votes, then the order in which the options are listed"
TIE_BREAK_FR = "le plus de voix, puis l'ordre dans lequel les options sont présentées"


def best(counts, winners=1):
    """(winners, tie): the ``winners`` options with the highest positive counts, best first, options
    with equal counts in the order given; ``tie`` is every option with the last winner's count when
    some of them were left out by that order (else empty)."""
    if winners < 1:
        raise ValueError("there must be at least one winner")
    ranked = sorted((o for o, c in counts.items() if c > 0), key=lambda o: -counts[o])  # stable: list order
    chosen = tuple(ranked[:winners])
    if not chosen:
        return (), ()
    level = [o for o in ranked if counts[o] == counts[chosen[-1]]]
    return chosen, (tuple(level) if any(o not in chosen for o in level) else ())


def check_options(options):
    options = tuple(options)
    if len(set(options)) != len(options):
        raise ValueError("duplicate option")
    return options


def count(options, ballots, winners=1):
    """Count ballots (option ids, or None for blank) among `options`; ``winners`` options win."""
    options = check_options(options)
    known = set(options)
    tally = Counter()
    for ballot in ballots:
        if ballot is not None and ballot not in known:
            raise ValueError(f"unknown option {ballot!r}")
        tally[ballot] += 1
    counts = {o: tally[o] for o in options}
    chosen, tie = best(counts, winners)
    return Result(counts=counts, blank=tally[None], winners=chosen, tie=tie)
