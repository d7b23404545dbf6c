"""Participatory budgeting: which projects to fund with a fixed budget.

Voters approve projects (or give them points); each project has a cost and
the total cost of the funded projects never exceeds the budget. Costs are
exact numbers (integers, Fractions or Decimals, never floats) and every
computation is done with fractions, so no amount is ever rounded.

Two rules:

* ``greedy``: rank the projects by number of approvals (most first); go down
  the list and fund each project that still fits in what is left of the
  budget, skipping those that do not fit. A project nobody voted for is never
  funded. ``greedy_by_score`` does the same with the total number of points
  (cumulative ballots).

* ``equal_shares``: the Method of Equal Shares (Peters and Skowron). The budget
  is split equally between all the voters given (an empty ballot given holds
  a share that stays unspent; Civic's decisions give only the ballots that
  approve something: ``ballot_file.summarise``); a project can only be paid for by the voters
  who approved it, from their own shares. At each step the project chosen is
  the one its supporters can pay with the smallest *price per euro of
  project* (cost utilities): if supporters pay at most ``p`` each, the price
  is ``p / cost``. Supporters short of money pay all they have left and the
  others pay an equal amount. This stops when no project can be paid for by
  its supporters. Because this often leaves money unspent, the "add-one"
  completion is applied (as in Wieliczka, Świecie and Assen): the count is
  run again with every voter's share increased by one unit of money (1 € for
  a budget in euros), then two units, and so on; each result is kept while
  the projects it chooses still fit within the real budget. It stops at the first result
  that no longer fits (keeping the previous one), or as soon as no other
  approved project would fit in the money left. Assen 2024 is reproduced
  exactly by this completion *without* a greedy top-up afterwards
  (``completion="add1"``, the default); ``"add1_greedy"`` adds one (fund the
  remaining projects by number of approvals while they fit), and ``"greedy"``
  (Equal Shares then greedy top-up) and ``None`` (no completion) exist too.

No rule funds a project nobody approved, not even with money left over.
Every rule returns the funded project ids in the order it funded them, and
never spends more than the budget.

Ties are broken by more approvals first (``greedy_by_score``: more points), then
the cheaper project, then the order in which the projects are listed in the
instance; Equal Shares first prefers the lower price per euro, then breaks its
ties so. ``TIE_BREAKS_EN`` states this for each rule Civic's decisions use (both
count approvals: no points).
"""
import heapq
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

# What every participatory budget does, then its two rules: a decision's page and results name the rule it
# announced (RULE_NAMES) and explain that one; "either... or..." only when the rule is not known.
INTRO_EN = (
    "The budget is shared out between the projects chosen by the voters, and the total "
    "cost of the funded projects never exceeds it. Each voter approves the projects they "
    "support."
)
INTRO_FR = (
    "Le budget est réparti entre les projets choisis par les votants, et le coût total "
    "des projets retenus ne le dépasse jamais. Chaque votant approuve les projets qu'il "
    "soutient."
)
EXPLANATION_EN = INTRO_EN + (
    " Depending on the rule announced before the vote, "
    "projects are either funded in order of their number of votes as long as they fit "
    "in the remaining budget (greedy rule), or chosen by the Method of Equal Shares, "
    "where each voter controls an equal share of the budget and a project is funded "
    "when its supporters can pay for it together from their own shares."
)
EXPLANATION_FR = INTRO_FR + (
    " Selon la règle annoncée avant le vote, les "
    "projets sont soit financés dans l'ordre de leur nombre de voix tant qu'ils tiennent "
    "dans le budget restant (règle gloutonne), soit choisis par la méthode des parts "
    "égales, où chaque votant dispose d'une part égale du budget et un projet est financé "
    "lorsque ses soutiens peuvent le payer ensemble avec leurs propres parts."
)
RULE_NAMES_EN = {
    "greedy": "The rule of this vote: the greedy rule.",
    "equal_shares": "The rule of this vote: the Method of Equal Shares.",
}
RULE_NAMES_FR = {
    "greedy": "La règle de ce vote : la règle gloutonne.",
    "equal_shares": "La règle de ce vote : la méthode des parts égales.",
}
GREEDY_EN = (
    "Projects are ranked by number of votes, most first. Going down the list, each "
    "project is funded if its cost still fits in what is left of the budget; a project "
    "that does not fit is skipped and the next ones are still considered. A project "
    "nobody voted for is never funded."
)
GREEDY_FR = (
    "Les projets sont classés par nombre de voix, du plus au moins soutenu. En descendant "
    "la liste, chaque projet est financé si son coût tient encore dans ce qui reste du "
    "budget ; un projet trop cher est passé, et les suivants restent examinés. Un projet "
    "qui n'a reçu aucune voix n'est jamais financé."
)
EQUAL_SHARES_EN = (
    "The budget is divided equally between all voters who chose at least one project (a "
    "blank ballot is counted, but takes no part in the choice). A project can only be paid for "
    "by the voters who supported it, out of their own shares. Step by step, the project "
    "funded is the one its supporters can pay for most cheaply relative to its cost, "
    "sharing the cost as equally as possible. When no other project can be paid for, "
    "the count is run again with slightly larger shares (one euro more per voter each "
    "time) as long as the chosen projects still fit in the real budget."
)
EQUAL_SHARES_FR = (
    "Le budget est divisé en parts égales entre tous les votants qui ont choisi au moins un "
    "projet (un vote blanc est compté, mais ne prend pas part au choix). Un projet ne peut être "
    "payé que par les votants qui l'ont soutenu, avec leurs propres parts. Étape par "
    "étape, on finance le projet que ses soutiens peuvent payer au meilleur prix par "
    "rapport à son coût, en partageant ce coût aussi également que possible. Quand plus "
    "aucun projet ne peut être payé, on recommence avec des parts un peu plus grandes "
    "(un euro de plus par votant à chaque fois), tant que les projets choisis tiennent "
    "dans le budget réel."
)

