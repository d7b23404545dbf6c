"""Properties checked on generated elections (hypothesis)."""
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from civic.voting import approval, budget, majority_judgment, pabulib, single_choice, yes_no
from civic.voting.budget import Instance, Project

OPTIONS = ["a", "b", "c", "d"]


@st.composite
def shuffled(draw, ballots):
    """A list of ballots and the same ballots in another order."""
    items = draw(ballots)
    return items, draw(st.permutations(items))


# --- shuffling ballots never changes a result ---------------------------------------------


@given(shuffled(st.lists(st.sampled_from(yes_no.CHOICES))))
def test_yes_no_order_free(pair):
    assert yes_no.count(pair[0]) == yes_no.count(pair[1])


@given(shuffled(st.lists(st.sampled_from(OPTIONS + [None]))))
def test_single_choice_order_free(pair):
    assert single_choice.count(OPTIONS, pair[0]) == single_choice.count(OPTIONS, pair[1])


@given(shuffled(st.lists(st.sets(st.sampled_from(OPTIONS)))))
def test_approval_order_free(pair):
    assert approval.count(OPTIONS, pair[0]) == approval.count(OPTIONS, pair[1])


grade_ballots = st.lists(st.fixed_dictionaries({o: st.integers(0, 6) for o in OPTIONS}))


@given(shuffled(grade_ballots))
def test_majority_judgment_order_free(pair):
    first, second = (majority_judgment.count(OPTIONS, b) for b in pair)
    assert first == second
    assert majority_judgment.rank(first) == majority_judgment.rank(second)


# --- majority judgment against its literal definition -------------------------------------


