"""Real servers for the tests that need them: gunicorn, an HTTP client, Redis, PostgreSQL faults.

    with gunicorn_server({"CIVIC_ENV": "production", "DATABASE_URL": url, ...}) as server:
        client = HttpClient(server.url)
        log_in(client, "resident@example.org", PASSWORD)
        assert client.get("/account").status == 200

Nothing here knows how Civic is configured: a test passes the environment its server needs.
Servers listen on 127.0.0.1 only and are stopped by their process id.

Tools that may be missing (a Redis started by scripts/redis.sh, the throwaway PostgreSQL of
scripts/pg.sh) make a test skip with a message saying how to get them, or fail with CI=true
(see `missing_tool`). `make test` (scripts/run-tests.sh) starts both and exports
CIVIC_TEST_REDIS_URL and CIVIC_PG_STATE.

The fixtures at the end are used by importing them into a test module
(`from tests.servers import gunicorn_servers, redis_server_url, pg_controller`).
"""
import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.factories import CSRF_RE

REPO = Path(__file__).resolve().parents[1]
PG_SH = REPO / "scripts" / "pg.sh"
REDIS_SH = REPO / "scripts" / "redis.sh"

# Taken out of the environment a server inherits, so that what the developer's shell exports
# (or gunicorn reads by itself: GUNICORN_CMD_ARGS, WEB_CONCURRENCY) does not reach it; the test
# passes what its server needs.
CLEAN_ENV_PREFIXES = ("CIVIC_", "FLASK_", "GUNICORN_", "MAIL_")
CLEAN_ENV_NAMES = {"DATABASE_URL", "SECRET_KEY", "REDIS_URL", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"}


# --- Missing tools -----------------------------------------------------------------------------

def in_ci():
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def missing_tool(message):
    """Skip outside CI, fail with CI=true: a CI run without its tools proves nothing."""
    if in_ci():
        pytest.fail(f"{message} (CI=true: it is required)", pytrace=False)
    pytest.skip(message)


def free_port():
    """A TCP port free on 127.0.0.1 right now (another process may take it before you do)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- gunicorn ----------------------------------------------------------------------------------

class ServerError(RuntimeError):
    """The server did not start (its stderr is in the message)."""


@dataclass
class GunicornServer:
    url: str              # http://127.0.0.1:PORT, no trailing slash
    port: int
    process: subprocess.Popen
    _files: dict = field(repr=False)                      # "stdout"/"stderr": temporary files
    _final: dict = field(default_factory=dict, repr=False)  # their text, once the server is stopped

    @property
    def pid(self):
        """The master's process id."""
        return self.process.pid

    def stderr_text(self):
        """Everything gunicorn (and the app's logging) wrote to stderr so far (also after exit)."""
        return self._text("stderr")

    def stdout_text(self):
        return self._text("stdout")

    def _text(self, name):
        if name in self._final:
            return self._final[name]
        file = self._files[name]
        file.flush()
        with open(file.name, "rb") as again:
            return again.read().decode("utf-8", "replace")

    def worker_pids(self):
        """The master's children right now (its workers; [] where Linux's /proc does not say)."""
        return _children(self.pid) or []

    def running(self):
        return self.process.poll() is None

    def _close(self):
        for name, file in self._files.items():
            self._final[name] = self._text(name)
            file.close()


def _children(pid):
    """The child pids of pid, None when /proc cannot tell."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return None
    return [int(child) for child in text.split()]


def _answers_http(url, timeout):
    """True when something answers HTTP at url (any status), False when nothing does yet."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    try:
        with opener.open(url, timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def _stop_process(process, timeout):
    """SIGTERM to the pid, wait, then SIGKILL to it and to the children it left."""
    if process.poll() is not None:
        return
    children = _children(process.pid) or []
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        children = set(children) | set(_children(process.pid) or [])
        process.kill()
        process.wait(timeout=10)
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)


def server_environment(env):
    """A copy of os.environ without the variables of CLEAN_ENV_*, plus env."""
    clean = {name: value for name, value in os.environ.items()
             if not name.startswith(CLEAN_ENV_PREFIXES) and name not in CLEAN_ENV_NAMES}
    clean.update({name: str(value) for name, value in env.items()})
    return clean


@contextlib.contextmanager
def gunicorn_server(env, workers=2, app="wsgi:app", args=(), ready_path="/", start_timeout=60.0,
                    stop_timeout=15.0):
    """Serve app with `python -m gunicorn` on 127.0.0.1 and a free port; yield a GunicornServer.

    The environment is server_environment(env); the working directory is the repository root
    (so "wsgi:app" or "tests.some_module:app" import). The listening socket is bound here and
    handed to gunicorn (--bind fd://N), so no other process can take the port in between.
    gunicorn runs with --workers, --graceful-timeout 5 and --no-control-socket (gunicorn >= 25
    otherwise shares one control socket under $HOME between all its instances), then `args`
    (which may override the graceful timeout; give the worker count as `workers`). A
    ./gunicorn.conf.py in the repository is read by gunicorn as usual.
    Ready when GET ready_path answers with any HTTP status (the polls are requests the app
    sees) and the master has forked its `workers`; ServerError, with the server's stderr, when
    it exits first or is not ready within start_timeout seconds. On exit: SIGTERM to the
    master's pid, then SIGKILL (master and workers) after stop_timeout seconds.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    fd = listener.fileno()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"fd://{fd}", "--workers", str(workers),
               "--graceful-timeout", "5", "--no-control-socket", *args, app]
    stdout = tempfile.NamedTemporaryFile(prefix="civic-gunicorn-", suffix=".out")
    stderr = tempfile.NamedTemporaryFile(prefix="civic-gunicorn-", suffix=".err")
    try:
        process = subprocess.Popen(command, cwd=REPO, env=server_environment(env), stdin=subprocess.DEVNULL,
                                   stdout=stdout, stderr=stderr, pass_fds=(fd,))
    except BaseException:
        stdout.close()
        stderr.close()
        raise
    finally:
        listener.close()  # gunicorn has its copy; when it exits, connections are refused
    server = GunicornServer(url=f"http://127.0.0.1:{port}", port=port, process=process,
                            _files={"stdout": stdout, "stderr": stderr})
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if process.poll() is not None:
                raise ServerError(f"gunicorn exited with status {process.returncode}:\n{server.stderr_text()}")
            # Ready: it answers, and every worker is forked (where /proc tells; each worker then
            # still loads the app before it takes a request).
            if _answers_http(server.url + ready_path, timeout=1.0):
                forked = _children(process.pid)
                if forked is None or len(forked) >= workers:
                    break
            if time.monotonic() > deadline:
                raise ServerError(f"gunicorn did not answer {server.url}{ready_path} within {start_timeout:.0f} s:\n"
                                  f"{server.stderr_text()}")
            time.sleep(0.1)
        yield server
    finally:
        _stop_process(process, stop_timeout)
        server._close()


# --- HTTP client -------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError, which the client returns as the response


class _CookiePolicy(http.cookiejar.DefaultCookiePolicy):
    def __init__(self, secure_over_http):
        super().__init__()
        self.secure_over_http = secure_over_http

    def return_ok_secure(self, cookie, request):
        return self.secure_over_http or super().return_ok_secure(cookie, request)


@dataclass
class Response:
    status: int
    headers: object       # http.client.HTTPMessage: headers["Location"], headers.get_all("Set-Cookie")
    body: bytes
    url: str

    @property
    def text(self):
        return self.body.decode(self.headers.get_content_charset() or "utf-8", "replace")

    @property
    def location(self):
        return self.headers.get("Location")


class HttpClient:
    """A browser without JavaScript for a real server: cookies kept, redirects not followed.

    Every status comes back as a Response (4xx and 5xx too); a server that does not answer
    raises an OSError (urllib.error.URLError when refused, ConnectionResetError or
    http.client.RemoteDisconnected when dropped, TimeoutError after `timeout` seconds).
    `headers` go with every request. Cookies marked Secure are only sent over https, as by a
    browser, unless secure_cookies_over_http=True. post_form() sends Referer and Origin as a browser does,
    built from `origin` (default: base_url) and the page the token came from. To imitate a
    TLS proxy in front of the server (what the server believes of it is its configuration):

        HttpClient(server.url, origin="https://civic.example", secure_cookies_over_http=True,
                   headers={"Host": "civic.example", "X-Forwarded-Proto": "https"})

    Proxies from the environment are ignored. Usable from several threads (the cookie jar
    locks), though one client per simulated user is the usual way.
    """

    def __init__(self, base_url, headers=None, timeout=30.0, secure_cookies_over_http=False, origin=None):
        self.base_url = base_url.rstrip("/")
        self.origin = (origin or self.base_url).rstrip("/")
        self.default_headers = dict(headers or {})
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar(_CookiePolicy(secure_cookies_over_http))
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect(),
                                                   urllib.request.HTTPCookieProcessor(self.cookies))

    def url_for(self, path):
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def request(self, method, path, body=None, headers=None):
        request = urllib.request.Request(self.url_for(path), data=body, method=method,
                                         headers={**self.default_headers, **(headers or {})})
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                return Response(answer.status, answer.headers, answer.read(), answer.url)
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, error.headers, error.read(), error.url)

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, data, headers=None):
        """POST data (a dict, or a list of pairs for repeated names) form-encoded."""
        body = urllib.parse.urlencode(data, doseq=True).encode()
        return self.request("POST", path, body,
                            {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})

    def csrf_token(self, path="/login"):
        """The CSRF token of the form on path (one per session, good for every form).

        When path has none (a logged-in user is redirected away from /login), it is read from
        /proposals/ then /account, as tests/conftest.py does.
        """
        return self._csrf_token_and_page(path)[0]

    def _csrf_token_and_page(self, path):
        tried = []
        for candidate in dict.fromkeys([path, "/proposals/", "/account"]):
            response = self.get(candidate)
            match = CSRF_RE.search(response.text)
            if match:
                return match.group(1), candidate
            tried.append(f"{candidate} ({response.status})")
        raise AssertionError(f"no csrf_token field on {', '.join(tried)}")

    def post_form(self, path, data=None, headers=None, token_path=None):
        """POST data with the session's CSRF token added (unless data has one), read from
        token_path (default: path, then the fallbacks of csrf_token), with the Referer and
        Origin a browser would send from that page (unless headers has them)."""
        data = dict(data or {})
        page = token_path or path
        if "csrf_token" not in data:
            data["csrf_token"], page = self._csrf_token_and_page(page)
        browser = {"Referer": self.origin + page, "Origin": self.origin}
        return self.post(path, data, {**browser, **(headers or {})})

    def cookie(self, name):
        """The value of the cookie called name, or None."""
        return next((c.value for c in self.cookies if c.name == name), None)


def log_in(client, email, password):
    """Log client in through the /login form; asserts the redirect that means success."""
    response = client.post_form("/login", {"email": email, "password": password})
    assert response.status == 302, f"log-in of {email} answered {response.status}: {response.text[:2000]}"
    return response


# --- Redis -------------------------------------------------------------------------------------

def redis_url():
    """CIVIC_TEST_REDIS_URL (set by make test); skip, or fail with CI=true, without it."""
    url = os.environ.get("CIVIC_TEST_REDIS_URL", "").strip()
    if not url:
        missing_tool("no test Redis: CIVIC_TEST_REDIS_URL is not set (make test sets it; by hand: "
                     "export CIVIC_TEST_REDIS_URL=$(scripts/redis.sh start), needs apt-get install redis-server)")
    return url


# --- PostgreSQL faults -------------------------------------------------------------------------

def _read_state(path):
    values = {}
    for line in Path(path).read_text().splitlines():
        match = re.fullmatch(r"(\w+)='([^']*)'", line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    return values


@dataclass
class PgControl:
    """The throwaway PostgreSQL of a state file written by scripts/pg.sh."""
    state_file: Path
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def state(self):
        """The state file's variables: PG_DIR, PG_PORT, PG_PID, PG_HALTED, DATABASE_URL."""
        return _read_state(self.state_file)

    @property
    def database_url(self):
        return self.state()["DATABASE_URL"]

    @property
    def port(self):
        return int(self.state()["PG_PORT"])

    @property
    def pid(self):
        """The postmaster's pid, None while halted."""
        pid = self.state().get("PG_PID")
        return int(pid) if pid else None

    def _pg_sh(self, *args):
        with self.lock:
            result = subprocess.run(["bash", str(PG_SH), *args], check=False, cwd=REPO, capture_output=True, text=True,
                                    env={**os.environ, "CIVIC_PG_STATE": str(self.state_file)}, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"scripts/pg.sh {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result.stdout.strip()

    def halt(self, mode="fast"):
        """Stop the server, keeping its data ("fast": clients disconnected, clean shutdown;
        "immediate": like a crash). Connections to it fail until resume()."""
        self._pg_sh("halt", mode)

    def resume(self):
        """Start it again on the same port with the same data; returns the database URL.
        Connections pooled before the halt are dead: dispose of the engine's pool."""
        return self._pg_sh("resume")

    def running(self):
        pid = self.pid
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # it exists, and belongs to another user
            pass
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return True

    @contextlib.contextmanager
    def halted(self, mode="fast"):
        """with pg.halted(): ...  (resumed on the way out, even when the block raises)"""
        self.halt(mode)
        try:
            yield self
        finally:
            self.resume()


def pg_control():
    """The PostgreSQL named by CIVIC_PG_STATE (default: pg.sh's own default state file).

    Skips (fails with CI=true) when there is no such running server.
    """
    state_file = Path(os.environ.get("CIVIC_PG_STATE") or f"/tmp/civic-test-pg-{os.getuid()}.env")
    how = "make test starts it; by hand: scripts/pg.sh start (needs apt-get install postgresql-15)"
    if not state_file.is_file():
        missing_tool(f"no test PostgreSQL: no state file {state_file} ({how})")
    control = PgControl(state_file)
    if not control.running():
        missing_tool(f"no test PostgreSQL: the server of {state_file} is not running ({how})")
    return control


# --- Fixtures ----------------------------------------------------------------------------------

@pytest.fixture
def redis_server_url():
    """redis_url() as a fixture."""
    return redis_url()


@pytest.fixture
def pg_controller():
    """pg_control() as a fixture; the server is resumed after the test if it left it halted."""
    control = pg_control()
    yield control
    if not control.running():
        control.resume()


@pytest.fixture
def gunicorn_servers():
    """start(env, **gunicorn_server options) -> a running GunicornServer, stopped after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda env, **options: stack.enter_context(gunicorn_server(env, **options))
