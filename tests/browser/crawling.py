"""What the browser checks and scripts/page_weight.py share, without Playwright.

- LiveServer: the demo site as a real server (flask run) on a temporary SQLite database.
- Which links a crawl follows, and the pattern that limits how many URLs of a kind it visits.
- Page rules read from the server's HTML: one h1, a title, <html lang>, unique ids.
- Compressed sizes for the page-weight budget.
"""
import gzip
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlsplit

from tests.pages import check_page

REPO_ROOT = Path(__file__).resolve().parents[2]

DEMO_PASSWORD = "civic-demo-2026"
# Who the crawls visit the site as: anonymous, then each demo account.
ROLES = {
    "anonymous": None,
    "resident": "resident@example.org",
    "counter_agent": "agent@example.org",
    "moderator": "moderateur@example.org",
    "elected": "elue@example.org",
    "admin": "admin@example.org",
}
LANGUAGES = ("fr", "en")
ERROR_TITLE_PREFIX = {"fr": "Erreur\u202f: ", "en": "Error: "}  # French typography: civic.typography

STYLESHEET = "/static/css/civic.css"
# HTML and CSS of a first visit, compressed, should fit the first TCP round trip
# (10 segments of 1460 bytes = 14 600 bytes, minus room for the HTTP headers).
PAGE_BUDGET = 14_000
GZIP_LEVEL = 6

MAX_PAGES_PER_CRAWL = 100
MAX_URLS_PER_PATTERN = 2
# Patterns whose pages differ by more than their data: each decision has its own voting method
# and phase (ballot, results, set-up), so every decision of the demo is visited; each process of the demo is in
# another phase (ideas, study, vote, follow-up), with pages of its own for each (proposing, the study, the vote).
# A decision's sub-pages share its limit, except those whose template is the same whatever the decision (the
# correction of a description, the form to check one's ballot): the first matching prefix applies.
PATTERN_LIMITS = {"/decisions/N/description": MAX_URLS_PER_PATTERN,
                  "/decisions/N/results/ballot": MAX_URLS_PER_PATTERN,
                  "/decisions/N": 12, "/processus/N": 4}
SKIPPED_PREFIXES = ("/lang/", "/logout", "/static/")


# --- The site as a real server -------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`flask --app wsgi run` on a fresh, migrated, seeded SQLite database in `workdir`.

    The server's output (including the mails it writes to the log) goes to `self.log_path`.
    """

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.workdir / "server.log"
        self.process = None
        self.env = self._environment()

    def _environment(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("FLASK_", "CIVIC_", "MAIL_")) and k not in ("DATABASE_URL", "SECRET_KEY")}
        env.update({
            "CIVIC_ENV": "development",
            "CIVIC_INSTANCE_DIR": str(self.workdir / "instance"),
            "DATABASE_URL": f"sqlite:///{self.workdir / 'civic.sqlite3'}",
            "SECRET_KEY": secrets.token_hex(32),
            "CIVIC_RATELIMIT_ENABLED": "false",
            # A database thrown away after the run: no wait on the disk at each commit of the journeys.
            "CIVIC_SQLITE_SYNCHRONOUS": "OFF",
            "PYTHONUNBUFFERED": "1",
        })
        if not env.get("PYTHONPYCACHEPREFIX"):  # make test keeps the compiled modules outside the repository
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def _flask(self, *args):
        return [sys.executable, "-m", "flask", "--app", "wsgi", *args]

    def prepare(self):
        """Migrate and seed the demo commune (what `make run` does), and write its open data (the portal's files)."""
        for args in (("db", "upgrade"), ("seed-demo", "--if-empty"), ("opendata", "refresh")):
            result = subprocess.run(self._flask(*args), cwd=REPO_ROOT, env=self.env,
                                    capture_output=True, text=True, timeout=180)
            if result.returncode != 0:
                raise RuntimeError(f"flask {' '.join(args)} failed ({result.returncode}):\n"
                                   f"{result.stdout}\n{result.stderr}")

    def start(self, timeout=30):
        self.prepare()
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self._flask("run", "--host", "127.0.0.1", "--port", str(self.port), "--no-reload"),
            cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not answer on {self.url} within {timeout} s:\n{self.log()}")

    def stop(self):
        """Stop the server we started, by its process id: terminate, wait, kill."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --- Which links to follow ----------------------------------------------------------------

def same_origin(url, origin):
    a, b = urlsplit(url), urlsplit(origin)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def leaving_the_site(origin):
    """A pattern of the URLs that leave the site of `origin` (not same_origin: another scheme, host or port): what
    Site.new_context lists of the requests its pages make."""
    return re.compile(rf"^(?!{re.escape(origin)}(?:[/?#]|$))(?:https?|wss?):")


def followable(url, origin):
    """The URL (without fragment) when a crawl should follow this link, else None."""
    url, _fragment = urldefrag(url)
    if not url.startswith(("http://", "https://")) or not same_origin(url, origin):
        return None  # mailto:, tel:, javascript:, data:, other sites
    path = urlsplit(url).path or "/"
    if path.startswith(SKIPPED_PREFIXES):
        return None
    return url


def url_pattern(url):
    """A URL's kind: digits become N, query values are dropped (`/proposals/N`, `/proposals/?page=&theme=`)."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "N", parts.path or "/")
    keys = sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(f"{key}=" for key in keys) if keys else "")


