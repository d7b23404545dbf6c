"""Ballot contents: what a form sends, how it is checked, stored, published and counted.

One small codec per method keeps the ballot form, the stored JSON, the public CSV and
the count in step. Stored content is JSON with option ids; the public CSV has one
column per option so that anyone can recount with ``flask recount``.
"""
import csv
import io
import json

from flask_babel import lazy_gettext as _l

from ..domain import DomainError
from ..voting import approval, majority_judgment, single_choice, yes_no
from ..voting import budget as budget_rules
from ..voting.budget import Instance, Project, check_ballot
from .models import BudgetRule, Method

YES_NO = ("yes", "no", "blank")
CSV_PREFIX = "option_"


def parse_form(decision, form):
    """The ballot a form (a MultiDict) describes, as plain data; DomainError when it is not valid."""
    ids = {str(o.id): o.id for o in decision.options}
    method = decision.method
    if method is Method.YES_NO:
        vote = form.get("vote")
        if vote not in YES_NO:
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
                    _l("The projects you chose cost more than %(limit)s €, the limit per voter.",
                       limit=decision.voter_cost_limit), field="options") from None
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


def budget_instance(decision):
    return Instance(budget=decision.budget or 0, projects=[Project(o.id, o.cost or 0) for o in decision.options])


def csv_header(decision, with_channel):
    head = ["tracking_code"] + (["channel"] if with_channel else [])
    if decision.method is Method.YES_NO:
        return head + ["vote"]
    return head + [f"{CSV_PREFIX}{o.id}" for o in decision.options] + (
        ["blank"] if decision.method is Method.SINGLE_CHOICE else [])


def csv_row(decision, content, tracking_code, channel=None):
    row = [tracking_code] + ([channel] if channel is not None else [])
    method = decision.method
    if method is Method.YES_NO:
        return row + [content["vote"]]
    if method is Method.SINGLE_CHOICE:
        return row + [int(content["option"] == o.id) for o in decision.options] + [int(content["option"] is None)]
    if method in (Method.APPROVAL, Method.BUDGET):
        chosen = set(content["options"])
        return row + [int(o.id in chosen) for o in decision.options]
    return row + [content["grades"][str(o.id)] for o in decision.options]


def ballots_csv(decision, rows, with_channel):
    """rows: (tracking_code, channel value, content) already shuffled."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(csv_header(decision, with_channel))
    for code, channel, content in rows:
        writer.writerow(csv_row(decision, content, code, channel if with_channel else None))
    return out.getvalue()


def count(method, option_ids, contents, max_choices=None):
    """The voting core's result for plain ballot contents (dicts as stored)."""
    if method is Method.YES_NO:
        return yes_no.count(c["vote"] for c in contents)
    if method is Method.SINGLE_CHOICE:
        return single_choice.count(option_ids, (c["option"] for c in contents))
    if method in (Method.APPROVAL, Method.BUDGET):
        return approval.count(option_ids, (c["options"] for c in contents), max_choices=max_choices)
    if method is Method.MAJORITY_JUDGMENT:
        return majority_judgment.count(option_ids, ({int(k): v for k, v in c["grades"].items()} for c in contents))
    raise ValueError(method)


def summarise(method, option_ids, contents, budget=None, costs=None, rule=None):
    """The published "count": plain JSON-able data, the same for the site and for `flask recount`."""
    result = count(method, option_ids, contents)
    if method is Method.YES_NO:
        return {"yes": result.yes, "no": result.no, "blank": result.blank, "outcome": result.outcome}
    if method in (Method.SINGLE_CHOICE, Method.APPROVAL):
        return {"votes": {str(k): v for k, v in result.counts.items()}, "blank": result.blank,
                "winners": list(result.winners)}
    if method is Method.MAJORITY_JUDGMENT:
        ranks = majority_judgment.rank(result)
        return {
            "grades": {str(k): list(v) for k, v in result.items()},
            "majority_grade": {str(k): majority_judgment.GRADES[majority_judgment.majority_grade(v)] if sum(v) else None
                               for k, v in result.items()},
            "rank": {str(k): v for k, v in ranks.items()},
            "winners": [k for k, v in ranks.items() if v == 1 and sum(result[k])],
        }
    instance = Instance(budget=budget or 0, projects=[Project(o, costs[o]) for o in option_ids])
    approvals = [frozenset(c["options"]) for c in contents]
    if rule is BudgetRule.EQUAL_SHARES:
        selected = budget_rules.equal_shares(instance, approvals, completion="add1")
    else:
        selected = budget_rules.greedy(instance, approvals)
    return {"votes": {str(k): v for k, v in result.counts.items()}, "blank": result.blank,
            "selected": list(selected), "winners": list(selected),
            "spent": sum(costs[o] for o in selected), "budget": budget}


def read_ballots_csv(text):
    """(method, option ids, contents) from Civic's anonymised ballots CSV."""
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    if not rows:
        raise ValueError("empty file")
    header, body = rows[0], [r for r in rows[1:] if r]
    if header[0] != "tracking_code":
        raise ValueError("not a Civic ballots file: the first column must be tracking_code")
    columns = {name: i for i, name in enumerate(header)}
    option_ids = [int(name[len(CSV_PREFIX):]) for name in header if name.startswith(CSV_PREFIX)]
    if "vote" in columns:
        return Method.YES_NO, [], [{"vote": r[columns["vote"]]} for r in body]
    if "blank" in columns:
        contents = []
        for r in body:
            chosen = [o for o in option_ids if r[columns[f"{CSV_PREFIX}{o}"]] == "1"]
            if len(chosen) + (r[columns["blank"]] == "1") != 1:
                raise ValueError(f"ballot {r[0]}: a single-choice ballot must have exactly one mark")
            contents.append({"option": chosen[0] if chosen else None})
        return Method.SINGLE_CHOICE, option_ids, contents
    values = {r[columns[f"{CSV_PREFIX}{o}"]] for r in body for o in option_ids}
    if values and values <= set(majority_judgment.GRADES):
        return Method.MAJORITY_JUDGMENT, option_ids, [
            {"grades": {str(o): r[columns[f"{CSV_PREFIX}{o}"]] for o in option_ids}} for r in body]
    if not values <= {"0", "1"}:
        raise ValueError("unknown values in the option columns")
    return Method.APPROVAL, option_ids, [
        {"options": [o for o in option_ids if r[columns[f"{CSV_PREFIX}{o}"]] == "1"]} for r in body]


def recount_csv(text):
    method, option_ids, contents = read_ballots_csv(text)
    return method, summarise(method, option_ids, contents)
