"""Majority judgment on hand-computed examples, and against the literal definition."""

import pytest

from civic.voting import majority_judgment as mj
from civic.voting.majority_judgment import GRADES


def tally(**grades):
    """Counts per grade (worst first) from keyword counts, e.g. tally(good=3, reject=1)."""
    assert set(grades) <= set(GRADES)
    return tuple(grades.get(g, 0) for g in GRADES)


R, I, P, F, G, VG, E = range(7)


def test_scale_and_french_labels():
    assert GRADES == ("reject", "insufficient", "passable", "fair", "good", "very_good", "excellent")
    assert [mj.LABELS_FR[g] for g in GRADES] == [
        "À rejeter", "Insuffisant", "Passable", "Assez bien", "Bien", "Très bien", "Excellent",
    ]


def test_majority_grade_odd_and_even():
    assert mj.majority_grade(tally(good=2, excellent=1)) == G
    # Even number of grades: the LOWER of the two middle grades.
    assert mj.majority_grade(tally(reject=1, excellent=1)) == R
    assert mj.majority_grade(tally(passable=2, very_good=2)) == P
    assert mj.majority_grade(tally(fair=1, good=1, very_good=1, excellent=1)) == G
    assert mj.majority_grade(tally()) is None


def test_best_majority_grade_wins():
    ranks = mj.rank({"a": tally(passable=3), "b": tally(good=2, reject=1), "c": tally(reject=3)})
    assert ranks == {"b": 1, "a": 2, "c": 3}
    assert list(ranks) == ["b", "a", "c"]  # best first


def test_tie_broken_by_majority_value():
    # Both have majority grade "good" (5 voters).
    # a: R G G G E -> sorted medians: G, G, G, R, E
    # b: P P G E E -> sorted medians: G, P, E, P, E   -> a wins at the 2nd step (G > P)
    a = tally(reject=1, good=3, excellent=1)
    b = tally(passable=2, good=1, excellent=2)
    assert mj.rank({"b": b, "a": a}) == {"a": 1, "b": 2}


def test_tie_break_even_number_looks_up_first():
    # 4 voters, both lower median "fair".
    # a: P F G G -> medians F, G, P, G
    # b: F F F E -> medians F, F, F, E    -> a wins at the 2nd step (G > F)
    a = tally(passable=1, fair=1, good=2)
    b = tally(fair=3, excellent=1)
    assert mj.rank({"a": a, "b": b}) == {"a": 1, "b": 2}


def test_tennessee_style_example():
    # Percentages of a 100-voter electorate, as in the classic "capital of Tennessee" illustration.
    tallies = {
        "Memphis": tally(excellent=42, insufficient=58),
        "Nashville": tally(excellent=26, very_good=42, good=32),
        "Chattanooga": tally(excellent=15, very_good=43, good=42),
        "Knoxville": tally(excellent=17, very_good=15, good=26, fair=42),
    }
    assert mj.majority_grade(tallies["Nashville"]) == VG
    assert mj.majority_grade(tallies["Chattanooga"]) == VG
    # Nashville has more voters at "very good" or above: it wins the tie-break.
    assert mj.rank(tallies) == {"Nashville": 1, "Chattanooga": 2, "Knoxville": 3, "Memphis": 4}


def test_identical_tallies_share_a_rank():
    same = tally(reject=1, good=2, excellent=4)
    ranks = mj.rank({"x": tally(fair=7), "a": same, "b": same, "c": tally(reject=7)})
    assert ranks == {"a": 1, "b": 1, "x": 3, "c": 4}


def test_zero_vote_options_share_last_rank():
    ranks = mj.rank({"a": tally(good=2), "z1": tally(), "b": tally(fair=2), "z2": tally()})
    assert ranks == {"a": 1, "b": 2, "z1": 3, "z2": 3}
    assert mj.rank({"a": tally(), "b": tally()}) == {"a": 1, "b": 1}
    assert mj.rank({}) == {}


def test_invalid_tallies():
    with pytest.raises(ValueError):
        mj.rank({"a": tally(good=2), "b": tally(good=3)})  # different numbers of voters
    with pytest.raises(ValueError):
        mj.rank({"a": (1, 2), "b": tally(good=3)})  # different scales
    with pytest.raises(ValueError):
        mj.rank({"a": (1, -1, 0, 0, 0, 0, 0)})


def test_count_from_ballots():
    ballots = [{"a": E, "b": "reject"}, {"a": "good", "b": P}, {"a": G, "b": P}]
    assert mj.count(["a", "b"], ballots) == {"a": tally(good=2, excellent=1), "b": tally(reject=1, passable=2)}
    assert mj.count(["a", "b"], []) == {"a": tally(), "b": tally()}
    with pytest.raises(ValueError):
        mj.count(["a", "b"], [{"a": G}])  # b not graded
    with pytest.raises(ValueError):
        mj.count(["a"], [{"a": G, "z": G}])
    with pytest.raises(ValueError):
        mj.count(["a"], [{"a": 7}])
    with pytest.raises(ValueError):
        mj.count(["a"], [{"a": "great"}])


def test_counts_from_tallies_never_ballot_by_ballot():
    # No machine could hold 10**30 ballots: ranking these tallies works on the counts themselves.
    n = 10**30
    tallies = {
        # polarised options whose successive medians alternate: expanding ballots would be hopeless
        "a": (n // 2, 0, 0, 0, 0, 0, n // 2),
        "b": (n // 2 + 1, 0, 0, 0, 0, 0, n // 2 - 1),
        "c": (n // 2 - 1, 0, 0, 0, 0, 1, n // 2),
        "d": (1, 1, 1, 1, 1, 1, n - 6),
        "e": (n // 2, 0, 0, 0, 0, 0, n // 2),
    }
    ranks = mj.rank(tallies)
    # d: excellent. c vs a: same sorted grades except position n/2-1 (middle): very_good vs reject.
    assert ranks == {"d": 1, "c": 2, "a": 3, "e": 3, "b": 5}


def test_k_winners_are_the_k_best_ranks_equal_ranks_in_list_order():
    tallies = {"a": tally(passable=3), "b": tally(good=2, reject=1), "c": tally(passable=3), "d": tally()}
    ranks, winners, tie = mj.best(tallies, winners=2)
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4}
    assert winners == ("b", "a") and tie == ("a", "c")
    assert mj.best({k: tallies[k] for k in "cba"}, winners=2)[1:] == (("b", "c"), ("c", "a"))
    # Nobody graded "d": it never wins, even when more winners are asked for than were graded.
    assert mj.best(tallies, winners=4)[1:] == (("b", "a", "c"), ())
