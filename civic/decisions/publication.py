"""Counting a closed vote and writing its open data: one pass over its ballots, however many.

``services.count_preview`` and ``services.publish_results`` hold the decision locked and call
these. The ballots are read a batch at a time; each distinct stored content is decoded once
(a million ballots of a vote with a few options have a few thousand distinct contents); each
ballot is counted as it goes by (the counting modules read their ballots once) and, when
publishing, written to the ballots files, which are stored a chunk at a time while hashed.
Memory is a batch of rows, the contents decoded (at most DECODED_LIMIT kept) and a chunk per
file; a participatory budget also keeps its approvals, which its rules need all at once.
"""
import csv
import io
import json
from contextlib import contextmanager

from sqlalchemy import Column, MetaData, String, Table, Text, cast, delete, func, insert, literal, select, text

from .. import identity
from ..extensions import db
from ..timezones import utc_to_paris
from ..voting import ballot_file, pabulib
from . import ballots as codec
from . import opendata
from .files import BALLOTS_CSV, BALLOTS_PB, DATAPACKAGE, RESULTS_CSV, RESULTS_JSON, FileWriter, store
from .models import RANKING_METHODS, Ballot, BudgetRule, Method

BATCH = 10_000
DECODED_LIMIT = 100_000
SQLITE_CACHE_KIB = 128 * 1024
POSTGRESQL_WORK_MEM = "256MB"

# The ballots of the decision being published, between their deletion and their new insertion; no index:
# they are sorted once, as they go back.
_SHUFFLE = Table("publication_shuffle", MetaData(), Column("id", String(32)), Column("tracking_code", String(16)),
                 Column("content", Text), prefixes=["TEMPORARY"])


