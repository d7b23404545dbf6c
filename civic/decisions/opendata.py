"""Open data of the decisions.

For each published decision: its results CSV and a Frictionless Data Package, written once at publication
(services.publish_results) from the results and the stored files' SHA-256.

For all of them, the site's datasets (civic.opendata): the decisions residents see, their options and districts,
and for the published ones their results and ballots in long format (one row per decision, option and measure;
per ballot and option), so that the files of votes of any method stack under one schema.
"""
import csv
import io
import json
from pathlib import Path

from flask_babel import lazy_gettext as _l, lazy_pgettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db_types import utcnow
from ..extensions import db
from ..links import public_url
from ..opendata.datasets import Dataset, register
from ..opendata.files import csv_cell
from ..opendata.package import LICENCE
from ..proposals.models import Proposal
from ..voting import ballot_file
from ..voting.ballot_file import COLUMN_PREFIX
from ..voting.majority_judgment import GRADES
from . import ballots as codec
from .files import BALLOTS_CSV, BALLOTS_PB, RESULTS_CSV, RESULTS_JSON, read_texts
from .models import (ANNOUNCED, RANKING_METHODS, RESULTS_PUBLISHED, Ballot, Decision, Method, Option,
                     decision_district)

# The JSON Schema of results.json, kept in the repository (schemas/) and served as it is there.
RESULTS_SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "results.schema.json"


def result_rows(decision, data):
    """One row per option (or per answer for yes / no): what the results CSV holds."""
    count = data["count"]
    if decision.method is Method.YES_NO:
        return [["answer", "votes"]] + [[k, count[k]] for k in ("yes", "no", "blank")]
    labels = {str(o["id"]): o["label"] for o in data["options"]}
    if decision.method is Method.MAJORITY_JUDGMENT:
        header = ["option_id", "label", "rank", "majority_grade", *GRADES]
        return [header] + [[k, labels[k], count["rank"][k], count["majority_grade"][k] or "", *count["grades"][k]]
                           for k in labels]
    winners = {str(w) for w in count["winners"]}
    header = ["option_id", "label", "votes", "winner"]
    if decision.method is Method.BUDGET:
        costs = {str(o["id"]): o["cost"] for o in data["options"]}
        return [header + ["cost"]] + [[k, labels[k], count["votes"][k], int(k in winners), costs[k]] for k in labels]
    return [header] + [[k, labels[k], count["votes"][k], int(k in winners)] for k in labels]


def results_csv(decision, results):
    """UTF-8 with a byte order mark, so that spreadsheet software reads the accents right; labels are typed by
    officials, so a cell is quoted when a spreadsheet would run it as a formula."""
    out = io.StringIO()
    out.write("\ufeff")
    rows = [[csv_cell(v) for v in row] for row in result_rows(decision, results)]
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _hash(file):
    return "sha256:" + file.sha256


def _csv_schema(header, integer_columns=(), enums=None, titles=None):
    fields = []
    for name in header:
        field = {"name": name, "type": "integer" if name in integer_columns else "string"}
        if titles and name in titles:
            field["title"] = titles[name]
        if enums and name in enums:
            field["constraints"] = {"enum": enums[name]}
        fields.append(field)
    return {"fields": fields}


# What results.json says about how the vote was counted and by whom, repeated in the data package's x_civic
# under the same keys: one name for one number in every file (the electorate is results.json's "eligible", which
# the results already published use and a recount reads).
STATEMENT = ("method", "budget_rule", "number_of_winners", "max_choices", "budget", "voter_cost_limit", "tie_break",
             "opens_at", "closes_at", "published_at", "eligible", "ballots")


def _results_description(decision, results):
    # Results of the first publications lack the number of winners and the tie-break (written on demand for them,
    # services.published_file): what they do not state is left unsaid; the budget and rule are the decision's.
    tie_break = results.get("tie_break")
    if decision.method is Method.YES_NO:
        return "One row per answer (yes, no, blank) and its number of votes."
    if decision.method is Method.BUDGET:
        return (f"One row per project: its approvals, its cost, and winner=1 when funded by the "
                f"{decision.budget_rule.value} rule within the budget of {decision.budget} EUR"
                + (f"; ties: {tie_break}." if tie_break else "."))
    ranking = "rank (1 = best) and majority grade" if decision.method is Method.MAJORITY_JUDGMENT else "votes"
    winners = results.get("number_of_winners")
    chosen = f"the {winners} best win (results.json's count.winners)" if winners else "results.json's count.winners win"
    return f"One row per option, its {ranking}; {chosen}" + (f"; tie-break: {tie_break}." if tie_break else ".")


