"""Imports point down: read from the source, as the purity test of the counting core does.

- Every import is at the top of its module (one exception: civic/__init__.py keeps the counting
  core importable without Flask).
- The modules' imports make no cycle.
- Only the application factory (civic.app) imports a package's views; a view imports no view.
- The core (civic's top-level modules, civic.opendata, civic.privacy, civic.voting) imports no feature package;
  the factory, the commands, the demo and bench data and the templates' helpers sit above everything.
- A package's models import only models and the core.
"""
import ast
from pathlib import Path

import pytest

CIVIC = Path(__file__).resolve().parents[1] / "civic"
# Above every package: they bring the packages together.
TOP = {"civic.app", "civic.cli", "civic.demo", "civic.scale_data", "civic.templating"}
CORE_PACKAGES = ("civic.opendata", "civic.privacy", "civic.voting")


def _module_name(path):
    parts = path.relative_to(CIVIC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules():
    return {_module_name(path): path for path in sorted(CIVIC.rglob("*.py"))}


MODULES = _modules()


def _resolve(module, node):
    """The civic modules an import statement names (a name imported from a package may be a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.startswith("civic")]
    package = module if MODULES[module].name == "__init__.py" else module.rsplit(".", 1)[0]
    if node.level:
        base = package.split(".")
        base = base[:len(base) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not target.startswith("civic"):
        return []
    names = [f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in MODULES]
    return names or [target]


def _imports(module):
    """(top-level imports, imports inside functions or classes) of a module, as civic module names."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    top = [target for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
           for target in _resolve(module, node)]
    nested = [target for outer in tree.body if not isinstance(outer, (ast.Import, ast.ImportFrom))
              for node in ast.walk(outer) if isinstance(node, (ast.Import, ast.ImportFrom))
              for target in _resolve(module, node)]
    return top, nested


GRAPH = {module: sorted(set(_imports(module)[0]) & set(MODULES)) for module in MODULES}


def _is_core(module):
    return (module.count(".") == 1 and module not in TOP) or module.startswith(CORE_PACKAGES) or module == "civic"


def _package(module):
    return module.split(".")[1] if module.count(".") >= 2 else None


def test_imports_are_at_the_top_of_their_module():
    nested = {module: _imports(module)[1] for module in MODULES}
    assert {module: targets for module, targets in nested.items() if targets} == {"civic": ["civic.app"]}


def test_the_imports_make_no_cycle():
    seen, cycles = {}, []

    def visit(module, path):
        seen[module] = "visiting"
        for target in GRAPH[module]:
            if seen.get(target) == "visiting":
                cycles.append(path[path.index(target):] + [target])
            elif target not in seen:
                visit(target, path + [target])
        seen[module] = "done"

    for module in MODULES:
        if module not in seen:
            visit(module, [module])
    assert cycles == []


def test_only_the_factory_imports_views():
    importers = {module: [t for t in targets if t.endswith(".views")] for module, targets in GRAPH.items()}
    assert {module: views for module, views in importers.items() if views and module != "civic.app"} == {}
    packages = {_package(module) for module in MODULES if module.endswith(".views")}
    assert {_package(t) for t in GRAPH["civic.app"] if t.endswith(".views")} == packages


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _is_core(m)))
def test_the_core_imports_no_feature_package(module):
    assert [t for t in GRAPH[module] if not _is_core(t)] == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.endswith(".models")))
def test_models_import_only_models_and_the_core(module):
    assert [t for t in GRAPH[module] if not (_is_core(t) or t.endswith(".models"))] == []


def test_the_counting_core_imports_nothing_of_civic():
    voting = {module: [t for t in targets if not t.startswith("civic.voting")]
              for module, targets in GRAPH.items() if module.startswith("civic.voting")}
    assert {module: targets for module, targets in voting.items() if targets} == {}
