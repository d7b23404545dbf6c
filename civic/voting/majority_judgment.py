"""Majority judgment (Balinski and Laraki): every voter grades every option.

Grades, from worst to best: À rejeter, Insuffisant, Passable, Assez bien,
Bien, Très bien, Excellent. Each option's *majority grade* is its median
grade; with an even number of grades we take the LOWER of the two middle
grades (the grade that at least half of the voters give or better, and at
least half give or worse). The option with the best majority grade wins.

Ties are broken by the *majority value*: remove one vote at the majority
grade from each tied option and compare the new majority grades, and so on
until they differ. Two options still equal after all their votes have been
removed (that is, options with exactly the same number of votes at each
grade) share the same rank, and ranks then skip (1, 1, 3: "standard
competition ranking"). Options that nobody graded all share the last rank.
All options that received grades must have received the same number of them
(in a majority judgment every voter grades every option).

The ``winners`` best ranked options win (one unless the consultation says
otherwise; ``best``): options sharing a rank are taken in the order in which
the options were listed (the stated tie-break, never a draw), and an option
nobody graded never wins.

How it is computed without going through the ballots one by one: write one
option's grades in order, worst first. Removing the median again and again
reads this list from the middle outwards, alternately one step down and one
step up: the down side first when the number of grades is odd, the up side
first when it is even. So the sequences of two options first differ at the
position closest to the middle where their sorted lists of grades differ;
this position is found from the counts per grade in a few steps, and ten
million voters cost no more than ten.
"""
from bisect import bisect_right
from functools import cmp_to_key
from itertools import accumulate

GRADES = ("reject", "insufficient", "passable", "fair", "good", "very_good", "excellent")
_POSITIONS = {grade: position for position, grade in enumerate(GRADES)}
LABELS_FR = dict(zip(GRADES, (
    "À rejeter", "Insuffisant", "Passable", "Assez bien", "Bien", "Très bien", "Excellent",
)))
LABELS_EN = dict(zip(GRADES, (
    "Reject", "Insufficient", "Passable", "Fair", "Good", "Very good", "Excellent",
)))

EXPLANATION_EN = (
    "Each voter grades every option, from Reject to Excellent. Each option's majority "
    "grade is the grade that half of the voters give or better and half give or worse "
    "(the median; with an even number of voters, the lower of the two middle grades). "
    "The option with the best majority grade comes first. When options have the same "
    "majority grade, one vote at that grade is removed from each of them and their new "
    "majority grades are compared, again and again until they differ. Options with "
    "exactly the same grades share the same rank."
)
EXPLANATION_FR = (
    "Chaque votant attribue une mention à chaque option, de « À rejeter » à « Excellent ». "
    "La mention majoritaire d'une option est celle que la moitié des votants lui donnent "
    "ou dépassent, et que l'autre moitié lui donnent ou ne dépassent pas (la médiane ; "
    "avec un nombre pair de votants, la plus basse des deux mentions du milieu). L'option "
    "qui a la meilleure mention majoritaire arrive en tête. Quand des options ont la même "
    "mention majoritaire, on retire à chacune une voix ayant cette mention et l'on compare "
    "leurs nouvelles mentions majoritaires, autant de fois qu'il le faut pour les "
    "départager. Des options qui ont reçu exactement les mêmes mentions sont ex æquo."
)


def _check(counts):
    counts = tuple(counts)
    if any(type(c) is not int or c < 0 for c in counts):
        raise ValueError(f"counts must be non-negative integers, got {counts!r}")
    return counts


