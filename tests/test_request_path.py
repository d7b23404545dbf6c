"""What every request costs before its view: the hooks issue no SQL of their own but the log-in check,
and templates translate in the locale in force (civic.i18n, civic.templating)."""
import collections
import importlib.util
from datetime import UTC, datetime

import jinja2
import pytest
from babel import Locale
from babel.support import Translations
from flask import Flask, render_template_string, template_rendered, url_for
from flask import sessions as flask_sessions
from flask_babel import Domain, force_locale, get_locale, get_timezone
from flask_login import current_user, login_user, logout_user
from flask_login import utils as flask_login_utils
from flask_wtf.i18n import translations as flask_wtf_translations
from jinja2 import pass_context, pass_environment, pass_eval_context
from jinja2.runtime import Context
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm.state import InstanceState
from werkzeug.routing import MapAdapter
from wtforms.widgets import core as wtforms_widgets_core

from civic import create_app, forms, i18n, routing, templating
from civic.access import Role, current_account
from civic.accounts.models import User
from civic.accounts import sessions
from civic.accounts.sessions import Account
from civic.extensions import babel, db, limiter
from civic.i18n import current_language, template_gettext
from tests.client import Page
from tests.conftest import CheckingClient
from tests.factories import login, make_district, make_proposal, make_user
from tests.queries import recording


def test_an_anonymous_page_without_data_issues_no_query(app, client, ctx):
    client.get("/login")
    with recording(app) as statements:
        assert client.get("/login").status_code == 200
    assert statements == [], str(statements)


@pytest.mark.parametrize("others", [0, 30])
def test_a_logged_in_request_checks_its_log_in_once(app, client, login_as, others):
    """One statement: the account joined to this browser's log-in, whatever other log-ins exist."""
    login_as()
    for _ in range(others):
        make_user()
    client.get("/nothing-here")
    with recording(app) as statements:
        assert client.get("/nothing-here").status_code == 404
    assert len(statements) == 1 and "login_session" in statements[0], str(statements)


def _accounts_shown(app, request):
    """The account each template of ``request()`` was rendered for, and whether it was then an object of the
    request's database session."""
    shown = []

    def record(_app, template, context):
        account = context["current_user"]
        shown.append((account, isinstance(account, User) and sa_inspect(account).persistent))

    with template_rendered.connected_to(record, app):
        request()
    return shown


def test_a_residents_reading_request_reads_their_row_without_an_orm_object(app, client, login_as):
    """The log-in check reads the account's columns; a resident's GET is given them as an Account (what the rules and
    templates read of a User, read-only), every other request the User, persistent, made from the same row."""
    district = make_district()
    resident = login_as()
    resident.district_id = district.id
    db.session.commit()
    with recording(app) as statements:
        account, _persistent = _accounts_shown(app, lambda: client.get("/nothing-here"))[0]
    assert type(account) is Account and account == resident and len(statements) == 1, str(statements)
    assert (account.id, account.role, account.display_name, account.email, account.is_authenticated) == (
        resident.id, Role.RESIDENT, resident.display_name, resident.email, True)
    assert account.district.name == district.name
    with pytest.raises(AttributeError):
        account.display_name = "Someone else"
    # A form posted (here refused: nothing typed) relates things to the account: the User.
    posted, persistent = _accounts_shown(app, lambda: client.post_form("/proposals/new", {"title": ""}))[0]
    assert type(posted) is User and persistent and posted.id == resident.id
    # Staff open jobs and sessions in their name, even on a GET.
    client.post_form("/logout", {})
    login_as(Role.MODERATOR)
    staff, persistent = _accounts_shown(app, lambda: client.get("/proposals/"))[0]
    assert type(staff) is User and persistent and staff.role is Role.MODERATOR


def test_a_user_the_session_holds_already_is_the_one_given(app, ctx):
    """A second copy of a User could not be added to the session: the log-in check gives the one it holds (a hook
    that read the account before it, a second check in the same request)."""
    user = make_user(role=Role.MODERATOR)
    with app.test_request_context("/", method="POST"):
        held = db.session.get(User, user.id)
        row = db.session.connection().execute(
            db.select(*sessions._logged_in_row().selected_columns).where(User.id == user.id)).one()
        assert sessions._user(row) is held
        db.session.expunge(held)
        made = sessions._user(row)
        assert made is not held and made.id == user.id and made in db.session and sessions._user(row) is made


