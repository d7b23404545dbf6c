"""Read and write the Pabulib ``.pb`` format (https://pabulib.org/format).

A ``.pb`` file has three sections, each introduced by a line holding only
its name (META, PROJECTS, VOTES) followed by a header line and rows, all
separated by ``;``. META rows are ``key;value`` (``budget``, ``vote_type``:
approval, cumulative, ordinal or scoring, ``rule``, ``max_sum_cost``,
``max_length``...). PROJECTS rows start with ``project_id;cost``, VOTES rows
with ``voter_id``; ``vote`` lists the chosen project ids separated by commas
and, for cumulative or scoring ballots, ``points`` gives the points in the
same order.

Every field is kept exactly as written (a string), so that writing a file
that was read gives the same data back; the helpers ``instance()``,
``approvals()`` and ``points()`` turn them into exact numbers (int, or
Decimal when written with a decimal point) and ballots. Real files' quirks are
handled: byte-order mark, Windows or old Mac line endings, quoted fields
(which may contain ``;`` or commas), trailing ``;`` and blank lines.
"""
import csv
import io
import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from .budget import Instance, Project

SECTIONS = ("META", "PROJECTS", "VOTES")


def number(text):
    """An exact number from its written form: int, or Decimal ("12.50", "1e3")."""
    text = str(text).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite number: {text!r}")
    return value


def format_number(value):
    """Write an exact number (int, Decimal, or a Fraction with a finite decimal form)."""
    if isinstance(value, Fraction):
        # A finite decimal needs a denominator 2**a * 5**b, and then max(a, b) places.
        rest, twos, fives = value.denominator, 0, 0
        while rest % 2 == 0:
            rest, twos = rest // 2, twos + 1
        while rest % 5 == 0:
            rest, fives = rest // 5, fives + 1
        if rest != 1:
            raise ValueError(f"{value} has no finite decimal form")
        places = max(twos, fives)
        value = Decimal(f"{value.numerator * 10**places // value.denominator}E-{places}")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"not an exact number: {value!r}")


def _ids(text):
    return [part.strip() for part in text.split(",") if part.strip()]


@dataclass
class PbFile:
    meta: dict = field(default_factory=dict)  # key -> value (strings)
    projects: dict = field(default_factory=dict)  # project_id -> {field: string}, in file order
    votes: list = field(default_factory=list)  # one {field: string} per voter
    project_fields: tuple = ("project_id", "cost")
    vote_fields: tuple = ("voter_id", "vote")

    def instance(self):
        """The budget and projects, with exact costs, in file order."""
        return Instance(
            budget=number(self.meta["budget"]),
            projects=[Project(pid, number(row["cost"])) for pid, row in self.projects.items()],
        )

    def approvals(self):
        """Each voter's chosen projects as a frozenset of project ids."""
        return [frozenset(_ids(v.get("vote", ""))) for v in self.votes]

    def points(self):
        """Each voter's {project id: points}; a vote without ``points`` gives 1 per project."""
        ballots = []
        for v in self.votes:
            ids, points = _ids(v.get("vote", "")), v.get("points", "")
            values = [number(p) for p in _ids(points)] if points.strip() else [1] * len(ids)
            if len(values) != len(ids):
                raise ValueError(f"voter {v.get('voter_id')!r}: vote and points differ in length")
            ballot = {}
            for pid, value in zip(ids, values):
                ballot[pid] = ballot.get(pid, 0) + value
            ballots.append(ballot)
        return ballots

    @classmethod
    def from_instance(cls, instance, ballots, meta=None):
        """A file for `instance`; ballots are sets (approval) or {id: points} (cumulative)."""
        # The keys in the order given (pabulib-checker wants its order), the budget where it is given.
        meta = dict(meta or {})
        meta.setdefault("budget", format_number(Fraction(instance.budget)))
        points = any(isinstance(b, dict) for b in ballots)
        meta.setdefault("vote_type", "cumulative" if points else "approval")
        meta.setdefault("num_projects", str(len(instance.projects)))
        meta.setdefault("num_votes", str(len(ballots)))
        projects = {
            str(p.id): {"project_id": str(p.id), "cost": format_number(Fraction(p.cost))}
            for p in instance.projects
        }
        votes = []
        for i, ballot in enumerate(ballots, 1):
            row = {"voter_id": str(i), "vote": ",".join(str(p) for p in ballot)}
            if points:
                row["points"] = ",".join(format_number(Fraction(v)) for v in ballot.values())
            votes.append(row)
        fields = ("voter_id", "vote", "points") if points else ("voter_id", "vote")
        return cls(meta, projects, votes, ("project_id", "cost"), fields)


def _text(path_or_text):
    if isinstance(path_or_text, bytes):
        return path_or_text.decode("utf-8-sig")
    if isinstance(path_or_text, os.PathLike) or not any(c in path_or_text for c in "\r\n"):
        # A path; a file's text always has several lines.
        with open(path_or_text, encoding="utf-8-sig", newline="") as f:
            return f.read()
    return path_or_text.removeprefix("\ufeff")


def read(path_or_text):
    """Parse a ``.pb`` file given as a path, as its text, or as bytes (UTF-8)."""
    pb, section, header = PbFile(), None, None
    for row in csv.reader(io.StringIO(_text(path_or_text), newline=""), delimiter=";"):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        name = row[0].strip()
        if name in SECTIONS and not any(cell.strip() for cell in row[1:]):
            section, header = name, None
            continue
        if section is None:
            raise ValueError(f"data before the first section: {row!r}")
        while row and row[-1] == "" and len(row) > (len(header) if header else 0):
            row.pop()  # trailing ";"
        if header is None:
            header = [cell.strip() for cell in row]
            if section == "PROJECTS":
                pb.project_fields = tuple(header)
            elif section == "VOTES":
                pb.vote_fields = tuple(header)
            continue
        if len(row) > len(header):
            raise ValueError(f"{section}: more fields than the header in {row!r}")
        values = dict(zip(header, row + [""] * (len(header) - len(row))))
        if section == "META":
            pb.meta[row[0].strip()] = values.get("value", "")
        elif section == "PROJECTS":
            pid = values["project_id"].strip()
            if pid in pb.projects:
                raise ValueError(f"duplicate project_id {pid!r}")
            pb.projects[pid] = values
        else:
            pb.votes.append(values)
    return pb


def line(cells):
    """One line of a .pb file, from its cells (strings)."""
    out = io.StringIO()
    # csv quotes fields holding the line terminator ("\n") but not a lone "\r".
    quoting = csv.QUOTE_ALL if any("\r" in c for c in cells) else csv.QUOTE_MINIMAL
    csv.writer(out, delimiter=";", lineterminator="\n", quoting=quoting).writerow(cells)
    return out.getvalue()


def lines(pb, votes=None):
    """The lines of `pb`'s file, each ending with ``\\n``; the votes are ``votes`` when given (any
    iterable of {field: string}, read once: a million votes are written without being held)."""
    yield line(["META"])
    yield line(["key", "value"])
    for item in pb.meta.items():
        yield line(item)
    for name, fields, rows in (
        ("PROJECTS", pb.project_fields, pb.projects.values()),
        ("VOTES", pb.vote_fields, pb.votes if votes is None else votes),
    ):
        yield line([name])
        yield line(fields)
        for row in rows:
            yield line([row.get(f, "") for f in fields])


def write(pb):
    """The text of a ``.pb`` file (``\\n`` line endings) that ``read`` gives back as `pb`."""
    return "".join(lines(pb))
