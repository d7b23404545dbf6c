"""The helpers of tests/servers.py: gunicorn, the HTTP client, scripts/redis.sh and scripts/pg.sh."""
import os
import shutil
import subprocess
import threading
import urllib.error
from pathlib import Path

import pytest

from tests.servers import (REDIS_SH, REPO, HttpClient, ServerError, gunicorn_server, missing_tool, pg_controller,
                           redis_server_url)  # the last two are fixtures

# Some of its tests build apps or reach servers of their own on the suite's database (see tests/conftest.py).
pytestmark = pytest.mark.database

PROBE = "tests.wsgi_probe:app"


@pytest.fixture(scope="module")
def probe():
    with gunicorn_server({"PROBE_SETTING": "from the test"}, workers=2, app=PROBE, ready_path="/pid") as server:
        yield server


def test_gunicorn_serves_with_two_workers_on_127_0_0_1(probe):
    assert probe.url.startswith("http://127.0.0.1:")
    assert probe.running()
    workers = probe.worker_pids()
    assert len(workers) == 2 and probe.pid not in workers
    pids, threads = [], []
    for _ in range(2):  # a sync worker serves one request at a time: two at once need both
        threads.append(threading.Thread(target=lambda: pids.append(int(HttpClient(probe.url).get("/sleep?s=1").text))))
        threads[-1].start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(pids) == sorted(workers)
    assert "Booting worker" in probe.stderr_text()


def test_the_server_gets_the_environment_it_is_given_and_not_the_callers(monkeypatch):
    monkeypatch.setenv("CIVIC_ENV", "production")        # the app's settings never leak from the caller,
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--workers 3")  # nor what gunicorn would read by itself
    monkeypatch.setenv("PROBE_KEPT", "kept")
    with gunicorn_server({"PROBE_SETTING": "from the test"}, workers=1, app=PROBE, ready_path="/pid") as server:
        client = HttpClient(server.url)
        assert client.get("/env/PROBE_SETTING").text == "from the test"
        assert client.get("/env/PROBE_KEPT").text == "kept"
        assert client.get("/env/CIVIC_ENV").text == ""
        assert len(server.worker_pids()) == 1


def test_client_keeps_cookies_follows_no_redirect_and_returns_errors(probe):
    client = HttpClient(probe.url)
    response = client.get("/cookie?flavour=lemon")
    assert response.status == 302 and response.location == "/cookies"
    assert client.cookie("flavour") == "lemon"
    assert client.get("/cookies").text == "flavour=lemon"
    assert HttpClient(probe.url).get("/cookies").text == ""  # per client
    assert client.get("/status/404").status == 404
    response = client.get("/status/503", headers={"X-Probe": "1"})
    assert (response.status, response.text) == (503, "status 503")


def test_client_posts_forms_with_their_csrf_token(probe):
    client = HttpClient(probe.url)
    assert client.csrf_token("/form") == "probe-token-123"
    assert client.post("/echo", {"a": "1"}).status == 403
    response = client.post("/echo", {"csrf_token": client.csrf_token("/form"), "name": "Zoé & co", "tag": ["x", "y"]})
    assert response.status == 200
    assert response.text.splitlines()[1:] == ["name=Zoé & co", "tag=x", "tag=y"]


def test_a_server_that_does_not_start_says_why():
    with (pytest.raises(ServerError, match="No module named 'tests.no_such_module'"),
          gunicorn_server({}, workers=1, app="tests.no_such_module:app", start_timeout=20)):
        pass


def test_the_server_is_stopped_by_its_pid_on_exit():
    with gunicorn_server({}, workers=1, app=PROBE, ready_path="/pid") as server:
        worker = int(HttpClient(server.url).get("/pid").text)
    assert server.process.returncode is not None and not server.running()
    assert "Shutting down" in server.stderr_text()  # still readable after the exit
    assert not Path(f"/proc/{worker}").exists() or "Z" in Path(f"/proc/{worker}/stat").read_text().split()[2]
    with pytest.raises(urllib.error.URLError):
        HttpClient(server.url, timeout=2).get("/pid")


def test_redis_sh_starts_a_throwaway_redis_and_stops_it_by_its_pid(tmp_path):
    if not os.access("/usr/bin/redis-server", os.X_OK) and shutil.which("redis-server") is None:
        missing_tool("redis-server is missing; install with: apt-get install redis-server (or scripts/test-deps.sh)")
    env = {**os.environ, "CIVIC_REDIS_STATE": str(tmp_path / "redis.env")}

    def redis_sh(*args):
        return subprocess.run(["bash", str(REDIS_SH), *args], check=False, cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=60)

    started = redis_sh("start")
    try:
        assert started.returncode == 0, started.stderr
        url = started.stdout.strip()
        assert url.startswith("redis://127.0.0.1:") and url.endswith("/0")
        assert redis_sh("url").stdout.strip() == url
        import redis

        connection = redis.Redis.from_url(url, socket_timeout=5)
        assert connection.ping()
        assert connection.config_get("save") == {"save": ""}
        assert connection.config_get("appendonly") == {"appendonly": "no"}
        assert connection.config_get("bind") == {"bind": "127.0.0.1"}
        pid = connection.info("server")["process_id"]
        assert f"REDIS_PID='{pid}'" in (tmp_path / "redis.env").read_text()
        connection.close()
    finally:
        stopped = redis_sh("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert not (tmp_path / "redis.env").exists()
    assert redis_sh("url").returncode == 1


def test_pg_sh_halts_and_resumes_postgresql_keeping_its_data(tmp_path):
    import glob

    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        missing_tool("PostgreSQL is missing; install with: apt-get install postgresql-15 (or scripts/test-deps.sh)")
    import psycopg

    from tests.servers import PG_SH, PgControl

    state = tmp_path / "pg.env"  # a server of its own: the suite's PostgreSQL is left alone
    env = {**os.environ, "CIVIC_PG_STATE": str(state)}
    def pg_sh(command):
        return subprocess.run(["bash", str(PG_SH), command], check=False, env=env, capture_output=True, text=True,
                              timeout=120)

    started = pg_sh("start")
    try:
        assert started.returncode == 0, started.stderr
        pg = PgControl(state)
        assert pg.running() and pg.database_url == started.stdout.strip()
        dsn = f"postgresql://postgres@127.0.0.1:{pg.port}/civic_test"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute("CREATE TABLE kept (x int)")
            connection.execute("INSERT INTO kept VALUES (1)")
        first_pid = pg.pid
        with pg.halted():
            assert not pg.running() and pg.pid is None
            with pytest.raises(psycopg.OperationalError):
                psycopg.connect(dsn, connect_timeout=3)
        assert pg.running() and pg.pid != first_pid
        with psycopg.connect(dsn) as connection:
            assert connection.execute("SELECT x FROM kept").fetchall() == [(1,)]
        pg.halt("immediate")
        assert pg.resume() == pg.database_url
        with psycopg.connect(dsn) as connection:
            assert connection.execute("SELECT count(*) FROM kept").fetchone() == (1,)
    finally:
        stopped = pg_sh("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert not state.exists()


def test_make_test_gives_the_tests_its_redis(redis_server_url):
    import redis

    connection = redis.Redis.from_url(redis_server_url, socket_timeout=5)
    assert connection.ping()
    connection.close()


def test_make_test_gives_the_tests_the_state_of_its_postgresql(pg_controller):
    assert pg_controller.running()
    assert pg_controller.database_url.startswith(f"postgresql+psycopg://postgres@127.0.0.1:{pg_controller.port}/")