COMPLETIONS = (None, "add1", "add1_greedy", "greedy")
# The stated tie-break of each rule (see single_choice.TIE_BREAK_EN), as a decision's approval ballots use it:
# greedy_by_score's points are no rule of a decision's, so no sentence names them.
TIE_BREAKS_EN = {
    "greedy": "more approvals, then the cheaper project, then the order in which the projects are listed",
    "equal_shares": ("the lower price per euro for the project's supporters, then more approvals, then the cheaper "
                     "project, then the order in which the projects are listed"),
}
TIE_BREAKS_FR = {
    "greedy": ("le plus d'approbations, puis le projet le moins cher, puis l'ordre dans lequel les projets sont "
               "présentés"),
    "equal_shares": ("le prix par euro le plus bas pour les soutiens du projet, puis le plus d'approbations, puis le "
                     "projet le moins cher, puis l'ordre dans lequel les projets sont présentés"),
}


def exact(amount, what="amount"):
    """`amount` as a Fraction; floats and negative amounts are refused."""
    if isinstance(amount, bool) or not isinstance(amount, (int, Fraction, Decimal)):
        raise TypeError(f"{what} must be an int, Fraction or Decimal, not {amount!r}")
    if isinstance(amount, Decimal) and not amount.is_finite():
        raise ValueError(f"{what} must be finite, not {amount!r}")
    if amount < 0:
        raise ValueError(f"{what} must not be negative, not {amount!r}")
    return Fraction(amount)


@dataclass(frozen=True)
class Project:
    id: object
    cost: object  # int, Fraction or Decimal

    def __post_init__(self):
        exact(self.cost, f"cost of project {self.id!r}")


@dataclass(frozen=True)
class Instance:
    budget: object  # int, Fraction or Decimal
    projects: tuple  # of Project, in a fixed order (the last tie-break)

    def __post_init__(self):
        exact(self.budget, "budget")
        object.__setattr__(self, "projects", tuple(self.projects))
        ids = [p.id for p in self.projects]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate project id")

    def costs(self):
        """Project id -> exact cost (Fraction), in instance order."""
        return {p.id: Fraction(p.cost) for p in self.projects}


def _approvals(instance, approvals):
    """Approval ballots as frozensets, refusing unknown projects."""
    known = {p.id for p in instance.projects}
    ballots = [frozenset(b) for b in approvals]
    for ballot in ballots:
        if not ballot <= known:
            raise ValueError(f"unknown project(s) {sorted(map(repr, ballot - known))}")
    return ballots


def _greedy_fill(instance, score, selected=()):
    """Fund projects by decreasing score, then cost, then instance order, while they fit.

    A project nobody voted for (score 0) is never funded, even when money is left.
    """
    costs = instance.costs()
    selected = list(selected)
    left = Fraction(instance.budget) - sum(costs[p] for p in selected)
    position = {p.id: i for i, p in enumerate(instance.projects)}
    for pid in sorted(costs, key=lambda p: (-score[p], costs[p], position[p])):
        if pid not in selected and score[pid] > 0 and costs[pid] <= left:
            selected.append(pid)
            left -= costs[pid]
    return tuple(selected)


def greedy(instance, approvals):
    """Greedy by number of approvals; returns the funded ids in the order funded."""
    tally = Counter()
    for ballot in _approvals(instance, approvals):
        tally.update(ballot)
    return _greedy_fill(instance, tally)


def greedy_by_score(instance, scores):
    """Greedy by total points; `scores` is an iterable of {project id: points} ballots."""
    known = {p.id for p in instance.projects}
    tally = Counter()
    for ballot in scores:
        for pid, points in ballot.items():
            if pid not in known:
                raise ValueError(f"unknown project {pid!r}")
            tally[pid] += exact(points, "points")
    return _greedy_fill(instance, tally)