def path_of(url):
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def pattern_limit(pattern):
    """How many URLs of this pattern a crawl visits (PATTERN_LIMITS applies to sub-pages too; the first prefix that
    matches wins)."""
    for prefix, limit in PATTERN_LIMITS.items():
        if pattern == prefix or pattern.startswith(prefix + "/") or pattern.startswith(prefix + "?"):
            return limit
    return MAX_URLS_PER_PATTERN


class Frontier:
    """Breadth-first queue of URLs, at most `pattern_limit(pattern)` URLs of each pattern."""

    def __init__(self, start=None):
        self.queue = [start] if start else []
        self.seen = {start} if start else set()
        self.patterns = Counter([url_pattern(start)] if start else [])

    def add(self, url):
        """Queue `url` unless it was seen or its pattern is full; True when queued."""
        if url in self.seen:
            return False
        pattern = url_pattern(url)
        if self.patterns[pattern] >= pattern_limit(pattern):
            return False
        self.seen.add(url)
        self.patterns[pattern] += 1
        self.queue.append(url)
        return True

    def pop(self):
        return self.queue.pop(0) if self.queue else None


# --- Reading the server's HTML --------------------------------------------------------------

TEXT_INPUT_TYPES = {"text", "email", "password", "search", "tel", "number", "url"}


class PageParser(HTMLParser):
    """Collects what the page rules need, plus links and forms (for crawls without a browser)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.links = []
        self.downloads = []  # <a download>: files (CSV, JSON, .pb), not pages
        self.forms = []  # {"method", "action", "fields": [(type, name, value)]}
        self.error_summary = False
        self._in_title = False
        self._form = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if "error-summary" in attrs.get("class", "").split():
            self.error_summary = True
        if tag == "title":
            self._in_title = True
        elif tag == "a" and "href" in attrs:
            (self.downloads if "download" in attrs else self.links).append(attrs["href"])
        elif tag == "form":
            self._form = {"method": attrs.get("method", "get").lower(), "action": attrs.get("action"), "fields": []}
            self.forms.append(self._form)
        elif tag in ("input", "textarea", "select") and self._form is not None:
            kind = tag if tag != "input" else attrs.get("type", "text").lower()
            self._form["fields"].append((kind, attrs.get("name"), attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse_html(html):
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def page_rule_problems(html, lang):
    """The page rules of the test-client suite (tests/pages.py), with the expected language."""
    return check_page(html, lang)


# An element as axe-core's rules see it: its tag, the attributes that give it its role, name, state, language and
# style (classes), without what differs from one record to another (text, ids, addresses, values).
_ELEMENT = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^>]*)?)>")
_STRUCTURAL_NAMES = ("class", "type", "role", "lang", "dir", "scope", "aria-[a-z]+", "hidden", "disabled", "required",
                     "readonly", "multiple", "checked", "selected", "open", "autofocus", "tabindex", "alt", "title",
                     "colspan", "rowspan", "headers", "for", "list", "inert", "popover")
_STRUCTURAL = re.compile(r"(?<![\w-])(" + "|".join(_STRUCTURAL_NAMES) + r")(?![\w-])(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_VALUED = {"class", "type", "role", "lang", "dir", "scope"}


def structure(html):
    """The kinds of element of a page (each tag with its classes, type, role, language and which of the
    accessibility attributes it has), as a set: two pages of one template showing other records of the same kinds
    have the same structure; another branch of the template (a ballot of another method, a form shown or not, a list
    empty or not, a text marked in another language) gives another."""
    kinds = set()
    for tag, attributes in _ELEMENT.findall(html):
        kinds.add(" ".join([tag.lower(), *sorted(f"{name}={value}" if name in _VALUED else name
                                                 for name, value in _STRUCTURAL.findall(attributes))]))
    return frozenset(kinds)


def error_state_problems(html, lang, status):
    """Problems with a form page answered after an invalid submission."""
    problems = []
    if status >= 500:
        problems.append(f"HTTP {status}")
    page = parse_html(html)
    if not page.error_summary:
        problems.append("no element with class error-summary")
    prefix = ERROR_TITLE_PREFIX[lang]
    if not page.title.strip().startswith(prefix):
        problems.append(f"title {page.title.strip()!r} does not start with {prefix!r}")
    return problems


# --- Weight --------------------------------------------------------------------------------

def gzip_size(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))
