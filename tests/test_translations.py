"""French and English stay complete, and the compiled catalogs are what the app serves."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2.nodes import EvalContext
from markupsafe import Markup

from civic.i18n import template_gettext
from civic.voting import majority_judgment

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
    root = TRANSLATIONS.parent
    out = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "-k", "lazy_pgettext:1c,2", "--no-location", "-o", str(out), "."],
                   cwd=root, check=True, capture_output=True)
    with open(out, "rb") as handle:
        fresh = {(m.context, m.id) for m in read_po(handle) if m.id}
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        committed = {(m.context, m.id) for m in read_po(handle) if m.id}
    assert len(fresh) > 100, "the extraction found no string: is babel.cfg right?"
    assert fresh - committed == set(), "run make translations"


# Words that name different things in different places: a grade and a moderation decision ("Reject": moderators
# read "À rejeter"), a button and a heading, a menu and a count ("Votes", "Voix"), a counter's state and a vote's.
# Each use says which with a context (pgettext, lazy_pgettext), and the catalogs translate each apart.
SEVERAL_MEANINGS = {"Reject", "Publish", "Hide", "Restore", "Merge", "Keep", "Open", "Close", "Closed", "Vote",
                    "Votes", "Report", "Reply", "Answer", "Done", "Accepted", "Published", "Rejected", "Hidden",
                    "Restored"}
# Single words used by several packages with one meaning wherever they are: reviewed, and listed here.
ONE_MEANING = {"Account", "Action", "Administration", "All", "Counter", "Decision", "District", "Filter", "From",
               "Districts", "Moderate", "Moderation", "Name", "Nothing.", "Proposals", "Reason:", "Resident", "Save",
               "Search", "Settings", "Show", "State", "Status", "Theme", "Themes", "Title", "When", "Yes", "No",
               # The site's publisher and host (mentions légales), its accessibility, its home page: one meaning each.
               "Accessibility", "Home", "Host", "Publisher",
               # The processes' pages, their staff log and their mails name the same things as the other packages.
               "Description", "Districts", "Feasibility", "Projects", "Proposal",
               # A consultation's questionnaire: its label as a target type and its part of a process's page.
               "Questionnaire",
               # An option of a vote or of a questionnaire's question: one of the choices offered.
               "Option"}


def test_words_of_several_meanings_always_carry_a_context():
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        bare = {m.id for m in read_po(handle) if m.id and not m.context}
    # The grades of majority judgment are named by the counting module itself, in both languages: the same
    # word in the catalog is something else, and needs a context.
    grades = set(majority_judgment.LABELS_EN.values())
    assert bare & (SEVERAL_MEANINGS | grades) == set()


def test_a_single_word_used_by_several_packages_is_reviewed_for_its_meanings(tmp_path):
    """A new single-word string shared by two packages is either given a context where it means something else,
    or added to ONE_MEANING once checked."""
    root = TRANSLATIONS.parent
    out = tmp_path / "located.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "-k", "lazy_pgettext:1c,2", "-o", str(out), "."],
                   cwd=root, check=True, capture_output=True)
    with open(out, "rb") as handle:
        located = [m for m in read_po(handle) if m.id and not m.context and isinstance(m.id, str)]

    def package(path):
        return Path(path).parts[1]  # civic/<package> or templates/<package>

    shared = {m.id for m in located if " " not in m.id and len({package(p) for p, _line in m.locations}) > 1}
    assert shared - ONE_MEANING == set()


@pytest.mark.parametrize("value, shown", [
    ("<b>Léa & Tom</b>", "&lt;b&gt;Léa &amp; Tom&lt;/b&gt;"),  # a resident's text: escaped
    (Markup("<em>Parc</em>"), "<em>Parc</em>"),  # already markup (a label the template built): kept
    (1234, "1234"), (2.5, "2.5"), (None, "None"),
])
def test_a_templates_text_formats_its_values_as_markups_own_formatting_would(app, value, shown):
    """The translation functions of templates escape each value before formatting (cheaper than Markup's own "%"):
    the same text for every kind of value, and "%%" still a single "%"."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        gettext = template_gettext()["_"]
        escaping = EvalContext(app.jinja_env)
        escaping.autoescape = True
        text = gettext(escaping, "%(name)s: 100%% sure", name=value)
        assert isinstance(text, Markup) and text == f"{shown}: 100% sure"
        assert text == Markup("%(name)s: 100%% sure") % {"name": value}
        escaping.autoescape = False
        assert gettext(escaping, "%(name)s: 100%% sure", name=value) == f"{value}: 100% sure"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        count = template_gettext()["ngettext"](EvalContext(app.jinja_env), "%(num)s %(what)s", "%(num)s %(what)ss", 3,
                                               what=value)
        assert count.startswith("3 ")
