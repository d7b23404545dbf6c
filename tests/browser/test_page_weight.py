"""A first visit fits the first TCP round trip: HTML and CSS, gzip-compressed, 14 000 bytes at most.

Measured on every page the crawls visited (tests/browser/test_crawl.py), anonymous and as each
role, in French and in English: the raw HTML the server sent and /static/css/civic.css, each
compressed with gzip level 6. scripts/page_weight.py prints the same numbers as a table.
"""
import urllib.request

import pytest

from .crawling import LANGUAGES, PAGE_BUDGET, ROLES, STYLESHEET, gzip_size, path_of

pytestmark = pytest.mark.browser


def test_html_and_css_fit_the_first_round_trip(site):
    with urllib.request.urlopen(site.origin + STYLESHEET, timeout=10) as response:
        css = response.read()
    css_gz = gzip_size(css)
    rows = {}
    for role in ROLES:
        for lang in LANGUAGES:
            for record in site.crawl(role, lang).pages:
                if record.html:
                    html = record.html.encode("utf-8")
                    rows[(path_of(record.url), role, lang)] = (len(html), gzip_size(html))
    assert rows, "no page was measured"
    ranked = sorted(rows.items(), key=lambda item: item[1][1], reverse=True)
    print(f"\nCSS {len(css)} bytes, {css_gz} gzipped; budget {PAGE_BUDGET} bytes for HTML.gz + CSS.gz")
    print(f"{'page':<60} {'who':<17} {'html':>7} {'html.gz':>8} {'total':>7}")
    for (path, role, lang), (raw, gz) in ranked[:12]:
        print(f"{path[:60]:<60} {role + ' ' + lang:<17} {raw:>7} {gz:>8} {gz + css_gz:>7}")
    over = [f"{path} [{role} {lang}]: {gz} + {css_gz} = {gz + css_gz} bytes"
            for (path, role, lang), (raw, gz) in ranked if gz + css_gz > PAGE_BUDGET]
    assert not over, f"{len(over)} pages over the {PAGE_BUDGET}-byte budget:\n" + "\n".join(over)