def _fixed_budget_mes(instance, groups, total):
    """One run of Equal Shares with `total` split equally; returns ids in order chosen.

    `groups` maps each distinct ballot to the number of voters who cast it:
    voters with the same ballot always hold the same money, so they are
    handled together, exactly.

    Amounts are exact fractions. To order them faster, each is paired with its
    value as a float: float() rounds correctly, so it never puts two amounts in
    the wrong order, it can only make different amounts look equal, and the
    exact fraction then decides.
    """
    costs = instance.costs()
    position = {p.id: i for i, p in enumerate(instance.projects)}
    share = Fraction(total) / sum(groups.values())
    money = {ballot: share for ballot in groups}
    order = {ballot: float(share) for ballot in groups}  # money's float, for sorting (see above)
    supporters = {pid: [b for b in groups if pid in b] for pid in costs}
    approvals = {pid: sum(groups[b] for b in supporters[pid]) for pid in costs}

    def poorest_first(ballot):
        return order[ballot], money[ballot]

    def offer(pid):
        """(sort key, payment) for `pid` now, or None if its supporters cannot afford it."""
        # The payment p that covers the cost: from the poorest up, supporters
        # who have less than an equal split pay all they have, the rest pay p.
        # What is still due is kept as a numerator and a denominator (integers,
        # exact): comparing and subtracting them costs far less than fractions.
        cost = costs[pid]
        due, denominator = cost.numerator, cost.denominator
        payers = approvals[pid]
        for ballot in sorted(supporters[pid], key=poorest_first):
            has = money[ballot]
            # has >= due / (denominator * payers), cross-multiplied
            if has.numerator * denominator * payers >= due * has.denominator:
                break
            due = due * has.denominator - has.numerator * groups[ballot] * denominator
            denominator *= has.denominator
            payers -= groups[ballot]
        else:
            return None  # even all their money together is not enough
        payment = Fraction(due, denominator * payers)
        price = payment / cost if cost else Fraction(0)
        return (float(price), price, -approvals[pid], cost, position[pid]), payment

    # Spending only ever raises prices, so an old key is a lower bound: the
    # project on top of the heap is re-priced, and chosen if it stays on top.
    heap = [(o[0], pid, o[1]) for pid in costs if approvals[pid] and (o := offer(pid))]
    heapq.heapify(heap)
    chosen = []
    while heap:
        _, pid, _ = heapq.heappop(heap)
        current = offer(pid)
        if current is None:
            continue  # no longer affordable, and never will be in this run
        if heap and current[0] > heap[0][0]:
            heapq.heappush(heap, (current[0], pid, current[1]))
            continue
        chosen.append(pid)
        for ballot in supporters[pid]:
            money[ballot] -= min(money[ballot], current[1])
            order[ballot] = float(money[ballot])
    return tuple(chosen)


def equal_shares(instance, approvals, completion="add1", increment=1):
    """Method of Equal Shares (cost utilities) with a completion; see the module docstring.

    `increment` is the amount added to every voter's share at each add-one step.
    Returns the funded ids in the order chosen.
    """
    if completion not in COMPLETIONS:
        raise ValueError(f"completion must be one of {COMPLETIONS}")
    groups = Counter(_approvals(instance, approvals))
    if not groups:
        return ()
    costs, budget = instance.costs(), Fraction(instance.budget)
    total, voters = budget, sum(groups.values())
    result = _fixed_budget_mes(instance, groups, total)
    supported = {pid for ballot in groups for pid in ballot}
    if completion in ("add1", "add1_greedy"):
        step = exact(increment, "increment") * voters
        if step <= 0:
            raise ValueError("increment must be positive")
        while True:
            left = budget - sum(costs[p] for p in result)
            if all(costs[p] > left for p in supported - set(result)):
                break  # nothing more could be afforded: the result is final
            total += step
            bigger = _fixed_budget_mes(instance, groups, total)
            if sum(costs[p] for p in bigger) > budget:
                break
            result = bigger
    if completion in ("greedy", "add1_greedy"):
        result = _greedy_fill(instance, Counter(p for b in groups.elements() for p in b), result)
    return result


def check_ballot(instance, approved, max_total_cost=None, *, min_length=None, max_length=None):
    """Validate one voter's approval ballot; returns its total cost (a Fraction).

    Raises ValueError for an unknown or repeated project, a total cost above
    `max_total_cost`, or a number of projects outside [min_length, max_length].
    """
    approved = list(approved)
    costs = instance.costs()
    unknown = [p for p in approved if p not in costs]
    if unknown:
        raise ValueError(f"unknown project(s) {unknown!r}")
    if len(set(approved)) != len(approved):
        raise ValueError("a project is chosen twice")
    if min_length is not None and len(approved) < min_length:
        raise ValueError(f"at least {min_length} project(s) must be chosen")
    if max_length is not None and len(approved) > max_length:
        raise ValueError(f"at most {max_length} project(s) may be chosen")
    total = sum((costs[p] for p in approved), Fraction(0))
    if max_total_cost is not None and total > exact(max_total_cost, "max_total_cost"):
        raise ValueError(f"the chosen projects cost {total}, more than {max_total_cost}")
    return total