def datapackage(decision, results, code_version, files, ballots_header):
    """The Data Package of the stored ``files`` ({name: PublishedFile}, ``RESULTS_CSV`` included)."""
    prefix = COLUMN_PREFIX.get(decision.method.value)
    option_columns = [c for c in ballots_header if (prefix and c.startswith(prefix)) or c == "blank"]
    enums = {"vote": ["yes", "no", "blank"]}
    if decision.method is Method.MAJORITY_JUDGMENT:
        enums.update({c: list(GRADES) for c in option_columns})
        integer_columns = ()
    else:
        integer_columns = option_columns
    results_header = result_rows(decision, results)[0]
    resources = [
        {
            "name": "ballots", "path": public_url("decisions.ballots_csv", decision_id=decision.id),
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "hash": _hash(files[BALLOTS_CSV]),
            "description": ("Anonymised ballots in random order; tracking_code lets each voter find theirs. "
                            "The column names say the method: see civic/voting/ballot_file.py."),
            # The columns keep the options' numbers, which the recount reads; their titles name the options.
            "schema": _csv_schema(ballots_header, integer_columns, enums,
                                  {f"{prefix}{o['id']}": o["label"] for o in results["options"]} if prefix else None),
        },
        {
            "name": "results", "path": public_url("decisions.results_csv_file", decision_id=decision.id),
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "hash": _hash(files[RESULTS_CSV]),
            "description": _results_description(decision, results),
            "schema": _csv_schema(results_header, {"votes", "winner", "cost", "rank", *GRADES}),
        },
        {
            "name": "results-json", "path": public_url("decisions.results_json", decision_id=decision.id),
            "format": "json", "mediatype": "application/json", "hash": _hash(files[RESULTS_JSON]),
            "description": ("The count, with everything a recount needs: method, parameters, number of winners, "
                            "tie-break, dates and electorate (eligible: the accounts that could vote when it closed)."),
            "x_json_schema": public_url("decisions.results_schema"),
        },
    ]
    if BALLOTS_PB in files:
        resources.append({
            "name": "ballots-pabulib", "path": public_url("decisions.ballots_pb", decision_id=decision.id),
            "format": "pb", "mediatype": "text/plain", "encoding": "utf-8", "hash": _hash(files[BALLOTS_PB]),
            "description": "The same ballots in the Pabulib format (https://pabulib.org/format).",
        })
    return {
        "name": f"civic-decision-{decision.id}",
        "title": decision.title,
        "description": decision.question,
        "licenses": [LICENCE],
        "created": decision.published_at.isoformat(),
        "keywords": ["participation", "vote", decision.method.value],
        "sources": [{"title": "Civic", "path": public_url("decisions.results", decision_id=decision.id)}],
        # Results published before results.json stated it all lack some keys: None then.
        "x_civic": {**{key: results.get(key) for key in STATEMENT}, "method": decision.method.value,
                    "budget_rule": decision.budget_rule.value if decision.budget_rule else None,
                    "code_version": code_version, "ballots_sha256": files[BALLOTS_CSV].sha256},
        "resources": resources,
    }


# The site's datasets.

def _results(decision_ids):
    """{decision id: its published results.json, parsed}: one query for a batch."""
    return {decision_id: json.loads(text) for decision_id, text in read_texts(decision_ids, RESULTS_JSON).items()}


def _turnout(results):
    if not results or not results.get("eligible"):
        return None
    return round(results["ballots"] / results["eligible"], 4)


def _decision_rows(decisions):
    published = _results(d.id for d in decisions if d.published_at is not None)
    now = utcnow()
    rows = []
    for d in decisions:
        results = published.get(d.id)
        rows.append({
            "id": d.id, "title": d.title, "question": d.question, "description": d.description or None,
            "method": d.method.value, "budget_rule": d.budget_rule.value if d.budget_rule else None,
            "number_of_winners": d.number_of_winners if d.method in RANKING_METHODS else None,
            "max_choices": d.max_choices, "budget": d.budget, "voter_cost_limit": d.voter_cost_limit,
            "tie_break": ballot_file.tie_break(d.method.value, d.budget_rule.value if d.budget_rule else None),
            "state": d.state_at(now).value,
            "opens_at": d.opens_at, "closes_at": d.closes_at, "published_at": d.published_at,
            # What the publication stated: the electorate frozen when the vote closed, and the ballots cast.
            "electorate": results.get("eligible") if results else None,
            "ballots": results["ballots"] if results else None, "turnout": _turnout(results),
        })
    return rows