@contextmanager
def bulk_settings():
    """The database's settings for rewriting and reading a million ballots, while the block runs.

    PostgreSQL sorts them by their new keys in memory rather than in temporary files (the server's
    memory, for this transaction only). SQLite gets a larger page cache for this connection: the
    rewrite goes through three B-trees, and with the default 2 MB half of the CPU time goes to
    reading and writing the same pages again (measured); it is given back after, which frees it."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL work_mem = '{POSTGRESQL_WORK_MEM}'"))
        yield
        return
    connection = db.session.connection()
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _random_key():
    """128 random bits as 32 hexadecimal digits, drawn by the database (see shuffle_ballots)."""
    if db.engine.dialect.name == "postgresql":
        return func.replace(cast(func.gen_random_uuid(), String), "-", "")
    return func.lower(func.hex(func.randomblob(16)))


def shuffle_ballots(decision):
    """Delete and insert again every ballot of the decision, in the order of new random keys, which
    become their ids; returns how many. Three statements, whatever the number of ballots.

    After this no row's transaction (PostgreSQL's xmin), position (ctid, SQLite's pages) or id
    says anything about when it was cast: all were written by this transaction, in an order that
    depends on nothing but the keys, which are drawn after every ballot was cast. The keys must
    only be unforeseeable and independent of the ballots: PostgreSQL's gen_random_uuid() takes
    122 bits from pg_strong_random (OpenSSL, or the kernel's generator); SQLite's randomblob()
    comes from its ChaCha20 generator (SQLite 3.40 and later; RC4 before), seeded from the
    operating system's entropy. Nobody learns the order before publication, and after it the
    order is public anyway (the ballots file is read in it: see write_open_data).
    """
    connection = db.session.connection()
    _SHUFFLE.create(connection)
    db.session.execute(insert(_SHUFFLE).from_select(
        ["id", "tracking_code", "content"],
        select(_random_key(), Ballot.tracking_code, Ballot.content).where(Ballot.decision_id == decision.id)))
    db.session.execute(delete(Ballot).where(Ballot.decision_id == decision.id),
                       execution_options={"synchronize_session": False})
    inserted = db.session.execute(insert(Ballot).from_select(
        ["id", "decision_id", "tracking_code", "content"],
        select(_SHUFFLE.c.id, literal(decision.id), _SHUFFLE.c.tracking_code, _SHUFFLE.c.content)
        .order_by(_SHUFFLE.c.id)), execution_options={"preserve_rowcount": True}).rowcount
    _SHUFFLE.drop(connection)
    return inserted


def _csv_line(cells):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


class _Pass:
    """The decision's ballots as contents, for the counting module, written to ``ballots_csv`` and
    ``ballots_pb`` (FileWriters, or None) as they are read; ``ballots`` says how many went by."""

    def __init__(self, decision, ballots_csv=None, ballots_pb=None):
        self.decision, self.ballots_csv, self.ballots_pb = decision, ballots_csv, ballots_pb
        self.method, self.option_ids = decision.method.value, [o.id for o in decision.options]
        self.ballots = 0
        self._decoded = {}

    def _decode(self, text):
        """(content, CSV cells, .pb vote) of a stored content; tracking codes are letters and digits
        (civic.codes), so a row is its code followed by these, which hold any quoting."""
        known = self._decoded.get(text)
        if known is None:
            content = codec.loads(text)
            cells = _csv_line(ballot_file.row(self.method, self.option_ids, "", content))
            vote = pabulib.line(["", ",".join(map(str, content["options"]))]) if self.ballots_pb else None
            known = (content, cells, vote)
            if len(self._decoded) < DECODED_LIMIT:
                self._decoded[text] = known
        return known

    def __iter__(self):
        ballot = Ballot.__table__
        statement = select(ballot.c.tracking_code, ballot.c.content).where(ballot.c.decision_id == self.decision.id)
        if self.ballots_csv is not None:
            statement = statement.order_by(ballot.c.id)  # the random order shuffle_ballots has just given
        # Plain rows on the session's connection: the ORM's loading would cost more than the rest of the pass.
        for code, text in db.session.connection().execute(statement.execution_options(yield_per=BATCH)):
            content, cells, vote = self._decode(text)
            if self.ballots_csv is not None:
                self.ballots_csv.write(code + cells)
            if self.ballots_pb is not None and content["options"]:  # the format has no empty vote (_pb_header)
                self.ballots_pb.write(code + vote)
            self.ballots += 1
            yield content


def _moment(value):
    return value.isoformat() if value is not None else None


def results_data(decision, count, ballots, eligible, by_channel):
    """The results as published (results.json) and previewed: plain JSON-able data, which says everything a
    recount needs (schemas/results.schema.json describes each key): the method and its parameters, the
    tie-break, the dates, the number of winners and the electorate (``eligible``, frozen at the closing)."""
    method = decision.method
    return {
        "decision_id": decision.id,
        "title": decision.title,
        "method": method.value,
        "budget_rule": decision.budget_rule.value if decision.budget_rule else None,
        "number_of_winners": decision.number_of_winners if method in RANKING_METHODS else None,
        "max_choices": decision.max_choices,
        "budget": decision.budget,
        "voter_cost_limit": decision.voter_cost_limit,
        "tie_break": ballot_file.tie_break(method.value, decision.budget_rule.value if decision.budget_rule else None),
        "opens_at": _moment(decision.opens_at),
        "closes_at": _moment(decision.closes_at),
        "published_at": _moment(decision.published_at),
        "options": [{"id": o.id, "label": o.label, "cost": o.cost} for o in decision.options],
        "ballots": ballots,
        "eligible": eligible,
        "count": count,
        "by_channel": by_channel,
    }


def count_results(decision, eligible, by_channel):
    """The results, counted from the ballots in the database."""
    ballots = _Pass(decision)
    count = codec.summarise(decision, ballots)
    return results_data(decision, count, ballots.ballots, eligible, by_channel)


def _pb_date(value):
    return utc_to_paris(value).strftime("%d.%m.%Y")


def _pb_header(decision, ballots, count, eligible):
    """The .pb file of a participatory budget without its votes (written one by one after it), its META
    fields in the order pabulib-checker wants, its projects with their votes and whether they were funded.
    What the format has no field for (the tie-break, the exact dates, the electorate) is in the numbered
    comment that the format allows."""
    rule = "greedy" if decision.budget_rule is BudgetRule.GREEDY else "equalshares/add1"
    comments = [
        f"Civic decision {decision.id}, counted by Civic's rule {decision.budget_rule.value}.",
        f"Ties: {ballot_file.tie_break(Method.BUDGET.value, decision.budget_rule.value)}.",
        f"Voting opened {_moment(decision.opens_at)} and closed {_moment(decision.closes_at)} (UTC); results "
        f"published {_moment(decision.published_at)}.",
        f"Electorate: {eligible if eligible is not None else 'unknown'} accounts could vote when it closed; "
        f"{ballots} voted, {count['blank']} of them blank: a blank ballot approves nothing, takes no part in the "
        "choice and is not listed in VOTES.",
    ]
    pb = pabulib.PbFile.from_instance(codec.budget_instance(decision), [], meta={
        "description": decision.title, "country": "France", "unit": identity.current().name,
        "instance": str(decision.id), "num_projects": str(len(decision.options)),
        "num_votes": str(ballots - count["blank"]),
        "budget": str(decision.budget), "vote_type": "approval", "rule": rule,
        "date_begin": _pb_date(decision.opens_at), "date_end": _pb_date(decision.closes_at),
        **({"max_sum_cost": str(decision.voter_cost_limit)} if decision.voter_cost_limit else {}),
        "language": "fr", "currency": "EUR",
        "comment": " ".join(f"#{n}: {text}" for n, text in enumerate(comments, 1)),
    })
    funded = {str(w) for w in count["winners"]}
    for option in decision.options:
        pid = str(option.id)
        pb.projects[pid].update(votes=str(count["votes"][pid]), name=option.label, selected=str(int(pid in funded)))
    pb.project_fields = ("project_id", "cost", "votes", "name", "selected")
    return "".join(pabulib.lines(pb))


def write_open_data(decision, ballots, eligible, by_channel, code_version):
    """Count the ``ballots`` ballots (in storage order, which shuffle_ballots made random) while
    writing them to the ballots files, then store the results and what describes them; returns
    (results, {name: PublishedFile})."""
    header = ballot_file.header(decision.method.value, [o.id for o in decision.options])
    ballots_csv = FileWriter(decision.id, BALLOTS_CSV)
    ballots_csv.write(_csv_line(header))
    ballots_pb = None
    if decision.method is Method.BUDGET:
        # The .pb gives each project's votes and whether it was funded before its votes: counted first, in a
        # pass of its own (the count below must agree with it).
        first = codec.summarise(decision, _Pass(decision))
        ballots_pb = FileWriter(decision.id, BALLOTS_PB)
        ballots_pb.write(_pb_header(decision, ballots, first, eligible))
    read = _Pass(decision, ballots_csv, ballots_pb)
    count = codec.summarise(decision, read)
    if ballots_pb is not None and count != first:
        raise RuntimeError("two counts of the same ballots differ: the decision was not locked")
    if read.ballots != ballots:
        raise RuntimeError(f"{read.ballots} ballots read for {ballots} written: the decision was not locked")
    files = {BALLOTS_CSV: ballots_csv.close()}
    if ballots_pb is not None:
        files[BALLOTS_PB] = ballots_pb.close()
    results = results_data(decision, count, ballots, eligible, by_channel)
    files[RESULTS_JSON] = store(decision.id, RESULTS_JSON, json.dumps(results, sort_keys=True, ensure_ascii=False))
    write_descriptions(decision, results, code_version, files)
    return results, files


def write_descriptions(decision, results, code_version, files):
    """Store the results CSV and datapackage.json, which describe the files already in ``files``."""
    files[RESULTS_CSV] = store(decision.id, RESULTS_CSV, opendata.results_csv(decision, results))
    header = ballot_file.header(decision.method.value, [o.id for o in decision.options])
    package = opendata.datapackage(decision, results, code_version, files, header)
    files[DATAPACKAGE] = store(decision.id, DATAPACKAGE, json.dumps(package, indent=2, ensure_ascii=False))
