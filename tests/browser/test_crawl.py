"""Every page of the demo site, anonymous and as each role, in French and in English.

Each (role, language) is crawled once (tests/browser/site.py) and checked four ways:
HTTP status and page rules, axe-core (WCAG 2.1 A and AA), no request leaving the site,
and every POST form's error state.

What is checked on which pages: the crawls visit up to tests/browser/crawling.py's MAX_PAGES_PER_CRAWL pages
each, at most PATTERN_LIMITS (else MAX_URLS_PER_PATTERN) addresses of each URL pattern, every form's error
state once per page pattern. On every page of every crawl: the HTTP status, the page rules, console errors,
requests leaving the site (listed from the browser's requests; they fail at a proxy that is not there), the skip link,
the layout at 1280 and at 320 px (test_layout.py; one page is read wide then narrow, the next narrow then wide, so
that the browser resizes once per page: every other page is read at 320 px with its skip link shown by the first
Tab, see Site.record_response), the page weight (test_page_weight.py) and the Nu HTML checker (test_vnu.py). axe-core: on each template of each role in French (the
first page of each URL pattern, kind and structure the role's crawl meets), and in English on the first page of each
URL pattern (and of each form's error state) that any role's crawl meets (Site.needs_axe says why that is enough).
"""
import re

import pytest

from .crawling import LANGUAGES, MAX_PAGES_PER_CRAWL, ROLES, path_of
from .site import describe_violations

pytestmark = pytest.mark.browser

COMBINATIONS = [pytest.param(role, lang, id=f"{role}-{lang}") for role in ROLES for lang in LANGUAGES]


@pytest.mark.parametrize("role, lang", COMBINATIONS)
def test_every_page_answers_and_follows_the_page_rules(site, role, lang):
    crawl = site.crawl(role, lang)
    print(crawl.summary())
    assert len(crawl.pages) >= 3, f"the crawl found only {[r.url for r in crawl.pages]}: are links missing?"
    problems = [f"{r.where}: {p}" for r in crawl.records if r.kind != "form-error" for p in r.problems]
    problems += [f"[{role} {lang}] console error on {url}: {text}" for url, text in crawl.console_errors]
    problems += [f"[{role} {lang}] {path_of(file)} (linked from {path_of(page)}): HTTP {status}"
                 for page, file, status, _type in crawl.downloads if status >= 400]
    assert not problems, f"{len(problems)} problems on {len(crawl.pages)} pages:\n" + "\n".join(problems)
    if len(crawl.pages) >= MAX_PAGES_PER_CRAWL:
        print(f"note: the crawl stopped at its cap of {MAX_PAGES_PER_CRAWL} pages")


@pytest.mark.parametrize("role, lang", COMBINATIONS)
def test_no_accessibility_violation(site, role, lang):
    crawl = site.crawl(role, lang)
    checked = [r for r in crawl.records if r.axe_checked]
    print(f"axe-core ran on {len(checked)} of {len(crawl.records)} pages")
    assert checked or lang != "fr", "axe-core ran on no page"
    failing = [r for r in checked if r.axe]
    report = "\n".join(f"{r.where}\n{describe_violations(r.axe)}" for r in failing)
    assert not failing, f"axe-core found violations on {len(failing)} of {len(checked)} pages:\n{report}"


@pytest.mark.parametrize("role, lang", COMBINATIONS)
def test_no_request_leaves_the_site(site, role, lang):
    crawl = site.crawl(role, lang)
    assert not crawl.external_requests, "requests to other origins (they failed at the dead proxy):\n" + "\n".join(
        f"  from {page}: {url}" for page, url in crawl.external_requests)


@pytest.mark.parametrize("role, lang", COMBINATIONS)
def test_forms_submitted_empty_show_their_errors(site, role, lang):
    crawl = site.crawl(role, lang)
    print(f"{len(crawl.form_errors)} forms submitted empty: "
          + ", ".join(sorted({r.source.removeprefix(site.origin) for r in crawl.form_errors})))
    assert crawl.form_errors, "no POST form with a text field was found: the crawl cannot have seen the site"
    problems = [f"{r.where}: {p}" for r in crawl.form_errors for p in r.problems]
    assert not problems, "\n".join(problems)


# The pages the law requires, reached from the footer of the first page: every crawl visits them, so that the
# checks above (and axe, vnu, the page weight and the layout at 320 px, which read the same crawls) cover them.
REQUIRED_PAGES = {"/legal-notice", "/personal-data", "/accessibility", "/sitemap", "/counters", "/donnees"}


@pytest.mark.parametrize("role, lang", COMBINATIONS)
def test_every_crawl_reaches_the_required_pages(site, role, lang):
    visited = {path_of(r.url) for r in site.crawl(role, lang).pages}
    assert REQUIRED_PAGES <= visited, f"not reached: {REQUIRED_PAGES - visited}"


@pytest.mark.parametrize("role, lang", COMBINATIONS)
def test_every_crawl_reaches_every_process_of_the_demo(site, role, lang):
    """One per phase state (ideas, study, vote, follow-up): the checks above see each state's page."""
    visited = {path_of(r.url) for r in site.crawl(role, lang).pages}
    assert "/processus" in visited
    assert len({path for path in visited if re.fullmatch(r"/processus/\d+", path)}) == 4, sorted(visited)
