"""Recount a published participatory budget from its Pabulib file.

``recount_pb`` reads the file, takes the rule from its META ``rule`` entry
(unless one is given) and returns the funded project ids in the order the
rule funds them:

* ``greedy``: greedy by number of approvals for approval ballots, greedy by
  total points for cumulative and scoring ballots;
* ``equalshares...`` or ``mes...``: Method of Equal Shares (approval ballots)
  with the completion named after a ``/`` or ``-``: ``add1`` (add-one), ``greedy``, or
  ``add1/greedy`` (add-one, then greedy); nothing after the name means no
  completion. For example ``equalshares/add1`` (Assen 2024).

See ``budget`` for the rules and their tie-breaks.
"""
import re

from . import budget, pabulib


def completion_of(rule):
    """The equal shares completion named in a rule such as "equalshares/add1"."""
    words = set(re.split(r"[/\-_+ ]+", rule.lower())[1:])
    add1, greedy = "add1" in words, "greedy" in words
    return "add1_greedy" if add1 and greedy else "add1" if add1 else "greedy" if greedy else None


def recount_pb(text_or_path, rule=None):
    """Funded project ids (a tuple), recounted from a ``.pb`` file or its text."""
    pb = pabulib.read(text_or_path)
    rule = (rule or pb.meta.get("rule", "")).strip().lower()
    vote_type = pb.meta.get("vote_type", "approval").strip().lower()
    instance = pb.instance()
    if rule == "greedy":
        if vote_type in ("cumulative", "scoring"):
            return budget.greedy_by_score(instance, pb.points())
        if vote_type == "approval":
            return budget.greedy(instance, pb.approvals())
    elif rule.startswith(("equalshares", "mes")):
        if vote_type == "approval":
            return budget.equal_shares(instance, pb.approvals(), completion=completion_of(rule))
    else:
        raise ValueError(f"unknown or missing rule {rule!r}")
    raise ValueError(f"rule {rule!r} is not supported for {vote_type!r} ballots")