def test_static_files_issue_no_query(app, client, login_as):
    login_as()
    with recording(app) as statements:
        assert client.get("/static/css/civic.css").status_code == 200
    assert statements == []


def test_templates_translate_in_the_locale_in_force(app):
    """The translation functions are bound once per render: a mail rendered for someone else in the
    same request (force_locale) is in that person's language, and placeholders are escaped."""
    template = ('{{ _("Log in") }} · {{ _("Page %(page)s", page="<b>2</b>") }} · '
                '{{ ngettext("%(num)s proposal found", "%(num)s proposals found", 1) }} · '
                '{{ ngettext("%(num)s proposal found", "%(num)s proposals found", 3) }}')
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert render_template_string(template) == ("Se connecter · Page &lt;b&gt;2&lt;/b&gt; · 1 proposition trouvée · "
                                                   "3 propositions trouvées")
        with force_locale("en"):
            assert render_template_string(template) == ("Log in · Page &lt;b&gt;2&lt;/b&gt; · 1 proposal found · "
                                                       "3 proposals found")
        assert render_template_string(template).startswith("Se connecter")
        # A string without placeholders is remembered once per catalog: its "%%" still shows one "%", escaped
        # where the template escapes, as it is where it does not (mails in text).
        plain = '{{ _("100%% of the criteria") }}|{{ _("Log in") }}'
        assert render_template_string(plain) == render_template_string(plain) == "100% of the criteria|Se connecter"
        assert app.jinja_env.from_string('{% autoescape false %}{{ _("Log in") }}{% endautoescape %}').render(
            **template_gettext()) == "Se connecter"


def test_forms_read_wtforms_messages_from_disk_once_per_language(client, monkeypatch):
    """WTForms' own messages come from a catalog read once per language, not once per request with a form; and
    they are still in the page's language."""
    reads = []
    load = Translations.load
    monkeypatch.setattr(Translations, "load", lambda *a, **k: reads.append(a) or load(*a, **k))
    for language in ("fr", "en", "fr", "en"):
        client.get("/login", headers={"Accept-Language": language})
    assert len(reads) <= 2, reads  # once per language at most (fewer if an earlier test read it)
    with client.application.test_request_context(headers={"Accept-Language": "fr"}):
        client.application.preprocess_request()
        assert flask_wtf_translations.gettext("Not a valid choice.") == "N'est pas un choix valide."


def test_addresses_are_built_once_and_follow_the_root_served_under(app, client, monkeypatch):
    """A page's links are built by Werkzeug once per endpoint and values, then remembered (civic.routing); the
    root the site is served under, the values' types and the request's blueprint still decide the address."""
    monkeypatch.setattr(app, "_url_memo", {})  # as a worker starts: other tests built these addresses already
    builds = []
    build = MapAdapter.build
    monkeypatch.setattr(MapAdapter, "build", lambda self, endpoint, *a, **k: builds.append(endpoint)
                        or build(self, endpoint, *a, **k))
    client.get("/login")
    assert len(builds) > 10, builds
    builds.clear()
    assert client.get("/login").status_code == 200
    assert builds == []
    moved = client.get("/login", base_url="http://localhost/civic/")
    assert 'href="/civic/proposals/"' in moved.get_data(as_text=True) and builds
    with app.test_request_context("/proposals/"):
        assert url_for("proposals.index", page=1) == "/proposals/?page=1"
        assert url_for("proposals.index", page=True) == "/proposals/?page=True"
        assert url_for(".index") == "/proposals/"
        assert url_for("proposals.index", _anchor="list") == "/proposals/#list"
        assert url_for("proposals.index", _external=True) == "http://civic.test/proposals/"
    with app.test_request_context("/decisions/", base_url="https://civic.test/"):
        assert url_for(".index") == "/decisions/"
        assert url_for("proposals.index", _external=True) == "https://civic.test/proposals/"
    # A visitor's own long query text (a search kept in a page's links) is built each time, never remembered.
    memo = {where: dict(addresses) for where, addresses in app._url_memo.items()}
    with app.test_request_context("/proposals/"):
        assert url_for("proposals.index", q="é" * 200) == "/proposals/?q=" + "%C3%A9" * 200
    assert app._url_memo == memo


