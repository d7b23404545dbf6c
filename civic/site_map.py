"""The site map's pages, declared by each package on its views, beside the route and the access.

A page reached by GET without an argument is either in the map, ``@in_site_map(_l("Proposals"), order=...)``,
or left out with the reason, ``@not_in_site_map("a step of the registration form")``:
tests/test_legal_pages.py fails on a public one that says neither, so the map cannot silently miss a page,
and no distant file lists other packages' pages.

The map shows the pages by ``order``, in bands (below), so that a package places its pages without knowing the
others' numbers.
"""
from dataclasses import dataclass

from flask import current_app, url_for
from flask_login import current_user

from .access import can

# The bands of ``order``: the home page, what people come for, their account, what the law requires.
HOME, PARTICIPATION, ACCOUNT, ABOUT = 0, 100, 200, 900


@dataclass(frozen=True)
class InMap:
    label: object
    order: int


@dataclass(frozen=True)
class LeftOut:
    reason: str  # for the next developer: why a visitor would not look for this page in a map


def _declare(view, declaration):
    # Decorators under @requires are copied onto its wrapper (functools.wraps), those above it are set on it: both
    # end on the function the route calls, where site_map() and the test read them.
    if getattr(view, "civic_site_map", None) is not None:
        raise RuntimeError(f"{view.__qualname__}: the site map is declared twice")
    view.civic_site_map = declaration
    return view


def in_site_map(label, order):
    """The view (GET, no argument) is in the site map as ``label``, at ``order`` (see the bands), for those who
    may open it."""
    return lambda view: _declare(view, InMap(label, order))


def not_in_site_map(reason):
    """The view is not one that a visitor looks for in a map (a step of a form, a download, a probe), because
    ``reason``."""
    return lambda view: _declare(view, LeftOut(reason))


def declared(app):
    """{endpoint: InMap or LeftOut or None} of the app's views reached by GET without an argument."""
    return {rule.endpoint: getattr(app.view_functions[rule.endpoint], "civic_site_map", None)
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"}


def site_map():
    """[(label, url)] of the pages in the map that the reader may open, in order."""
    shown = []
    for endpoint, declaration in declared(current_app).items():
        if not isinstance(declaration, InMap):
            continue
        access = getattr(current_app.view_functions[endpoint], "civic_access", None)
        if access == "public" or (access is not None and can(current_user, access)):
            shown.append((declaration.order, str(declaration.label), url_for(endpoint)))
    return [(label, url) for _order, label, url in sorted(shown)]
