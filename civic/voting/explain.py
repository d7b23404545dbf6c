"""The plain-words explanation of each method, in French and English, as the results page shows it.

The words live next to the code they describe (``EXPLANATION_FR``/``EXPLANATION_EN`` in
each module), so a change of rule and a change of its explanation are one change.
"""
from . import approval, budget, majority_judgment, single_choice, yes_no

MODULES = {"yes_no": yes_no, "single_choice": single_choice, "approval": approval,
           "majority_judgment": majority_judgment, "budget": budget}
BUDGET_RULES = {"greedy": "GREEDY", "equal_shares": "EQUAL_SHARES"}


def explanation(method, rule=None, lang="fr"):
    """The paragraphs that explain ``method`` (and, for a budget, its ``rule``) in ``lang`` (fr or en)."""
    suffix = "FR" if lang == "fr" else "EN"
    module = MODULES[method]
    if method == "budget" and rule in BUDGET_RULES:
        # The rule this vote uses, named, then explained: not both rules as alternatives.
        return [getattr(budget, f"INTRO_{suffix}"), getattr(budget, f"RULE_NAMES_{suffix}")[rule],
                getattr(budget, f"{BUDGET_RULES[rule]}_{suffix}")]
    return [getattr(module, f"EXPLANATION_{suffix}")]