def test_the_language_is_chosen_without_parsing_a_locale_per_request(client, monkeypatch):
    """Each language's Babel locale is made once (civic.i18n): a request only picks it, by cookie or Accept-Language."""
    parses = []
    parse = Locale.parse
    # Flask-Babel hands the selector's Locale to Locale.parse, which gives it back as it is: only codes are parsed.
    monkeypatch.setattr(Locale, "parse", lambda code, *a, **k: (isinstance(code, str) and parses.append(code))
                        or parse(code, *a, **k))
    for language in ("fr", "en", "fr", "en"):
        client.get("/login", headers={"Accept-Language": language})
    warm = len(parses)
    assert "Se connecter" in client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Log in" in client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    client.get("/lang/en?next=/login")  # the switch's cookie wins over Accept-Language
    assert "Log in" in client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert len(parses) == warm, parses[warm:]


def test_translating_in_a_loop_does_not_copy_the_templates_context(app, monkeypatch):
    """Jinja copies a template's context, with the variables set in a loop or a block, for each call of a function
    that takes it: the translation functions take only the evaluation context (escaping), and still escape where
    it applies."""
    copies = []
    derived = Context.derived
    monkeypatch.setattr(Context, "derived", lambda self, *a, **k: copies.append(1) or derived(self, *a, **k))
    template = ('{% for n in [1, 2] %}{% set page = "<b>" %}{{ _("Log in") }} {{ _("Page %(page)s", page=page) }} '
                '{{ ngettext("%(num)s proposal found", "%(num)s proposals found", n) }} '
                '{{ pgettext("answer status", "Accepted") }}|{% endfor %}'
                '{% autoescape false %}{% for n in [1] %}{{ _("Page %(page)s", page="<b>") }}{% endfor %}'
                '{% endautoescape %}')
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert render_template_string(template) == (
            "Se connecter Page &lt;b&gt; 1 proposition trouvée Acceptée|"
            "Se connecter Page &lt;b&gt; 2 propositions trouvées Acceptée|Page <b>")
    assert copies == []


def test_the_requests_commit_leaves_its_objects_as_they_are(app, client, ctx, monkeypatch):
    """The request's session ends with it: its commit does not mark every object it loaded as stale (work thrown
    away), and what the request wrote is what the next one reads."""
    for n in range(3):
        make_proposal(title=f"Proposition {n}")
    client.get("/")
    expired = []
    expire = InstanceState._expire
    monkeypatch.setattr(InstanceState, "_expire", lambda self, *a, **k: expired.append(self) or expire(self, *a, **k))
    assert "Proposition 2" in client.get("/").get_data(as_text=True)
    assert expired == []


def test_dates_and_numbers_read_the_locale_and_zone_once_per_render(app, monkeypatch):
    """The formatting filters read the locale and time zone once per render, not once per value; a template
    rendered under another locale in the same request (a mail) is formatted in that one."""
    reads = []
    monkeypatch.setattr(templating, "timezone_in_force", lambda: reads.append(1) or i18n.timezone_in_force())
    template = ('{% for n in [1000, 2000] %}{% set day = moment %}{{ n|number }} {{ day|date }} · {% endfor %}'
                '{{ share|percent }} {{ none|date }}.')
    moment = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)  # already the 6th in Paris
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert render_template_string(template, moment=moment, share=0.5) == (
            "1\u202f000 6 mars 2026 · 2\u202f000 6 mars 2026 · 50\u202f% .")
        assert len(reads) == 1
        with force_locale("en"):
            assert render_template_string(template, moment=moment, share=0.5) == (
                "1,000 6 March 2026 · 2,000 6 March 2026 · 50% .")
        assert len(reads) == 2


def test_the_catalogs_and_zone_in_force_are_flask_babels(app, monkeypatch):
    """The catalogs of the locale in force and the time zone, found from what Flask-Babel keeps on ``g`` once chosen
    (civic.i18n), are Flask-Babel's own answers, under a forced locale too."""
    domain = babel.domain_instance
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        french = domain.get_translations()
        assert french is Domain.get_translations(domain) and french.gettext("Log in") == "Se connecter"
        assert i18n.timezone_in_force() is get_timezone() and str(get_timezone()) == "Europe/Paris"
        with force_locale("en"):
            english = domain.get_translations()
            assert english is Domain.get_translations(domain) and english.gettext("Log in") == "Log in"
        assert domain.get_translations() is french


