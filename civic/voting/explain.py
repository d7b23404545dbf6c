"""The plain-words explanation of each method, in French and English, as the results page shows it.

The words live next to the code they describe (``EXPLANATION_FR``/``EXPLANATION_EN`` in
each module), so a change of rule and a change of its explanation are one change.
"""
from . import approval, budget, majority_judgment, single_choice, yes_no

MODULES = {"yes_no": yes_no, "single_choice": single_choice, "approval": approval,
           "majority_judgment": majority_judgment, "budget": budget}
BUDGET_RULES = {"greedy": "GREEDY", "equal_shares": "EQUAL_SHARES"}
TIES = {"fr": "Égalités : {}.", "en": "Ties: {}."}


def tie_break(method, rule=None, lang="en"):
    """The stated tie-break of ``method`` (of a budget's ``rule``) in ``lang``, one sentence per (method, rule)
    that the files say in English (ballot_file.tie_break) and the pages in the reader's language; None for a
    budget whose rule is not known yet."""
    suffix = "FR" if lang == "fr" else "EN"
    if method == "budget":
        return getattr(budget, f"TIE_BREAKS_{suffix}").get(rule)
    return getattr(MODULES[method], f"TIE_BREAK_{suffix}")


def explanation(method, rule=None, lang="fr"):
    """The paragraphs that explain ``method`` (and, for a budget, its ``rule``) in ``lang`` (fr or en), the
    tie-break last: the explanations themselves do not say it, so that it is said once."""
    suffix = "FR" if lang == "fr" else "EN"
    module = MODULES[method]
    if method == "budget" and rule in BUDGET_RULES:
        # The rule this vote uses, named, then explained: not both rules as alternatives.
        paragraphs = [getattr(budget, f"INTRO_{suffix}"), getattr(budget, f"RULE_NAMES_{suffix}")[rule],
                      getattr(budget, f"{BUDGET_RULES[rule]}_{suffix}")]
    else:
        paragraphs = [getattr(module, f"EXPLANATION_{suffix}")]
    ties = tie_break(method, rule, lang)
    return paragraphs + ([TIES["fr" if lang == "fr" else "en"].format(ties)] if ties else [])
