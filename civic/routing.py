"""Civic's Flask: numbers in URLs and query strings, kept within what the database columns can hold; addresses
built once; hooks looked at once; templates' globals in a plain dict, their calls made by a shorter path."""
import functools
import types

from flask import Flask, request
from flask.globals import _cv_request
from flask.templating import Environment
from jinja2.runtime import Context
from jinja2.utils import _PassArg, internalcode
from werkzeug.routing import IntegerConverter

# Primary keys are 32-bit integers on PostgreSQL and SQLite refuses Python ints past 64 bits:
# a larger number in a URL is simply a page that does not exist.
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def is_whole_number(text):
    """Digits 0-9 only: str.isdigit() alone also accepts "²" or "٣", which int() then refuses."""
    return text.isascii() and text.isdigit()


def parse_id(value, default=None):
    """A whole number that can be a database id, from form or query text; else `default`."""
    value = str(value if value is not None else "").strip()
    if is_whole_number(value) and len(value) <= 10 and int(value) <= MAX_ID:
        return int(value)
    return default


def int_arg(name, default=None):
    """A whole number from the query string, or `default` when absent, malformed or out of range."""
    return parse_id(request.args.get(name), default)


# Hooks and views whose kind (a coroutine function or not) is remembered: what the app and its extensions registered,
# a few dozen; past it the memo starts again.
SYNC_MEMO_SIZE = 1_000

# Values whose text in an address cannot change while they are kept: an object (a model row) could.
_PLAIN_VALUES = frozenset({str, int, bool, type(None)})
# Enough for every constant link of the layout and the rows of many pages; past it the memo starts again.
URL_MEMO_SIZE = 20_000  # per root
# Roots, hosts and schemes whose addresses are kept (one in production; the Host header is what a request says).
MEMO_ROOTS = 8
# Longer values are a visitor's own query text (a search, a page's arguments kept in its links): built each time,
# so that nobody fills a worker's memory with addresses of their making.
MEMO_VALUE_MAX = 64


class CivicContext(Context):
    """Jinja's template context, whose ``call`` (every function, macro and method a template calls goes through
    it: some ninety on a proposal's page) asks the same as Jinja's with fewer steps. Jinja asks ``hasattr`` and
    then, in a function of its own, ``hasattr`` again and the attribute, for the callable and for its ``__call__``,
    and pops two keywords from every call's (often empty) arguments: some eight calls where two ``getattr`` do.
    ``getattr(obj, name, None)`` answers as ``_PassArg.from_obj`` does, an undefined value's error included."""

    @internalcode
    def call(__self, __obj, *args, **kwargs):  # Jinja's names: a template may pass a keyword "self" or "obj"
        # Allow callable classes to take a context (as Jinja: their __call__ marked with a pass_* decorator).
        pass_arg = getattr(getattr(__obj, "__call__", None), "jinja_pass_arg", None)
        if pass_arg is not None:
            __obj = __obj.__call__
        else:
            pass_arg = getattr(__obj, "jinja_pass_arg", None)
        if pass_arg is _PassArg.context:
            # the active context should have access to variables set in loops and blocks without mutating the
            # context itself
            if kwargs.get("_loop_vars"):
                __self = __self.derived(kwargs["_loop_vars"])
            if kwargs.get("_block_vars"):
                __self = __self.derived(kwargs["_block_vars"])
            args = (__self,) + args
        elif pass_arg is _PassArg.eval_context:
            args = (__self.eval_ctx,) + args
        elif pass_arg is _PassArg.environment:
            args = (__self.environment,) + args
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable raised a"
                                                " StopIteration exception")


class CivicEnvironment(Environment):
    """Flask's Jinja environment, whose templates keep their globals in a plain dict. Jinja layers them over the
    environment's in a ChainMap, which every render copies into the template's context key by key, one lookup
    through both maps for each of some sixty globals (the enums, can, url_for...), for the page and for each file
    of macros it imports: some 15 µs each time, where a dict is copied whole. The environment's globals are all set
    while the app is made, before any template is loaded, as Jinja asks (``make_globals``). Its contexts are
    CivicContext."""

    context_class = CivicContext

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