@pytest.mark.real_commits  # its own app's requests begin their own transactions
def test_sqlite_begins_each_requests_transaction_at_the_driver(app):
    """On SQLite Civic begins each request's transaction itself (civic.sqlite): straight to the driver, not through
    SQLAlchemy's execution of a statement, and still BEGIN IMMEDIATE for a request that may write."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if make_url(url).get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL's transactions are begun by its driver")
    own = create_app({"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "civic.test", "ARGON2_CHEAP": True}, env="testing")
    own.test_client_class = CheckingClient
    with own.app_context():
        engine = db.engine
        engine.dispose()  # every connection made from now on is traced
    traced, executed = [], []
    event.listen(engine, "connect", lambda connection, _record: connection.set_trace_callback(traced.append))
    event.listen(engine, "before_cursor_execute", lambda _c, _cu, statement, *_a: executed.append(statement))
    try:
        client = own.test_client()
        assert client.get("/proposals/").status_code == 200
        data = {"csrf_token": client.csrf_token(), "email": "nobody@example.org", "password": "not this one"}
        assert client.post("/login", data=data).status_code == 200  # refused: nothing written
    finally:
        with own.app_context():
            engine.dispose()
    begun = [statement for statement in traced if statement.startswith("BEGIN")]
    assert begun == ["BEGIN", "BEGIN IMMEDIATE"], traced
    assert executed and not any(statement.startswith("BEGIN") for statement in executed), executed


def test_the_language_in_force_is_chosen_once_then_read(app, monkeypatch):
    """A page asks for its language dozens of times (counts, labels, typeset texts): Flask-Babel chooses it once per
    request, then it is read where Flask-Babel keeps it, as is a locale forced for a mail; counts are shown as the
    catalog's language writes numbers."""
    chosen = []
    monkeypatch.setattr(i18n, "get_locale", lambda: chosen.append(1) or get_locale())
    count = '{{ ngettext("%(num)s proposal found", "%(num)s proposals found", 1000) }}'
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert [current_language() for _ in range(5)] == ["fr"] * 5
        with force_locale("en"):
            assert [current_language() for _ in range(5)] == ["en"] * 5
            assert render_template_string(count) == "1,000 proposals found"
        assert current_language() == "fr"
        assert render_template_string(count) == "1\u202f000 propositions trouvées"
    assert len(chosen) == 1


def test_rules_read_the_account_not_flask_logins_proxy(app, ctx, monkeypatch):
    """``can`` in templates gives the rules the account itself, read where Flask-Login keeps it once loaded: each
    read of Flask-Login's proxy looks the request and ``g`` up again, and a rule reads it several times."""
    resident = make_user()
    lookups = []
    get_user = flask_login_utils._get_user
    monkeypatch.setattr(flask_login_utils, "_get_user", lambda: lookups.append(1) or get_user())
    with app.test_request_context("/"):
        app.preprocess_request()
        login_user(resident)
        lookups.clear()
        assert render_template_string("{{ can(Action.MODERATE) }} {{ can(Action.PROPOSAL_CREATE) }}") == "False True"
        assert len(lookups) == 1  # the template's context (current_user); the rules, none


def test_the_current_account_is_flask_logins_current_user(app, ctx):
    """``current_account()`` answers what ``current_user`` does at every step of a request: the person loaded by the
    log-in check at the first read, the one logged in or out during the request, None outside one."""
    resident = make_user()
    assert current_account() is None
    with app.test_request_context("/"):
        app.preprocess_request()
        assert not current_account().is_authenticated
        assert current_account() is current_user._get_current_object()
        login_user(resident)
        assert current_account() is resident is current_user._get_current_object()
        logout_user()
        assert not current_account().is_authenticated
        assert current_account() is current_user._get_current_object()
    client = app.test_client()
    login(client, resident)
    with client:
        client.get("/")
        assert current_account() == resident and current_account() is current_user._get_current_object()


