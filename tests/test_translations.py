"""French and English stay complete, and the compiled catalogs are what the app serves."""
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_catalog_is_complete(lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        template = read_po(handle)
    missing, fuzzy, broken = [], [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if not all(strings):
            missing.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
        expected = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            if string and set(PLACEHOLDER.findall(string)) != expected:
                broken.append(message.id)
    assert missing == [] and fuzzy == [] and broken == []
    assert {m.id for m in template if m.id} <= {m.id for m in catalog if m.id}, "run make translations"


def test_french_error_prefix_is_exact():
    with open(TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    assert catalog.get("Error: ").string == "Erreur : "


def test_every_string_in_the_code_is_in_the_catalogs(tmp_path):
    """A string added to a template or to Python without `make translations` would show untranslated."""
    import subprocess
    import sys

    root = TRANSLATIONS.parent
    out = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "--no-location", "-o", str(out), "."],
                   cwd=root, check=True, capture_output=True)
    with open(out, "rb") as handle:
        fresh = {m.id for m in read_po(handle) if m.id}
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        committed = {m.id for m in read_po(handle) if m.id}
    assert len(fresh) > 100, "the extraction found no string: is babel.cfg right?"
    assert fresh - committed == set(), "run make translations"
