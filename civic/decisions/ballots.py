"""Ballot contents: what a ballot form sends, how it is checked and stored.

Stored content is compact JSON with option ids, the same dicts that
``civic.voting.ballot_file`` writes to the public CSV and counts.
"""
import json

from flask_babel import format_number
from flask_babel import lazy_gettext as _l

from ..domain import DomainError
from ..voting import ballot_file, majority_judgment
from ..voting.budget import Instance, Project, check_ballot
from .models import Method


def parse_form(decision, form):
    """The ballot a form (a MultiDict) describes, as plain data; DomainError when it is not valid."""
    ids = {str(o.id): o.id for o in decision.options}
    method = decision.method
    if method is Method.YES_NO:
        vote = form.get("vote")
        if vote not in ballot_file.VOTES:
            raise DomainError(_l("Choose yes, no or a blank vote."), field="vote")
        return {"vote": vote}
    if method is Method.SINGLE_CHOICE:
        choice = form.get("option")
        if choice == "blank":
            return {"option": None}
        if choice not in ids:
            raise DomainError(_l("Choose one option, or a blank vote."), field="option")
        return {"option": ids[choice]}
    if method in (Method.APPROVAL, Method.BUDGET):
        chosen = form.getlist("options")
        if any(c not in ids for c in chosen):
            raise DomainError(_l("One of the options you chose does not exist."), field="options")
        chosen = sorted({ids[c] for c in chosen})
        if method is Method.APPROVAL and decision.max_choices and len(chosen) > decision.max_choices:
            raise DomainError(_l("Choose at most %(max)d options.", max=decision.max_choices), field="options")
        if method is Method.BUDGET and decision.voter_cost_limit:
            try:
                check_ballot(budget_instance(decision), chosen, max_total_cost=decision.voter_cost_limit)
            except ValueError:
                raise DomainError(
                    _l("The projects you chose cost %(total)s € in all, more than %(limit)s €, the limit per "
                       "voter. Untick some of them.", total=format_number(chosen_cost(decision, chosen)),
                       limit=format_number(decision.voter_cost_limit)), field="options") from None
        return {"options": chosen}
    if method is Method.MAJORITY_JUDGMENT:
        grades = {}
        for option in decision.options:
            value = form.get(f"grade_{option.id}", "")
            if value not in majority_judgment.GRADES:
                raise DomainError(_l("Give a grade to every option."), field=f"grade_{option.id}")
            grades[str(option.id)] = value
        return {"grades": grades}
    raise ValueError(method)


def dumps(content):
    return json.dumps(content, sort_keys=True, separators=(",", ":"))


def loads(text):
    return json.loads(text)


def chosen_cost(decision, chosen):
    """What the projects ``chosen`` (option ids) cost together."""
    chosen = set(chosen)
    return sum(o.cost or 0 for o in decision.options if o.id in chosen)


def budget_instance(decision):
    return Instance(budget=decision.budget or 0, projects=[Project(o.id, o.cost or 0) for o in decision.options])


def summarise(decision, contents):
    """The published count of a decision for these ballot contents."""
    return ballot_file.summarise(
        decision.method.value, [o.id for o in decision.options], contents, budget_total=decision.budget,
        costs={o.id: o.cost for o in decision.options},
        rule=decision.budget_rule.value if decision.budget_rule else None, winners=decision.number_of_winners)


def ballots_csv(decision, ballots):
    """The public CSV for (tracking_code, content) pairs, already shuffled."""
    return ballot_file.write(decision.method.value, [o.id for o in decision.options], ballots)