def test_whether_a_hook_is_a_coroutine_function_is_asked_once(app, client, monkeypatch):
    """Flask asks ``ensure_sync`` for each of a request's hooks and its view: Civic's app answers from what it found
    the first time (civic.routing), a plain function as it is, and keeps a bounded number of answers."""
    asked = []
    ensure_sync = Flask.ensure_sync
    monkeypatch.setattr(Flask, "ensure_sync", lambda self, func: asked.append(func) or ensure_sync(self, func))
    for _ in range(3):
        client.get("/login")
    assert len(asked) == len(set(asked)), asked

    def hook():
        return None

    async def coroutine_hook():
        return None

    assert app.ensure_sync(hook) is hook and app.ensure_sync(hook) is hook
    with pytest.raises(RuntimeError, match="async"):  # Flask's own answer: async views need its extra
        app.ensure_sync(coroutine_hook)
    for _ in range(routing.SYNC_MEMO_SIZE * 2):
        app.ensure_sync(lambda: None)
    assert len(app._sync_memo) <= routing.SYNC_MEMO_SIZE

    class Unhashable:
        __eq__ = object.__eq__
        __hash__ = None

        def __call__(self):
            return None

    app._sync_memo.clear()
    assert app.ensure_sync(Unhashable()) is not None and not app._sync_memo  # answered, not remembered


def test_a_request_finds_its_addresses_once_and_roots_are_bounded(app, client, monkeypatch):
    """The addresses remembered for the request's root, host and scheme are found once per request, not at each of
    the page's links; the Host header is what a request says, so only a few roots' addresses are kept."""
    found = []
    memo_of = routing.CivicFlask._memo_of
    monkeypatch.setattr(routing.CivicFlask, "_memo_of", lambda self, adapter: found.append(1) or memo_of(self, adapter))
    page = client.get("/login").get_data(as_text=True)
    assert page.count('href="/') > 15 and len(found) == 1
    for n in range(routing.MEMO_ROOTS * 3):
        assert client.get("/login", base_url=f"http://localhost/root{n}/").status_code == 200
        assert len(app._url_memo) <= routing.MEMO_ROOTS
    assert len(app._url_memo) > 1


def test_the_rate_limiter_looks_only_at_the_views_and_methods_it_guards(app, client, monkeypatch):
    """Civic's limits decorate the views they guard: Flask-Limiter resolves a view's exemptions and limits only for
    a request that one of them counts, not before every page, nor for the log-in page's GET (its limits count the
    POSTs); guarded requests are still counted (tests/test_rate_limits.py)."""
    resolved = []
    resolve = limiter.limit_manager.resolve_limits
    monkeypatch.setattr(limiter.limit_manager, "resolve_limits",
                        lambda *a, **k: resolved.append(a[1]) or resolve(*a, **k))
    assert client.get("/proposals/").status_code == 200
    assert client.get("/login").status_code == 200
    assert resolved == []
    assert client.get("/follow-up?code=ABCD1234").status_code == 200
    assert client.post("/login", data={"csrf_token": client.csrf_token(), "email": "a@example.org"}).status_code == 200
    assert resolved == ["counters.follow_up", "accounts.login"]


def test_the_session_cookie_is_signed_and_read_by_one_serializer(app, client, login_as, monkeypatch):
    """The cookie's signing serializer depends only on the app's keys: made once, not for each request's cookie read
    and written; a log-in still reads and writes its cookie."""
    made = []
    serializer = flask_sessions.URLSafeTimedSerializer
    monkeypatch.setattr(flask_sessions, "URLSafeTimedSerializer", lambda *a, **k: made.append(1) or serializer(*a, **k))
    login_as()
    client.get("/")
    made.clear()
    for _ in range(3):
        assert client.get("/proposals/").status_code == 200
    assert 'action="/logout"' in client.get("/").get_data(as_text=True)
    assert made == []


def test_templates_copy_their_globals_whole(client, monkeypatch):
    """Each render (the page, and each file of macros it imports) copies its template's globals into its context:
    a plain dict, copied whole, not Jinja's ChainMap over the environment's, read key by key."""
    client.get("/login")
    lookups = []
    lookup = collections.ChainMap.__getitem__
    monkeypatch.setattr(collections.ChainMap, "__getitem__", lambda self, key: lookups.append(key) or lookup(self, key))
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/proposals/"' in page and 'name="csrf_token"' in page  # url_for and csrf_token, two globals
    assert lookups == []


