"""Civic's anonymised ballots file (CSV): how it is written, read back and counted.

The published file has one row per ballot, in random order, and one column per option.
Its header names the method, so the file alone is enough to recount it:

* yes / no / blank: ``tracking_code,vote`` with ``yes``, ``no`` or ``blank``;
* single choice: ``tracking_code,choice_<id>…,blank``, exactly one ``1`` per row;
* approval: ``tracking_code,approve_<id>…``, ``1`` for each approved option;
* majority judgment: ``tracking_code,grade_<id>…``, one grade name per option
  (``reject`` … ``excellent``, see ``majority_judgment.GRADES``);
* participatory budget: ``tracking_code,project_<id>…``, ``1`` for each approved
  project. Costs and the budget are not in this file: a budget is recounted from
  its Pabulib ``.pb`` file, which has them (``recount.recount_pb``).

``summarise`` turns ballots into the published "count" (plain JSON-able data); the
site uses it to publish and ``flask recount`` uses it on the downloaded file, so the
two cannot disagree.
"""
import csv
import io

from . import approval, budget, explain, majority_judgment, single_choice, yes_no

YES_NO, SINGLE_CHOICE, APPROVAL, MAJORITY_JUDGMENT, BUDGET = (
    "yes_no", "single_choice", "approval", "majority_judgment", "budget")
METHODS = (YES_NO, SINGLE_CHOICE, APPROVAL, MAJORITY_JUDGMENT, BUDGET)
COLUMN_PREFIX = {SINGLE_CHOICE: "choice_", APPROVAL: "approve_", MAJORITY_JUDGMENT: "grade_", BUDGET: "project_"}
VOTES = ("yes", "no", "blank")


def tie_break(method, rule=None):
    """The stated tie-break rule of ``method`` (and of a budget's ``rule``), as the published files say it: in
    English, the words the pages translate (explain.tie_break)."""
    sentence = explain.tie_break(method, rule, "en")
    if sentence is None:
        raise ValueError(f"a participatory budget's tie-break depends on its rule, not {rule!r}")
    return sentence


def header(method, option_ids):
    if method == YES_NO:
        return ["tracking_code", "vote"]
    columns = [f"{COLUMN_PREFIX[method]}{o}" for o in option_ids]
    return ["tracking_code", *columns, *(["blank"] if method == SINGLE_CHOICE else [])]


def row(method, option_ids, tracking_code, content):
    """One CSV row for a ballot ``content`` as Civic stores it (see ``count``)."""
    if method == YES_NO:
        return [tracking_code, content["vote"]]
    if method == SINGLE_CHOICE:
        return [tracking_code, *(int(content["option"] == o) for o in option_ids), int(content["option"] is None)]
    if method in (APPROVAL, BUDGET):
        chosen = set(content["options"])
        return [tracking_code, *(int(o in chosen) for o in option_ids)]
    if method == MAJORITY_JUDGMENT:
        return [tracking_code, *(content["grades"][str(o)] for o in option_ids)]
    raise ValueError(f"unknown method {method!r}")


