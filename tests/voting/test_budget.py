"""Participatory budgeting rules on hand-computed examples."""
from decimal import Decimal
from fractions import Fraction

import pytest

from civic.voting.budget import (
    Instance, Project, check_ballot, equal_shares, greedy, greedy_by_score,
)


def instance(budget, **costs):
    return Instance(budget, [Project(pid, cost) for pid, cost in costs.items()])


def test_greedy_skips_what_does_not_fit_and_keeps_going():
    inst = instance(10, A=6, B=5, C=4, D=1)
    ballots = [{"A", "B"}, {"A", "B"}, {"A", "C"}, {"D"}, {"C"}, {"C"}]
    # A 3, C 3, B 2, D 1 -> A and C tie: C is cheaper, so C, then A (6 fits in 6), B no, D no.
    assert greedy(inst, ballots) == ("C", "A")


def test_greedy_tie_cheaper_first_then_listed_order():
    inst = instance(9, A=4, B=5, C=3)
    ballots = [{"A", "B", "C"}, {"A", "B", "C"}, {"A"}]
    assert greedy(inst, ballots) == ("A", "C")  # B and C tie on 2: C cheaper; B no longer fits
    inst = instance(5, X=5, Y=5)
    assert greedy(inst, [{"Y", "X"}]) == ("X",)  # same votes, same cost: listed order


def test_greedy_empty_cases():
    inst = instance(10, A=3)
    assert greedy(inst, []) == ()  # nobody voted: nothing is funded, though A fits
    assert greedy(instance(10), []) == ()
    assert greedy(instance(2, A=3), [{"A"}]) == ()


def test_greedy_never_funds_a_project_nobody_approved():
    # Money left over stays unspent rather than fund a project without a single vote.
    assert greedy(instance(10, A=3, B=2), [{"A"}]) == ("A",)


def test_greedy_unknown_project():
    with pytest.raises(ValueError):
        greedy(instance(10, A=3), [{"A", "Z"}])


def test_greedy_by_score():
    inst = instance(10, A=6, B=5, C=4)
    scores = [{"A": 1, "B": 3}, {"B": 2, "C": 2}, {"A": 3}]
    # A 4, B 5, C 2 -> B (5, left 5), A does not fit, C (4, left 1)
    assert greedy_by_score(inst, scores) == ("B", "C")
    with pytest.raises(ValueError):
        greedy_by_score(inst, [{"Z": 1}])
    with pytest.raises(TypeError):
        greedy_by_score(inst, [{"A": 1.5}])


def test_exact_costs_never_floats():
    with pytest.raises(TypeError):
        Project("A", 1.5)
    with pytest.raises(TypeError):
        Instance(10.0, [])
    with pytest.raises(ValueError):
        Project("A", -1)
    with pytest.raises(ValueError):
        Instance(10, [Project("A", 1), Project("A", 2)])
    inst = instance(Decimal("10.30"), A=Decimal("5.10"), B=Decimal("5.20"), C=Fraction(1, 3))
    assert greedy(inst, [{"A", "B", "C"}]) == ("C", "A")  # 5.20 + 5.10 = 10.30 but C came first
    assert greedy(inst, [{"A", "B"}]) == ("A", "B")  # exactly the budget: fits


# Six voters like the A projects, four like the B projects; all cost 2, budget 6.
PROPORTIONAL = instance(6, A1=2, A2=2, A3=2, B1=2, B2=2)
PROPORTIONAL_BALLOTS = [{"A1", "A2", "A3"}] * 6 + [{"B1", "B2"}] * 4


def test_greedy_ignores_the_minority():
    assert greedy(PROPORTIONAL, PROPORTIONAL_BALLOTS) == ("A1", "A2", "A3")


