"""make test deals each database's tests out to shards (pytest --shard K/N, tests/conftest.py), and keeps for the
PostgreSQL run the tests that use a database. No database: the dealing is the same whichever runs it."""
from types import SimpleNamespace

import pytest

from tests.conftest import _shard, uses_database


def _item(nodeid, *scopes, module_session=False):
    """A test with fixtures of these scopes (defined in tests/conftest.py), and with module_session a session-wide
    fixture defined in its own module."""
    definitions = {f"fixture{n}": [SimpleNamespace(scope=scope, baseid="")] for n, scope in enumerate(scopes)}
    if module_session:
        definitions["app"] = [SimpleNamespace(scope="session", baseid=nodeid.split("::")[0])]
    return SimpleNamespace(nodeid=nodeid, _fixtureinfo=SimpleNamespace(name2fixturedefs=definitions))


def test_every_test_is_in_exactly_one_shard_and_a_module_wide_fixture_in_one():
    items = [_item("tests/test_a.py::test_role[resident]", "function"),
             _item("tests/test_a.py::test_role[admin]", "function", "session"),
             _item("tests/test_servers.py::test_one", "module"),
             _item("tests/test_servers.py::test_two", "module", "function"),
             _item("tests/test_b.py::test_three"),
             _item("tests/test_b.py::test_four"),
             _item("tests/test_built.py::test_page[one]", "function", module_session=True),
             _item("tests/test_built.py::test_page[two]", "session", module_session=True),
             _item("tests/test_c.py::test_five", "session")]
    shards = [_shard(items, f"{k}/3") for k in (1, 2, 3)]
    assert sorted(item.nodeid for shard in shards for item in shard) == sorted(item.nodeid for item in items)
    # Dealt in turn: the roles of a parametrized test go to different shards; the module whose tests share a
    # module-wide fixture (a server) or a session-wide fixture of their module (an app on data built for them) is one
    # unit, in one shard; the suite's session-wide fixtures (its app) keep no module together.
    assert [[item.nodeid.removeprefix("tests/") for item in shard] for shard in shards] == [
        ["test_a.py::test_role[resident]", "test_b.py::test_three", "test_c.py::test_five"],
        ["test_a.py::test_role[admin]", "test_b.py::test_four"],
        ["test_servers.py::test_one", "test_servers.py::test_two", "test_built.py::test_page[one]",
         "test_built.py::test_page[two]"]]
    assert _shard(items, "1/1") == items


@pytest.mark.parametrize("shard", ["0/2", "3/2", "a/2", "1/", "1"])
def test_a_shard_outside_its_count_is_refused(shard):
    with pytest.raises(pytest.UsageError, match="K/N"):
        _shard([], shard)


def _test(fixtures, *markers):
    return SimpleNamespace(fixturenames=fixtures, get_closest_marker=lambda name: name if name in markers else None)


def test_the_postgresql_run_keeps_the_tests_that_use_a_database():
    assert uses_database(_test(["client_request", "tmp_path"]))
    assert uses_database(_test(["tmp_path"], "database"))  # a server of its own
    assert not uses_database(_test(["tmp_path"]))
    # The app for its contexts only (a mail, a template rendered): checked by the SQLite run alone.
    assert not uses_database(_test(["app"], "database_independent"))