def _wtforms_own_html_params():
    """WTForms' html_params as WTForms wrote it (civic.forms replaces it in the loaded module)."""
    spec = importlib.util.spec_from_file_location("wtforms_widgets_as_written", wtforms_widgets_core.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.html_params


@pytest.mark.parametrize("attributes", [
    {"name": "email", "id": "email", "type": "email", "value": "", "class_": "input", "required": True},
    {"value": '<b title="x">&amp;</b>', "aria_describedby": "a-hint a-error", "data_row_id": 3, "for_": "a"},
    {"title": Markup('dit "oui" <i>là</i>'), "disabled": False, "checked": True, "max": 2.5, "min": None},
])
def test_form_fields_render_their_attributes_as_wtforms_does_without_string_formatter(attributes):
    """Fields and labels write their attributes through civic.forms' html_params: WTForms' text, escaping and order,
    without Markup.format (string.Formatter, some 7 µs an attribute)."""
    assert forms.html_params(**attributes) == _wtforms_own_html_params()(**attributes)


def test_form_pages_render_without_markups_string_formatter(client, monkeypatch):
    client.get("/login")
    formats = []
    format_ = Markup.format
    monkeypatch.setattr(Markup, "format", lambda self, *a, **k: formats.append(self) or format_(self, *a, **k))
    page = Page(client.get("/login"))
    assert page.select("input#email")[0]["autocomplete"] == "email" and page.select("label[for=password]")
    assert formats == []


def test_templates_call_functions_as_jinja_does(app, ctx):
    """Civic's template context calls what a template calls by a shorter path than Jinja's (civic.routing): each kind
    of callable gets what Jinja gives it (the context with the loop's variables, the evaluation context, the
    environment, nothing), a callable object whose ``__call__`` asks for the context too, and a StopIteration is an
    undefined value, as in Jinja's own environment."""

    class Counter:
        @pass_context
        def __call__(self, context, step):
            return f"{context.get('item')}+{step}"

    def stops():
        raise StopIteration

    functions = {
        "plain": lambda *a, **k: f"plain{a}{sorted(k.items())}",
        "with_context": pass_context(lambda context, n: f"{context.get('item')}/{context.get('page')}/{n}"),
        "with_eval_context": pass_eval_context(lambda eval_ctx, n: f"{eval_ctx.autoescape}/{n}"),
        "with_environment": pass_environment(lambda environment, n: f"{type(environment).__name__ != ''}/{n}"),
        "counter": Counter(),
        "stops": stops,
    }
    source = ("{% macro m(x, y=0) %}[{{ x }}{{ y }}{{ caller() if caller }}]{% endmacro %}{% set page = 3 %}"
              "{% for item in ['a', 'b'] %}{{ plain(1, k=2) }} {{ with_context(loop.index) }} "
              "{{ with_eval_context(item) }} {{ with_environment(item) }} {{ counter(5) }} {{ stops() is undefined }} "
              "{{ m(item, y=4) }} {% call m(item) %}in{% endcall %} {{ '<b>'|e }} {{ 'x-{}'.format(item) }}\n"
              "{% endfor %}")
    ours = app.jinja_env.from_string(source)
    assert type(ours.new_context()) is routing.CivicContext
    jinjas = jinja2.Environment(autoescape=True).from_string(source)
    assert ours.render(functions) == jinjas.render(functions)
    assert "/3/1 True/a True/a None+5 True [a4] [a0in] &lt;b&gt; x-a" in ours.render(functions)
    for undefined_call in ("{{ missing() }}", "{{ plain.y() }}", "{{ missing.a.b() }}"):
        with pytest.raises(jinja2.UndefinedError) as ours_raised:
            app.jinja_env.from_string(undefined_call).render(functions)
        with pytest.raises(jinja2.UndefinedError) as jinjas_raised:
            jinja2.Environment(autoescape=True).from_string(undefined_call).render(functions)
        assert str(ours_raised.value) == str(jinjas_raised.value)
