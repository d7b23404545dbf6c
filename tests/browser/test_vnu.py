"""The Nu HTML checker over every page the other browser tests saw (the one directory they are saved in), in one JVM
start.

This module runs after the crawls and the journey (pytest runs modules in name order);
run alone, it crawls first.
"""
import re

import pytest

from .crawling import LANGUAGES, ROLES
from .site import java_and_vnu, run_vnu

pytestmark = pytest.mark.browser


def test_every_page_is_valid_html(site):
    java_and_vnu()  # skips (fails in CI) before crawling when Java is missing
    for role in ROLES:
        for lang in LANGUAGES:
            try:
                site.crawl(role, lang)
            except Exception:  # reported by test_crawl.py; validate what the other crawls saved
                pass
    assert site.saved, "no HTML was saved: nothing to validate"
    errors = run_vnu(site.html_dir)
    count = sum(map(len, errors.values()))
    print(f"Nu HTML checker: {len(site.saved)} pages, {count} errors on {len(errors)} pages")
    # The same mistake in a template shows on many pages: group the messages, name a few pages each.
    groups = {}
    for path, messages in sorted(errors.items()):
        record = site.saved.get(path)
        where = record.where if record else path
        for m in messages:
            text = " ".join(m.get("message", "").split())
            key = re.sub(r"\d", "0", text)
            groups.setdefault(key, {"example": text, "extract": " ".join(m.get("extract", "").split()),
                                    "pages": []})["pages"].append(f"{where} line {m.get('lastLine', '?')}")
    lines = []
    for group in sorted(groups.values(), key=lambda g: -len(g["pages"])):
        lines.append(f"- {group['example']}")
        if group["extract"]:
            lines.append(f"    extract: {group['extract'][:160]}")
        lines.append(f"    on {len(group['pages'])} pages, e.g. " + "; ".join(group["pages"][:4]))
    assert not errors, (f"{count} Nu HTML checker errors on {len(errors)} of {len(site.saved)} pages, "
                        f"{len(groups)} distinct:\n" + "\n".join(lines))
