"""Pabulib reader and writer on small hand-written files with the real files' quirks."""
from decimal import Decimal
from fractions import Fraction

import pytest

from civic.voting import pabulib
from civic.voting.budget import Instance, Project
from civic.voting.recount import completion_of, recount_pb

QUIRKY = (
    "\ufeffMETA\r\n"
    "key;value\r\n"
    "description;\"Budget participatif; quartier \"\"Nord\"\"\"\r\n"
    "budget;1000.50\r\n"
    "vote_type;approval\r\n"
    "rule;greedy\r\n"
    "PROJECTS\r\n"
    "project_id;cost;votes;name;selected;\r\n"
    "1;500.25;2;\"Bancs, tables et ombrage\";1;\r\n"
    "2;600;1;Jardin;0\r\n"
    "3;500.25;1;Fontaine;1;\r\n"
    "\r\n"
    "VOTES\r\n"
    "voter_id;vote\r\n"
    "a;1,2\r\n"
    "b;\"1, 3\";\r\n"
    "c;\r\n"
)


def test_reads_quirks():
    pb = pabulib.read(QUIRKY)
    assert pb.meta["description"] == 'Budget participatif; quartier "Nord"'
    assert pb.meta["budget"] == "1000.50"
    assert list(pb.projects) == ["1", "2", "3"]
    assert pb.project_fields == ("project_id", "cost", "votes", "name", "selected")
    assert pb.projects["1"]["name"] == "Bancs, tables et ombrage"
    assert pb.projects["2"]["selected"] == "0"
    assert [v["voter_id"] for v in pb.votes] == ["a", "b", "c"]
    assert pb.approvals() == [{"1", "2"}, {"1", "3"}, set()]
    inst = pb.instance()
    assert inst.budget == Decimal("1000.50")
    assert inst.projects[0] == Project("1", Decimal("500.25"))
    assert isinstance(inst.projects[1].cost, int)
    assert recount_pb(QUIRKY) == ("1", "3")  # 1000.50 exactly: no float rounding


def test_reads_bytes_and_old_mac_line_endings():
    text = QUIRKY.replace("\r\n", "\r")
    assert pabulib.read(text) == pabulib.read(QUIRKY)
    assert pabulib.read(QUIRKY.encode("utf-8")) == pabulib.read(QUIRKY)


def test_round_trip():
    pb = pabulib.read(QUIRKY)
    text = pabulib.write(pb)
    assert pabulib.read(text) == pb
    assert pabulib.write(pabulib.read(text)) == text


def test_points():
    text = (
        "META\nkey;value\nbudget;10\nvote_type;cumulative\nrule;greedy\n"
        "PROJECTS\nproject_id;cost\nx;4\ny;5\n"
        "VOTES\nvoter_id;vote;points\n1;x,y;2,1\n2;y;3\n3;;\n"
    )
    pb = pabulib.read(text)
    assert pb.points() == [{"x": 2, "y": 1}, {"y": 3}, {}]
    assert recount_pb(text) == ("y", "x")


def test_errors():
    with pytest.raises(ValueError):
        pabulib.read("budget;10\n")  # no section
    with pytest.raises(ValueError):
        pabulib.read("META\nkey;value\nPROJECTS\nproject_id;cost\n1;2\n1;3\n")  # duplicate id
    with pytest.raises(ValueError):
        pabulib.read("META\nkey;value\nPROJECTS\nproject_id;cost\n1;2;3\n")  # extra field
    with pytest.raises(ValueError):
        pabulib.number("12,5")


def test_numbers():
    assert pabulib.number("12") == 12 and isinstance(pabulib.number("12"), int)
    assert pabulib.number(" 12.50 ") == Decimal("12.50")
    assert pabulib.format_number(Fraction(5, 4)) == "1.25"
    assert pabulib.format_number(Decimal("1E+3")) == "1000"
    with pytest.raises(ValueError):
        pabulib.format_number(Fraction(1, 3))
    with pytest.raises(TypeError):
        pabulib.format_number(1.5)


def test_from_instance():
    inst = Instance(Decimal("10.5"), [Project("a", 3), Project("b", Fraction(1, 2))])
    pb = pabulib.read(pabulib.write(pabulib.PbFile.from_instance(inst, [{"a"}, set(), {"a", "b"}])))
    assert pb.instance() == Instance(Decimal("10.5"), [Project("a", 3), Project("b", Decimal("0.5"))])
    assert pb.approvals() == [{"a"}, set(), {"a", "b"}]
    assert pb.meta["vote_type"] == "approval"


def test_recount_rule_names():
    assert completion_of("equalshares/add1") == "add1"
    assert completion_of("equalshares") is None
    assert completion_of("mes-add1-greedy") == "add1_greedy"
    assert completion_of("equalshares/greedy") == "greedy"
    with pytest.raises(ValueError):
        recount_pb(QUIRKY, rule="borda")
    with pytest.raises(ValueError):
        recount_pb(QUIRKY.replace("rule;greedy", "rule;"))
    cumulative = QUIRKY.replace("vote_type;approval", "vote_type;cumulative")
    with pytest.raises(ValueError):
        recount_pb(cumulative, rule="equalshares/add1")
