"""Layout on a phone. Reflow (WCAG 1.4.10): every page the crawls visit, as every role and in both languages, reads at 320 CSS
pixels without scrolling sideways, and no box of it scrolls sideways at 320 or at 1280 pixels (a table behind a
scroll bar hides columns; axe calls a scrolling region without focusable content a keyboard trap).

Radios and checkboxes have targets (their label) at least 44 px high (WCAG 2.5.5), on every page.

The widths are measured in tests/browser/site.py while the crawl is on each page, error states of forms included.
"""
import pytest

from .test_crawl import COMBINATIONS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role, lang", COMBINATIONS)
def test_no_page_scrolls_sideways_at_320_px(site, role, lang):
    crawl = site.crawl(role, lang)
    failing = [r for r in crawl.records if r.reflow]
    report = "\n".join(f"{r.where}\n" + "\n".join(f"  {p}" for p in r.reflow) for r in failing)
    measured = [r for r in crawl.records if r.html]
    assert measured, "no page was measured"
    assert not failing, f"{len(failing)} of {len(measured)} pages scroll sideways:\n{report}"


@pytest.mark.parametrize("role, lang", COMBINATIONS)
def test_every_radio_and_checkbox_has_a_44_px_target(site, role, lang):
    crawl = site.crawl(role, lang)
    failing = [r for r in crawl.records if r.small_targets]
    report = "\n".join(f"{r.where}: " + ", ".join(r.small_targets) for r in failing)
    assert not failing, f"{len(failing)} pages have small targets:\n{report}"
