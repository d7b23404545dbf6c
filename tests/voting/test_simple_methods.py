"""Yes/no, single choice and approval, on hand-counted examples."""
import pytest

from civic.voting import approval, ballot_file, budget, single_choice, yes_no


class TestYesNo:
    def test_majority_yes_blank_not_counted(self):
        result = yes_no.count(["yes", "no", "yes", "blank", "blank", "blank"])
        assert (result.yes, result.no, result.blank) == (2, 1, 3)
        assert (result.valid, result.total) == (3, 6)
        assert result.outcome == "yes"  # 3 blanks do not stop 2 > 1

    def test_no(self):
        assert yes_no.count(["no", "no", "yes"]).outcome == "no"

    def test_tie(self):
        assert yes_no.count(["yes", "no", "blank"]).outcome == "tie"

    def test_empty_and_only_blank(self):
        assert yes_no.count([]) == yes_no.Result(0, 0, 0)
        assert yes_no.count([]).outcome == "no_votes"
        assert yes_no.count(["blank", "blank"]).outcome == "no_votes"

    def test_invalid_ballot(self):
        with pytest.raises(ValueError):
            yes_no.count(["yes", "oui"])

    def test_result_is_frozen(self):
        with pytest.raises(AttributeError):
            yes_no.count(["yes"]).yes = 5


class TestSingleChoice:
    def test_winner_zero_counts_and_blanks(self):
        result = single_choice.count(["a", "b", "c"], ["a", "b", "a", None, "a"])
        assert result.counts == {"a": 3, "b": 1, "c": 0}
        assert list(result.counts) == ["a", "b", "c"]
        assert result.blank == 1 and result.total == 5
        assert result.winners == ("a",) and not result.tie

    def test_a_tie_is_broken_by_the_order_of_the_options_and_said(self):
        result = single_choice.count(["a", "b", "c"], ["c", "a", "c", "a", "b"])
        assert result.winners == ("a",) and result.tie == ("a", "c")
        assert single_choice.count(["c", "b", "a"], ["c", "a", "c", "a", "b"]).winners == ("c",)

    def test_k_winners_best_first_ties_at_the_kth_place_by_list_order(self):
        ballots = ["b"] * 5 + ["c"] * 3 + ["d"] * 3 + ["a"]
        result = single_choice.count(["a", "b", "c", "d"], ballots, winners=2)
        assert result.winners == ("b", "c") and result.tie == ("c", "d")
        result = single_choice.count(["a", "b", "c", "d"], ballots, winners=3)
        assert result.winners == ("b", "c", "d") and result.tie == ()
        # An option nobody chose never wins: fewer winners than asked.
        assert single_choice.count(["a", "b", "c"], ["a", "b"], winners=3).winners == ("a", "b")
        with pytest.raises(ValueError):
            single_choice.count(["a", "b"], ["a"], winners=0)

    def test_empty_and_only_blank(self):
        for ballots in ([], [None, None]):
            result = single_choice.count(["a", "b"], ballots)
            assert result.winners == () and not result.tie
            assert result.counts == {"a": 0, "b": 0}

    def test_unknown_and_duplicate_options(self):
        with pytest.raises(ValueError):
            single_choice.count(["a", "b"], ["a", "z"])
        with pytest.raises(ValueError):
            single_choice.count(["a", "a"], [])


class TestApproval:
    def test_counts_winners_blank(self):
        ballots = [{"a", "b"}, {"b"}, set(), {"a", "b", "c"}]
        result = approval.count(["a", "b", "c", "d"], ballots)
        assert result.counts == {"a": 2, "b": 3, "c": 1, "d": 0}
        assert result.winners == ("b",) and not result.tie
        assert (result.blank, result.ballots) == (1, 4)

    def test_tie(self):
        result = approval.count(["a", "b", "c"], [{"a", "c"}, {"c"}, {"a"}])
        assert result.winners == ("a",) and result.tie == ("a", "c")

    def test_two_at_most_elects_two(self):
        """The demo's summer vote: "two at most", two events to organise."""
        ballots = [{"a", "b"}, {"b", "c"}, {"b"}, {"c", "d"}, {"a", "d"}]
        result = approval.count(["a", "b", "c", "d"], ballots, max_choices=2, winners=2)
        assert result.winners == ("b", "a") and result.tie == ("a", "c", "d")
        assert approval.count(["d", "c", "b", "a"], ballots, winners=2).winners == ("b", "d")

    def test_empty(self):
        result = approval.count(["a"], [])
        assert result.winners == () and result.ballots == 0

    def test_validation(self):
        with pytest.raises(ValueError):
            approval.count(["a", "b"], [{"a", "z"}])
        with pytest.raises(ValueError):
            approval.count(["a", "b", "c"], [{"a", "b", "c"}], max_choices=2)
        with pytest.raises(ValueError):
            approval.count(["a", "b"], [["a", "a"]])
        assert approval.count(["a", "b", "c"], [{"a", "b"}], max_choices=2).counts["b"] == 1


def test_a_blank_ballot_takes_no_part_in_choosing_projects():
    """With equal shares a blank voter would hold a share and change what is funded: Civic's count leaves blank
    ballots out of the choice (they are counted as blank), as its .pb file, which cannot list an empty vote."""
    costs = {1: 50, 2: 30, 3: 30, 4: 30}
    chosen = [[1, 2], [2], [1, 2, 3], [1, 2, 3]]
    contents = [{"options": c} for c in chosen] + [{"options": []}] * 2
    count = ballot_file.summarise("budget", list(costs), contents, budget_total=100, costs=costs, rule="equal_shares")
    assert count["winners"] == [2, 1] and count["blank"] == 2
    instance = budget.Instance(100, [budget.Project(o, c) for o, c in costs.items()])
    assert budget.equal_shares(instance, [frozenset(c) for c in chosen] + [frozenset()] * 2) == (2, 3)