def majority_value(counts):
    """Successive lower medians, removing one median vote at a time (the textbook definition)."""
    grades = sorted(g for g, c in enumerate(counts) for _ in range(c))
    value = []
    while grades:
        value.append(grades.pop((len(grades) - 1) // 2))
    return value


@given(st.integers(1, 12).flatmap(
    lambda n: st.dictionaries(
        st.sampled_from(OPTIONS),
        st.lists(st.integers(0, 6), min_size=n, max_size=n).map(lambda gs: tuple(gs.count(g) for g in range(7))),
        min_size=1,
    )
))
def test_rank_matches_literal_definition(tallies):
    values = {o: majority_value(c) for o, c in tallies.items()}
    ranks = majority_judgment.rank(tallies)
    for x in tallies:
        assert majority_judgment.majority_grade(tallies[x]) == values[x][0]
        better = sum(values[y] > values[x] for y in tallies)
        assert ranks[x] == better + 1


# --- participatory budgets ----------------------------------------------------------------

amounts = st.one_of(
    st.integers(0, 30),
    st.fractions(min_value=0, max_value=30, max_denominator=7),
    st.decimals(min_value=0, max_value=30, places=2),
)


# Amounts with a finite decimal form, which a .pb file can hold.
decimal_amounts = st.one_of(
    st.integers(0, 10**9),
    st.decimals(min_value=0, max_value=10**6, places=3),
    st.builds(Fraction, st.integers(0, 10**6), st.sampled_from([2, 4, 5, 8, 20, 1024, 5**7])),
)


@st.composite
def elections(draw, points=False, amounts=amounts):
    ids = draw(st.lists(st.text("abcdefgh", min_size=1, max_size=3), min_size=1, max_size=6, unique=True))
    inst = Instance(draw(amounts), [Project(pid, draw(amounts)) for pid in ids])
    if points:
        ballot = st.dictionaries(st.sampled_from(ids), st.integers(1, 3))
    else:
        ballot = st.sets(st.sampled_from(ids))
    return inst, draw(st.lists(ballot, max_size=8))


def spent(inst, selected):
    costs = inst.costs()
    assert len(set(selected)) == len(selected)
    return sum(costs[p] for p in selected)


@settings(max_examples=200, deadline=None)
@given(elections(), st.randoms(use_true_random=False))
def test_budget_rules_never_overspend_and_ignore_order(election, random):
    inst, ballots = election
    other = ballots[:]
    random.shuffle(other)
    for rule in (
        budget.greedy,
        lambda i, b: budget.equal_shares(i, b, completion=None),
        lambda i, b: budget.equal_shares(i, b, completion="add1"),
        lambda i, b: budget.equal_shares(i, b, completion="add1_greedy"),
    ):
        selected = rule(inst, ballots)
        assert spent(inst, selected) <= Fraction(inst.budget)
        assert rule(inst, other) == selected


@given(elections(points=True), st.randoms(use_true_random=False))
def test_greedy_by_score_never_overspends_and_ignores_order(election, random):
    inst, ballots = election
    selected = budget.greedy_by_score(inst, ballots)
    assert spent(inst, selected) <= Fraction(inst.budget)
    other = ballots[:]
    random.shuffle(other)
    assert budget.greedy_by_score(inst, other) == selected


@given(elections(), st.data())
def test_one_more_approval_keeps_a_greedy_winner(election, data):
    inst, ballots = election
    selected = budget.greedy(inst, ballots)
    if not selected:
        return
    winner = data.draw(st.sampled_from(selected))
    without = [i for i, b in enumerate(ballots) if winner not in b]
    if without and data.draw(st.booleans()):
        i = data.draw(st.sampled_from(without))
        ballots = ballots[:i] + [ballots[i] | {winner}] + ballots[i + 1:]
    else:
        ballots = ballots + [{winner}]  # a new voter approving only the winner
    assert winner in budget.greedy(inst, ballots)


# --- pabulib round trips ------------------------------------------------------------------


@given(elections(amounts=decimal_amounts), elections(points=True, amounts=decimal_amounts))
def test_pabulib_round_trips_generated_instances(approvals, cumulative):
    for inst, ballots in (approvals, cumulative):
        text = pabulib.write(pabulib.PbFile.from_instance(inst, ballots))
        pb = pabulib.read(text)
        assert pb.instance().costs() == inst.costs()
        assert Fraction(pb.instance().budget) == Fraction(inst.budget)
        if ballots and isinstance(ballots[0], dict):
            assert pb.points() == ballots
        else:
            assert pb.approvals() == [set(b) for b in ballots]
        assert pabulib.write(pb) == text


# Keys, ids and field names: no surrounding spaces (the reader strips them); values: anything.
name = (
    st.text(st.characters(codec="utf-8", exclude_characters=";\"\r\n"), min_size=1, max_size=8)
    .map(str.strip)
    .filter(lambda s: s and s not in pabulib.SECTIONS)
)
anything = st.text(st.characters(codec="utf-8"), max_size=12)


@st.composite
def pb_files(draw):
    fixed = ("project_id", "cost", "voter_id", "vote")
    extra = draw(st.lists(name.filter(lambda s: s not in fixed), max_size=3, unique=True))
    project_fields, vote_fields = ("project_id", "cost", *extra), ("voter_id", "vote", *extra)
    projects = {
        pid: {"project_id": pid, **{f: draw(anything) for f in project_fields[1:]}}
        for pid in draw(st.lists(name, max_size=4, unique=True))
    }
    votes = [
        {"voter_id": draw(name), **{f: draw(anything) for f in vote_fields[1:]}}
        for _ in range(draw(st.integers(0, 3)))
    ]
    meta = draw(st.dictionaries(name, anything, max_size=4))
    return pabulib.PbFile(meta, projects, votes, project_fields, vote_fields)


@given(pb_files())
def test_pabulib_round_trips_any_text(pb):
    assert pabulib.read(pabulib.write(pb)) == pb


# --- equal shares against a plain voter-by-voter implementation ---------------------------


def smallest_payment(amounts, cost):
    """Smallest p with sum(min(a, p) for a in amounts) >= cost, found at some money level."""
    for level in sorted(set(amounts)):
        if sum(min(a, level) for a in amounts) >= cost:
            poor = [a for a in amounts if a < level]
            return (cost - sum(poor)) / (len(amounts) - len(poor))


def plain_equal_shares(inst, ballots, total):
    """Textbook Equal Shares: every voter separately, every project re-priced at every step."""
    costs = inst.costs()
    order = list(costs)
    money = [Fraction(total) / len(ballots)] * len(ballots)
    chosen = []
    while True:
        offers = []
        for pid in order:
            backers = [i for i, b in enumerate(ballots) if pid in b]
            if pid in chosen or not backers or sum(money[i] for i in backers) < costs[pid]:
                continue
            p = smallest_payment([money[i] for i in backers], costs[pid])
            price = p / costs[pid] if costs[pid] else 0
            offers.append(((price, -len(backers), costs[pid], order.index(pid)), pid, p))
        if not offers:
            return tuple(chosen)
        _, pid, p = min(offers)
        chosen.append(pid)
        for i, b in enumerate(ballots):
            if pid in b:
                money[i] -= min(money[i], p)


@settings(max_examples=300, deadline=None)
@given(elections())
def test_equal_shares_matches_plain_implementation(election):
    inst, ballots = election
    if ballots:
        expected = plain_equal_shares(inst, ballots, inst.budget)
        assert budget.equal_shares(inst, ballots, completion=None) == expected
