#!/usr/bin/env python3
"""Page weight of the demo site: how much a first visit costs, compressed.

Starts the app as `make run` does (flask run, on a fresh migrated and seeded SQLite
database in a temporary directory), crawls it without a browser, anonymous and as each
demo account, in French and in English (same-origin links, at most 2 URLs of each kind
but every decision, as tests/browser/ does), and prints, heaviest first:

    page | who | raw HTML bytes | HTML gzipped | CSS gzipped | total

gzip level 6, as a web server compresses. The budget is 14 000 bytes for HTML.gz +
CSS.gz: what fits the first TCP round trip (10 segments of 1 460 bytes, minus headers).
tests/browser/test_page_weight.py enforces it on the pages the browser crawls.

    .venv/bin/python scripts/page_weight.py            # the 25 heaviest pages and a summary
    .venv/bin/python scripts/page_weight.py --all      # every page
    .venv/bin/python scripts/page_weight.py --check    # exit 1 when a page is over budget
"""
import argparse
import http.cookiejar
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.browser.crawling import (DEMO_PASSWORD, LANGUAGES, MAX_PAGES_PER_CRAWL, PAGE_BUDGET,  # noqa: E402
                                    ROLES, STYLESHEET, Frontier, LiveServer, followable, gzip_size,
                                    parse_html, path_of)


class Client:
    """A cookie-keeping HTTP client that does not follow the site outside its origin."""

    def __init__(self, origin):
        self.origin = origin
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path, data=None):
        url = urllib.parse.urljoin(self.origin, path)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=30) as response:
                return response.status, response.geturl(), response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as error:
            return error.code, url, error.headers.get_content_type(), error.read()


def log_in(client, email):
    _status, _url, _type, body = client.request("/login")
    page = parse_html(body.decode("utf-8"))
    form = next(f for f in page.forms if any(kind == "password" for kind, _name, _value in f["fields"]))
    data = {name: value for kind, name, value in form["fields"] if kind == "hidden" and name}
    data.update({"email": email, "password": DEMO_PASSWORD})
    status, url, _type, body = client.request(form["action"] or "/login", data)
    if 'action="/logout"' not in body.decode("utf-8", errors="replace"):
        raise SystemExit(f"could not log in as {email} (HTTP {status}, {url})")


def crawl(origin, role, lang):
    """[(path, raw html bytes)] for the pages seen as `role` in `lang`."""
    client = Client(origin)
    if ROLES[role]:
        log_in(client, ROLES[role])
    client.request(f"/lang/{lang}?next=/")  # the language switch sets its cookie
    frontier = Frontier(origin + "/")
    pages = []
    while len(pages) < MAX_PAGES_PER_CRAWL and (url := frontier.pop()):
        status, final_url, content_type, body = client.request(url)
        if content_type != "text/html":
            continue
        pages.append((path_of(final_url), status, body))
        for href in parse_html(body.decode("utf-8", errors="replace")).links:
            link = followable(urllib.parse.urljoin(final_url, href), origin)
            if link:
                frontier.add(link)
    return pages


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true", help="print every page, not only the 25 heaviest")
    parser.add_argument("--top", type=int, default=25, help="how many pages to print (default 25)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a page is over the budget")
    args = parser.parse_args()

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="civic-weight-") as workdir, LiveServer(workdir) as server:
        _status, _url, _type, css = Client(server.url).request(STYLESHEET)
        css_gz = gzip_size(css)
        rows = []
        for role in ROLES:
            for lang in LANGUAGES:
                for path, status, html in crawl(server.url, role, lang):
                    html_gz = gzip_size(html)
                    rows.append((path, f"{role} {lang}", status, len(html), html_gz, css_gz, html_gz + css_gz))

    rows.sort(key=lambda row: (-row[6], row[0], row[1]))
    shown = rows if args.all else rows[:args.top]
    width = max(len("page"), *(len(row[0]) for row in shown))
    print(f"{'page':<{width}}  {'who':<16} {'HTML':>7} {'HTML.gz':>8} {'CSS.gz':>7} {'total':>7}")
    for path, who, status, raw, html_gz, css_gz_, total in shown:
        flag = "  OVER BUDGET" if total > PAGE_BUDGET else ("" if status < 400 else f"  (HTTP {status})")
        print(f"{path:<{width}}  {who:<16} {raw:>7} {html_gz:>8} {css_gz_:>7} {total:>7}{flag}")
    if len(shown) < len(rows):
        print(f"... {len(rows) - len(shown)} lighter pages not shown (--all shows them)")

    totals = [row[6] for row in rows]
    over = [row for row in rows if row[6] > PAGE_BUDGET]
    print()
    print(f"{len(rows)} pages ({len({r[0] for r in rows})} distinct URLs) measured in {time.monotonic() - started:.0f} s; "
          f"CSS {len(css)} bytes, {css_gz} gzipped (level 6).")
    print(f"HTML.gz + CSS.gz: min {min(totals)}, median {statistics.median(totals):.0f}, max {max(totals)} bytes; "
          f"budget {PAGE_BUDGET}; {len(over)} over budget.")
    return 1 if args.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
