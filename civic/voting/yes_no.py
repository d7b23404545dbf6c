"""Yes / no question, with blank votes.

Each ballot is "yes", "no" or "blank". Blank votes are counted and published
but take no part in the decision: the answer is "yes" when there are strictly
more yes than no votes, "no" when there are strictly more no than yes votes,
"tie" when both are equal (and not zero), and "no_votes" when nobody voted
yes or no (no ballots at all, or only blank ones).
"""
from collections import Counter
from dataclasses import dataclass

CHOICES = ("yes", "no", "blank")
# The stated tie-break (see single_choice.TIE_BREAK_EN): there is none.
TIE_BREAK_EN = "none, as many yes as no votes is published as a tie"
TIE_BREAK_FR = "aucun départage, autant de oui que de non est publié comme une égalité"

EXPLANATION_EN = (
    "Each voter answers yes, no, or votes blank. Blank votes are counted and shown, "
    "but they do not count towards the majority: the proposal is adopted when there "
    "are more yes votes than no votes, rejected when there are more no votes than yes "
    "votes."
)
EXPLANATION_FR = (
    "Chaque votant répond oui, non, ou vote blanc. Les votes blancs sont comptés et "
    "publiés, mais ils n'entrent pas dans le calcul de la majorité : la proposition est "
    "adoptée s'il y a plus de oui que de non, rejetée s'il y a plus de non que de oui."
)


@dataclass(frozen=True)
class Result:
    yes: int
    no: int
    blank: int

    @property
    def valid(self):
        """Votes that take part in the decision (yes + no)."""
        return self.yes + self.no

    @property
    def total(self):
        """All ballots, blank included."""
        return self.yes + self.no + self.blank

    @property
    def outcome(self):
        """"yes", "no", "tie", or "no_votes" when nobody voted yes or no."""
        if self.valid == 0:
            return "no_votes"
        if self.yes == self.no:
            return "tie"
        return "yes" if self.yes > self.no else "no"


def count(ballots):
    """Count an iterable of "yes" / "no" / "blank" ballots; anything else is a ValueError."""
    tally = Counter()
    for ballot in ballots:
        if ballot not in CHOICES:
            raise ValueError(f"invalid ballot {ballot!r}: expected one of {CHOICES}")
        tally[ballot] += 1
    return Result(yes=tally["yes"], no=tally["no"], blank=tally["blank"])