def majority_grade(counts):
    """Index in GRADES (0 = worst) of the lower median grade, or None if nobody voted."""
    counts = _check(counts)
    total = sum(counts)
    if total == 0:
        return None
    return bisect_right(list(accumulate(counts)), (total - 1) // 2)


def _priority(i, n):
    """Step at which the grade in position i (0 = worst) becomes the majority grade."""
    d = i - (n - 1) // 2
    if n % 2:  # odd: middle, one down, one up, two down, two up...
        return 2 * d if d >= 0 else -2 * d - 1
    return 2 * d - 1 if d > 0 else -2 * d  # even: middle, one up, one down...


def compare(a, b):
    """Positive if counts `a` rank above counts `b`, negative if below, 0 if tied.

    Both must have the same positive total.
    """
    n = sum(a)
    cum_a, cum_b = list(accumulate(a)), list(accumulate(b))
    cuts = sorted({0, *cum_a, *cum_b})
    first = None  # (priority, difference) of the earliest difference
    for lo, hi in zip(cuts, cuts[1:]):
        grade_a, grade_b = bisect_right(cum_a, lo), bisect_right(cum_b, lo)
        if grade_a != grade_b:  # positions lo..hi-1 hold different grades
            i = min(max((n - 1) // 2, lo), hi - 1)  # the one closest to the middle
            if first is None or _priority(i, n) < first[0]:
                first = (_priority(i, n), grade_a - grade_b)
    return 0 if first is None else first[1]


def rank(tallies):
    """Map each option to its rank (1 = best), best first.

    `tallies` maps each option to its counts per grade, worst grade first.
    Tied options share a rank (1, 1, 3); options with no votes share the last rank.
    """
    tallies = {option: _check(counts) for option, counts in tallies.items()}
    if len({len(c) for c in tallies.values()}) > 1:
        raise ValueError("all options must be graded on the same scale")
    voted = [o for o, c in tallies.items() if sum(c)]
    if len({sum(tallies[o]) for o in voted}) > 1:
        raise ValueError("all options must have received the same number of grades")
    order = sorted(voted, key=cmp_to_key(lambda x, y: compare(tallies[y], tallies[x])))
    ranks = {}
    for position, option in enumerate(order):
        previous = order[position - 1] if position else None
        tied = previous is not None and tallies[previous] == tallies[option]
        ranks[option] = ranks[previous] if tied else position + 1
    for option in tallies:
        if option not in ranks:
            ranks[option] = len(voted) + 1
    return ranks


# The stated tie-break (see single_choice.TIE_BREAK_EN).
TIE_BREAK_EN = "the better majority grade, then the majority value, then the order in which the options are listed"
TIE_BREAK_FR = ("la meilleure mention majoritaire, puis la valeur majoritaire, puis l'ordre dans lequel les options "
                "sont présentées")


def best(tallies, winners=1):
    """(ranks, winners, tie): each option's rank (see rank), the ``winners`` best ranked options that were
    graded, best first, equal ranks in the order of ``tallies``; ``tie`` is every option sharing the last
    winner's rank when that order left some of them out (else empty)."""
    if winners < 1:
        raise ValueError("there must be at least one winner")
    ranks = rank(tallies)
    ranked = sorted((o for o, c in tallies.items() if sum(c)), key=lambda o: ranks[o])  # stable: list order
    chosen = tuple(ranked[:winners])
    if not chosen:
        return ranks, (), ()
    level = [o for o in ranked if ranks[o] == ranks[chosen[-1]]]
    return ranks, chosen, (tuple(level) if any(o not in chosen for o in level) else ())


def count(options, ballots):
    """Counts per grade (worst first) for each option.

    Each ballot maps every option to a grade, given as an index in GRADES
    (0 = reject) or as a grade name; a ballot that misses an option, names an
    unknown one, or gives an unknown grade is a ValueError.
    """
    options = tuple(options)
    expected = set(options)
    if len(expected) != len(options):
        raise ValueError("duplicate option")
    tallies = {o: [0] * len(GRADES) for o in options}
    for ballot in ballots:
        if ballot.keys() != expected:
            raise ValueError("each ballot must grade every option, and only those")
        for option, grade in ballot.items():
            position = _POSITIONS.get(grade) if type(grade) is str else grade
            if type(position) is not int or not 0 <= position < len(GRADES):
                raise ValueError(f"unknown grade {grade!r}")
            tallies[option][position] += 1
    return {o: tuple(c) for o, c in tallies.items()}