def test_equal_shares_hand_computed():
    # Each voter holds 6/10. A1: the six A voters pay 1/3 each (price 1/3 per 2 = 1/6),
    # cheaper than B1 (1/2 each, price 1/4); A voters are then left with 4/15 each (8/5 in
    # all), not enough for A2; B1 is paid by the four B voters (1/2 each); nothing else fits.
    assert equal_shares(PROPORTIONAL, PROPORTIONAL_BALLOTS, completion=None) == ("A1", "B1")
    # Add-one: with 1 more per voter, A1, A2, A3, B1, B2 cost 10 > 6, so the first result stays.
    assert equal_shares(PROPORTIONAL, PROPORTIONAL_BALLOTS) == ("A1", "B1")
    # Then filling greedily by approvals: A2 (6 votes) fits in the 2 left.
    assert equal_shares(PROPORTIONAL, PROPORTIONAL_BALLOTS, completion="add1_greedy") == ("A1", "B1", "A2")
    assert equal_shares(PROPORTIONAL, PROPORTIONAL_BALLOTS, completion="greedy") == ("A1", "B1", "A2")


def test_equal_shares_add_one_with_smaller_steps():
    # Adding 1/10 per voter: shares of 7/10 fund A1, A2 (the A voters keep 1/30 each) and B1,
    # which costs exactly the budget of 6.
    result = equal_shares(PROPORTIONAL, PROPORTIONAL_BALLOTS, increment=Fraction(1, 10))
    assert result == ("A1", "A2", "B1")


def test_equal_shares_poorest_pay_what_they_have():
    # 4 voters, budget 4 (1 each). A (9/5) is approved by voters 1-3: 3/5 each, price 1/3.
    # C (1) is approved by voters 1 and 4: voter 1 has only 2/5 left, so pays 2/5 and
    # voter 4 pays 3/5 (price 3/5), cheaper than D (1/2, voter 4 alone: price 1).
    # Voter 4 is then left with 2/5, not enough for D.
    inst = instance(4, A=Fraction(9, 5), C=1, D=Fraction(1, 2))
    ballots = [{"A", "C"}, {"A"}, {"A"}, {"C", "D"}]
    assert equal_shares(inst, ballots, completion=None) == ("A", "C")
    assert greedy(inst, ballots) == ("A", "C", "D")


def test_equal_shares_empty_cases():
    assert equal_shares(PROPORTIONAL, []) == ()
    assert equal_shares(PROPORTIONAL, [set(), set()]) == ()
    assert equal_shares(instance(10), [set()]) == ()
    with pytest.raises(ValueError):
        equal_shares(PROPORTIONAL, [{"Z"}])
    with pytest.raises(ValueError):
        equal_shares(PROPORTIONAL, PROPORTIONAL_BALLOTS, completion="add2")


def test_equal_shares_free_project_and_whole_budget_project():
    inst = instance(10, FREE=0, BIG=10, SMALL=1)
    # 10 voters, 1 each. FREE costs nothing (price 0); BIG: all ten pay 1 (price 1/10);
    # SMALL: eight pay 1/8 (price 1/8), but after BIG they have nothing left.
    ballots = [{"FREE", "BIG"}] * 2 + [{"BIG", "SMALL"}] * 8
    assert equal_shares(inst, ballots, completion=None) == ("FREE", "BIG")


def test_check_ballot():
    inst = instance(100, A=40, B=35, C=Decimal("30.5"))
    assert check_ballot(inst, ["A", "C"]) == Fraction(141, 2)
    assert check_ballot(inst, [], max_total_cost=10) == 0
    assert check_ballot(inst, {"A", "B"}, max_total_cost=75) == 75
    with pytest.raises(ValueError):
        check_ballot(inst, ["A", "B"], max_total_cost=74)
    with pytest.raises(ValueError):
        check_ballot(inst, ["A", "Z"])
    with pytest.raises(ValueError):
        check_ballot(inst, ["A", "A"])
    with pytest.raises(ValueError):
        check_ballot(inst, ["A", "B"], max_length=1)
    with pytest.raises(ValueError):
        check_ballot(inst, ["A"], min_length=2)



def test_greedy_by_points_never_funds_a_project_without_points():
    assert greedy_by_score(instance(100, a=40, b=50, c=30), [{"b": 2}]) == ("b",)