def write(method, option_ids, ballots):
    """The CSV text for ``ballots``: (tracking_code, content) pairs, in the order given."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header(method, option_ids))
    writer.writerows(row(method, option_ids, code, content) for code, content in ballots)
    return out.getvalue()


def _method_of(columns):
    if columns == ["vote"]:
        return YES_NO
    for method, prefix in COLUMN_PREFIX.items():
        expected = [c for c in columns if c.startswith(prefix)]
        rest = [c for c in columns if not c.startswith(prefix)]
        if expected and rest == (["blank"] if method == SINGLE_CHOICE else []):
            return method
    raise ValueError("the columns do not describe any voting method Civic publishes")


def read(source):
    """(method, option ids, ballots) from a ballots file: its text, or its lines (an open file).

    ``ballots`` yields (tracking_code, content) pairs as the rows are read, so that a file of a
    million ballots is counted without being held in memory; a malformed row raises ValueError
    when it is reached.
    """
    lines = io.StringIO(source) if isinstance(source, str) else source
    rows = (r for r in csv.reader(lines) if r)
    first = next(rows, None)
    if first:
        first[0] = first[0].removeprefix("\ufeff")
    if not first or first[0] != "tracking_code":
        raise ValueError("not a Civic ballots file: the first column must be tracking_code")
    columns = first[1:]
    method = _method_of(columns)
    prefix = COLUMN_PREFIX.get(method, "")
    try:
        option_ids = [int(c[len(prefix):]) for c in columns if prefix and c.startswith(prefix)]
    except ValueError:
        raise ValueError("option columns must end with the option's number") from None

    def ballots():
        for number, values in enumerate(rows, start=2):
            if len(values) != len(first):
                raise ValueError(f"line {number}: {len(values)} values for {len(first)} columns")
            yield values[0], _content(method, option_ids, values[1:], number)

    return method, option_ids, ballots()


def _marks(values, number):
    if not set(values) <= {"0", "1"}:
        raise ValueError(f"line {number}: marks must be 0 or 1")
    return [v == "1" for v in values]


def _content(method, option_ids, values, number):
    if method == YES_NO:
        if values[0] not in VOTES:
            raise ValueError(f"line {number}: the vote must be yes, no or blank")
        return {"vote": values[0]}
    if method == MAJORITY_JUDGMENT:
        if not set(values) <= set(majority_judgment.GRADES):
            raise ValueError(f"line {number}: unknown grade")
        return {"grades": {str(o): g for o, g in zip(option_ids, values)}}
    marks = _marks(values, number)
    chosen = [o for o, marked in zip(option_ids, marks) if marked]
    if method == SINGLE_CHOICE:
        if sum(marks) != 1:
            raise ValueError(f"line {number}: a single-choice ballot has exactly one mark")
        return {"option": chosen[0] if chosen else None}
    return {"options": chosen}


def count(method, option_ids, contents, winners=1):
    """The counting module's result for stored ballot contents (dicts); ``winners``: how many options win
    (single choice and approval)."""
    if method == YES_NO:
        return yes_no.count(c["vote"] for c in contents)
    if method == SINGLE_CHOICE:
        return single_choice.count(option_ids, (c["option"] for c in contents), winners=winners)
    if method in (APPROVAL, BUDGET):
        return approval.count(option_ids, (c["options"] for c in contents), winners=winners)
    if method == MAJORITY_JUDGMENT:
        # Stored and read grades are keyed by the option's number as text: counted so, numbered after.
        counts = majority_judgment.count([str(o) for o in option_ids], (c["grades"] for c in contents))
        return {int(k): v for k, v in counts.items()}
    raise ValueError(f"unknown method {method!r}")


def summarise(method, option_ids, contents, *, budget_total=None, costs=None, rule=None, winners=1):
    """The published "count": plain JSON-able data, the same for the site and for `flask recount`.

    ``contents`` is read once, so it may be a generator over a million ballots. ``winners`` is how
    many options win (single choice, approval, majority judgment; the file does not say it: results.json
    does). For a participatory budget, ``rule`` is "greedy" or "equal_shares" (add-one completion) and
    ``costs`` maps option id to cost. ``winners`` are listed best first; ``tie`` lists the options that
    had as many votes (the same rank) as the last winner when the tie-break left some of them out.
    """
    if method == BUDGET:
        if costs is None or budget_total is None:
            raise ValueError("a participatory budget is recounted from its .pb file, which gives the costs and the "
                             "budget")
        contents = list(contents)  # both rules go through the ballots again
    result = count(method, option_ids, contents, winners=winners)
    if method == YES_NO:
        return {"yes": result.yes, "no": result.no, "blank": result.blank, "outcome": result.outcome}
    if method in (SINGLE_CHOICE, APPROVAL):
        return {"votes": {str(k): v for k, v in result.counts.items()}, "blank": result.blank,
                "winners": list(result.winners), "tie": list(result.tie)}
    if method == MAJORITY_JUDGMENT:
        ranks, chosen, tie = majority_judgment.best(result, winners)
        return {
            "grades": {str(k): list(v) for k, v in result.items()},
            "majority_grade": {str(k): majority_judgment.GRADES[majority_judgment.majority_grade(v)] if sum(v) else None
                               for k, v in result.items()},
            "rank": {str(k): v for k, v in ranks.items()},
            "winners": list(chosen), "tie": list(tie),
        }
    instance = budget.Instance(budget=budget_total, projects=[budget.Project(o, costs[o]) for o in option_ids])
    # A blank ballot is counted in the turnout and as blank, and takes no part in choosing the projects (as blank
    # votes take no part in a yes / no majority): with equal shares it holds no share of the budget. So the .pb,
    # whose format has no empty vote, lists exactly the voters who chose, and a recount of it agrees.
    approvals = [frozenset(c["options"]) for c in contents if c["options"]]
    if rule == "equal_shares":
        selected = budget.equal_shares(instance, approvals, completion="add1")
    elif rule == "greedy":
        selected = budget.greedy(instance, approvals)
    else:
        raise ValueError(f"unknown budget rule {rule!r}")
    return {"votes": {str(k): v for k, v in result.counts.items()}, "blank": result.blank,
            "winners": list(selected), "spent": sum(costs[o] for o in selected), "budget": budget_total}


def recount(source, winners=1):
    """(method, count) recounted from a ballots file (its text or its lines), ``winners`` options winning (as
    results.json says); a budget's CSV is refused (no costs in it)."""
    method, option_ids, ballots = read(source)
    if method == BUDGET:
        raise ValueError("a participatory budget is recounted from its .pb file, which gives the costs and the budget")
    return method, summarise(method, option_ids, (content for _code, content in ballots), winners=winners)
