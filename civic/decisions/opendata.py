"""Open data for a published decision: results CSV and a Frictionless Data Package, written once at
publication (services.publish_results) from the results and the stored files' SHA-256."""
import csv
import io
from pathlib import Path

from ..links import public_url
from ..opendata.package import LICENCE
from ..voting.ballot_file import COLUMN_PREFIX
from ..voting.majority_judgment import GRADES
from .files import BALLOTS_CSV, BALLOTS_PB, RESULTS_CSV, RESULTS_JSON
from .models import Method

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


def _cell(value):
    """Labels are typed by officials: one starting like a formula would run in a spreadsheet."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def results_csv(decision, results):
    """UTF-8 with a byte order mark, so that spreadsheet software reads the accents right."""
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out, lineterminator="\n").writerows([[_cell(v) for v in row] for row in result_rows(decision, results)])
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