def _option_rows(options):
    """A row per option: the API pages them one option per object, as the file lists them."""
    decisions = {d.id: d for d in db.session.execute(
        select(Decision).where(Decision.id.in_({o.decision_id for o in options}))
        .options(selectinload(Decision.options))).scalars()}
    published = _results(d.id for d in decisions.values() if d.published_at is not None)
    # An option made from a proposal names it while anybody may read it (as the decision's page links it).
    readable = set(db.session.execute(select(Proposal.id).where(
        Proposal.id.in_({o.proposal_id for o in options if o.proposal_id}), Proposal.readable_by_anyone)).scalars())
    rows = []
    for o in options:
        d = decisions[o.decision_id]
        winners = set(published[d.id]["count"].get("winners", ())) if d.id in published else None
        rows.append({"id": o.id, "decision_id": d.id, "position": d.options.index(o) + 1, "label": o.label,
                     "description": o.description or None, "cost": o.cost,
                     "proposal_id": o.proposal_id if o.proposal_id in readable else None,
                     "winner": None if winners is None else o.id in winners})
    return rows


def _district_rows(decisions):
    pairs = db.session.execute(select(decision_district.c.decision_id, decision_district.c.district_id)
                               .where(decision_district.c.decision_id.in_([d.id for d in decisions]))
                               .order_by(decision_district.c.decision_id, decision_district.c.district_id))
    return [{"decision_id": decision_id, "district_id": district_id} for decision_id, district_id in pairs]


def _measures(method, count):
    """(option id or None, measure, value) of a published count, whatever its method."""
    if method == Method.YES_NO.value:
        return [(None, answer, count[answer]) for answer in ballot_file.VOTES]
    if method == Method.MAJORITY_JUDGMENT.value:
        measures = []
        for option, grades in count["grades"].items():
            measures.append((int(option), "rank", count["rank"][option]))
            measures += [(int(option), f"grade_{grade}", n) for grade, n in zip(GRADES, grades)]
            if count["majority_grade"][option] is not None:
                measures.append((int(option), "majority_grade", GRADES.index(count["majority_grade"][option])))
        return measures
    measures = [(int(option), "votes", n) for option, n in count["votes"].items()]
    measures.append((None, "blank", count["blank"]))
    if "spent" in count:
        measures.append((None, "spent", count["spent"]))
    return measures


def _result_rows(decisions):
    published = _results(d.id for d in decisions)
    return [{"decision_id": d.id, "option_id": option, "measure": measure, "value": value}
            for d in decisions for option, measure, value in _measures(d.method.value, published[d.id]["count"])]


def _ballot_marks(method, content):
    """(option id or None, value) of a stored ballot, in long format: the same columns for every method."""
    if method is Method.YES_NO:
        return [(None, content["vote"])]
    if method is Method.SINGLE_CHOICE:
        return [(content["option"], "chosen") if content["option"] is not None else (None, "blank")]
    if method is Method.MAJORITY_JUDGMENT:
        return sorted((int(option), grade) for option, grade in content["grades"].items())
    return [(option, "chosen") for option in sorted(content["options"])] or [(None, "blank")]


def _ballot_rows(ballots):
    methods = dict(db.session.execute(select(Decision.id, Decision.method)
                                      .where(Decision.id.in_({b.decision_id for b in ballots}))).all())
    return [{"decision_id": b.decision_id, "ballot": b.tracking_code, "option_id": option, "value": value}
            for b in ballots for option, value in _ballot_marks(methods[b.decision_id], codec.loads(b.content))]


def _announced():
    return select(Decision).where(ANNOUNCED)


def _published():
    return select(Decision).where(RESULTS_PUBLISHED)


register(Dataset(
    name="decisions", title=lazy_pgettext("open dataset", "Votes"),
    description=_l("The votes residents were called to: question, counting method and its parameters, dates, "
                   "and once the results are published, the electorate, the ballots cast and the turnout."),
    query=_announced, key=Decision.id, serialise=_decision_rows, order=50))
register(Dataset(
    name="decision_options", title=_l("Options of the votes"),
    description=_l("The options (projects for a participatory budget) of each vote, and which won once published."),
    query=lambda: select(Option).join(Decision, Decision.id == Option.decision_id).where(ANNOUNCED), key=Option.id,
    serialise=_option_rows, order=55))
register(Dataset(
    name="decision_districts", title=_l("Districts of the votes"),
    description=_l("The districts a vote is limited to; a vote without any is open to every resident."),
    query=_announced, key=Decision.id, serialise=_district_rows, api=False, order=57))
register(Dataset(
    name="decision_results", title=_l("Results of the votes"),
    description=_l("The published results, one row per vote, option and measure: the same columns for every "
                   "counting method, so that the results of several votes stack."),
    query=_published, key=Decision.id, serialise=_result_rows, api=False, order=60))
register(Dataset(
    name="decision_ballots", title=_l("Anonymised ballots"),
    description=_l("Every ballot of the published votes, one row per ballot and option marked, under its "
                   "tracking code: anybody can recount, and each voter can find their ballot."),
    query=lambda: select(Ballot).join(Decision, Decision.id == Ballot.decision_id).where(RESULTS_PUBLISHED),
    key=Ballot.id, serialise=_ballot_rows, api=False, order=65))