class CivicFlask(Flask):
    """Flask, whose ``url_for`` remembers the addresses it built in requests. A page builds dozens (the layout's
    links alone are twenty) and Werkzeug takes some 20 µs for each; the same endpoint and values give the same
    address as long as the request is served under the same root, host and scheme, which are part of the key.
    The rules cannot change once the app serves (Flask refuses new ones), and the only url_defaults function
    (static_files: a file's hashed name) depends on the file name alone, fixed at start. Values that are not
    plain text, numbers or None are never remembered, nor anything built outside a request.

    It also remembers, for each hook and view, what ``ensure_sync`` answers: Flask asks it for every one of a
    request's hooks (some twenty: before and after the request, the template context, the view), and inspect's
    ``iscoroutinefunction`` unwraps the function again each time (seven calls); whether a function is a coroutine
    function never changes."""

    jinja_environment = CivicEnvironment

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._url_memo = {}  # {(root, host, scheme, subdomain, method): {key: address}}
        self._sync_memo = {}  # {function: what ensure_sync answers for it}

    def ensure_sync(self, func):
        if not isinstance(func, (types.FunctionType, types.MethodType, functools.partial)):
            # A callable object (its own __eq__, perhaps no hash) is not remembered. Flask-Limiter's hook is a partial.
            return super().ensure_sync(func)
        sync = self._sync_memo.get(func)
        if sync is None:
            sync = super().ensure_sync(func)
            if len(self._sync_memo) >= SYNC_MEMO_SIZE:
                self._sync_memo.clear()
            self._sync_memo[func] = sync
        return sync

    def url_for(self, endpoint, /, *, _anchor=None, _method=None, _scheme=None, _external=None, **values):
        req_ctx = _cv_request.get(None)
        if req_ctx is None or req_ctx.url_adapter is None:
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external,
                                   **values)
        # The addresses of this request's root, host and scheme, found once per request: a page asks for dozens.
        memo = getattr(req_ctx, "civic_url_memo", None)
        if memo is None:
            memo = req_ctx.civic_url_memo = self._memo_of(req_ctx.url_adapter)
        if endpoint[:1] == ".":  # relative to the blueprint of this request, as Flask resolves it
            blueprint = req_ctx.request.blueprint
            endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
        if values:
            with_bool = False
            for value in values.values():
                kind = type(value)
                if kind not in _PLAIN_VALUES or (kind is str and len(value) > MEMO_VALUE_MAX):
                    return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                           _external=_external, **values)
                with_bool = with_bool or kind is bool
            # True and 1 are equal keys but not the same text in an address: with a bool, the types are keys too.
            items = (tuple((name, type(value), value) for name, value in values.items()) if with_bool
                     else tuple(values.items()))
            key = (endpoint, _anchor, _method, _scheme, _external, items)
        elif _anchor is None and _method is None and _scheme is None and _external is None:
            key = endpoint  # most of a page's links: an endpoint alone
        else:
            key = (endpoint, _anchor, _method, _scheme, _external, ())
        url = memo.get(key)
        if url is None:
            url = super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external,
                                  **values)
            if len(memo) >= URL_MEMO_SIZE:
                memo.clear()
            memo[key] = url
        return url

    def _memo_of(self, adapter):
        where = (adapter.script_name, adapter.server_name, adapter.url_scheme, adapter.subdomain,
                 adapter.default_method)
        memo = self._url_memo.get(where)
        if memo is None:
            if len(self._url_memo) >= MEMO_ROOTS:  # hosts are what requests say: a bounded number is kept
                self._url_memo.clear()
            memo = self._url_memo[where] = {}
        return memo


def init_app(app):
    app.url_map.converters["int"] = BoundedIntConverter
