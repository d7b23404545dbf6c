"""The counting core stays small, documented and free of the web stack."""
import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from civic.voting import ballot_file, explain

PACKAGE = Path(__file__).resolve().parents[2] / "civic" / "voting"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
METHODS = ["yes_no", "single_choice", "approval", "majority_judgment", "budget"]


@pytest.mark.parametrize("module", MODULES + ["__init__"])
def test_standard_library_only(module):
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)
    assert ast.get_docstring(tree), f"{module} has no module docstring"


def test_runs_without_the_rest_of_civic():
    """Loaded as a stand-alone package, the core imports neither Flask nor SQLAlchemy."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        + "".join(f"import voting.{m};" for m in MODULES)
        + "assert not {'flask', 'sqlalchemy'} & set(sys.modules), 'web stack imported'"
    )
    subprocess.run([sys.executable, "-c", code, str(PACKAGE.parent)], check=True)


@pytest.mark.parametrize("module", METHODS)
def test_plain_explanations_in_both_languages(module):
    mod = importlib.import_module(f"civic.voting.{module}")
    for text in (mod.EXPLANATION_EN, mod.EXPLANATION_FR):
        assert isinstance(text, str) and 100 < len(text) < 1000 and "\n" not in text


@pytest.mark.parametrize("method, rule", [(m, None) for m in METHODS if m != "budget"]
                         + [("budget", "greedy"), ("budget", "equal_shares")])
def test_one_tie_break_per_method_and_rule_in_both_languages_said_once_on_the_pages(method, rule):
    """The files' English sentence and the pages' French one are the same pair; the explanation says it last,
    once; a budget's is its own rule's, and no rule of a decision's counts points."""
    english, french = (explain.tie_break(method, rule, lang) for lang in ("en", "fr"))
    assert english == ballot_file.tie_break(method, rule) and french and french != english
    assert "points" not in english
    for lang, sentence in (("en", english), ("fr", french)):
        paragraphs = explain.explanation(method, rule, lang)
        assert paragraphs[-1] == explain.TIES[lang].format(sentence)
        assert sum(sentence in p for p in paragraphs) == 1


def test_a_budget_s_tie_break_needs_its_rule():
    assert explain.tie_break("budget", None) is None
    with pytest.raises(ValueError):
        ballot_file.tie_break("budget")


def test_importing_civic_voting_loads_no_web_stack():
    """Through the real package path too: civic/__init__.py defers the app's imports to create_app()."""
    code = (
        "import sys;"
        + "".join(f"import civic.voting.{m};" for m in MODULES)
        + "assert not {'flask', 'sqlalchemy'} & set(sys.modules), 'web stack imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PACKAGE.parents[1])
