"""Language choice: a cookie set by the language switch, else Accept-Language, else French.

Templates translate through functions bound, once per render, to the catalog of the locale in
force (the request's, or the one ``force_locale`` sets for a mail): Flask-Babel's own template
functions look the request context, the locale and the catalog up again for each of the dozens
of strings of a page, which cost more than the rest of the layout together.
"""
from functools import cache
from weakref import WeakKeyDictionary

from babel import Locale
from babel.support import Translations
from flask import current_app, request
from flask.globals import _cv_app
from flask_babel import Domain, get_locale, get_timezone, get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup, escape
from wtforms.i18n import messages_path

from .extensions import babel
from .typography import number, typeset

LANG_COOKIE = "civic_lang"

_template_functions = WeakKeyDictionary()
_texts = {}  # {locale: {key: text}}
_codes = {}  # {locale: its code}: str() of a Locale builds it again each time


@cache
def _locale(code):
    """Babel's Locale for a language code. Flask-Babel parses the code its selector returns on every request (it
    returns a Locale it is given as it is); a Locale never changes once made (its data is read at first use)."""
    return Locale.parse(code)


def select_locale():
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen not in languages:
        chosen = request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    return _locale(chosen)


def _kept_by_flask_babel(name):
    """What Flask-Babel keeps on ``g`` once chosen for the request (``babel_locale``, which ``force_locale`` sets too;
    ``babel_tzinfo``), or None before it chose."""
    app_context = _cv_app.get(None)
    return getattr(getattr(app_context.g, "_flask_babel", None), name, None) if app_context is not None else None


def _locale_in_force():
    """Flask-Babel's ``get_locale()``, read first where Flask-Babel keeps it: ``get_locale`` looks the context up
    three times through Flask's proxies, some 2 µs, and a page asks for the language dozens of times (counts, labels,
    typeset texts)."""
    return _kept_by_flask_babel("babel_locale") or get_locale()


def timezone_in_force():
    """Flask-Babel's ``get_timezone()``, read first where Flask-Babel keeps it, as ``_locale_in_force`` reads the
    locale: ``get_timezone`` looks the context up through Flask's proxies each time."""
    return _kept_by_flask_babel("babel_tzinfo") or get_timezone()


def current_language():
    locale = _locale_in_force()
    if locale is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    code = _codes.get(locale)
    if code is None:
        code = _codes[locale] = str(locale)
    return code


class TypesetDomain(Domain):
    """Flask-Babel's catalogs, each typeset for its language once, when it is loaded: every string of the
    catalog (templates, flash messages, form errors, mails) then reaches the reader with its language's
    spaces around punctuation, at no cost per render."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # {locale: its catalogs}, what Flask-Babel's own cache holds for this domain (keyed by the locale's code and
        # the domain, never emptied): found here from the locale in force, without Flask-Babel's lookups of the
        # context, the domain and the locale again (some 40 calls, for each render and each lazy text shown).
        self._by_locale = {}

    def get_translations(self):
        locale = _locale_in_force()
        translations = self._by_locale.get(locale) if locale is not None else None
        if translations is not None:
            return translations
        translations = super().get_translations()
        catalog = getattr(translations, "_catalog", None)  # gettext's own table: {msgid or (msgid, n): msgstr}
        if catalog is not None and not getattr(translations, "civic_typeset", False):
            lang = current_language()
            for key, text in catalog.items():
                if key:  # "" is the catalog's header
                    catalog[key] = typeset(text, lang)
            translations.civic_typeset = True
        if locale is not None:
            self._by_locale[locale] = translations
        return translations


def _formatted(text, autoescape, variables):
    if not autoescape:
        return text % variables
    # The values escaped before a plain str's formatting, rather than Markup's own "%": that wraps every value and
    # the mapping in helper objects (a count's text 3.1 µs against 1.9, and a page formats dozens: counts, dates,
    # names). The same text: a number is written by "%s" as escaped ("%d" keeps taking it), anything else as
    # Markup's helper writes it, escaped.
    return Markup(text % {key: value if isinstance(value, (int, float)) else escape(value)
                          for key, value in variables.items()})


def _bound_to(translations, language):
    """``_``/``gettext`` and ``ngettext`` as Jinja's "newstyle" gettext defines them (the text escaped when
    the template autoescapes, then always formatted with the keyword arguments), on one catalog. They take the
    evaluation context, all they read, not the template's context: Jinja gives a function that takes the latter
    a copy of it, with the loop's variables, at each call from within a loop or a block (some 10 µs each)."""

    # Most strings of a page have no placeholder: each is looked up, escaped and formatted ("%%" -> "%") once
    # per catalog, whether the template autoescapes or not.
    plain = {}

    @pass_eval_context
    def gettext(eval_ctx, string, /, **variables):
        autoescape = eval_ctx.autoescape
        if not variables:
            text = plain.get((string, autoescape))
            if text is None:
                text = plain[string, autoescape] = _formatted(translations.ugettext(string), autoescape, {})
            return text
        return _formatted(translations.ugettext(string), autoescape, variables)

    @pass_eval_context
    def ngettext(eval_ctx, singular, plural, count, /, **variables):
        # Positional-only, as Jinja's own: a template may give its own num= (a formatted number); the
        # count is otherwise shown as a number of the reader's language ("1 000", grouped by a no-break space).
        if "num" not in variables:
            variables["num"] = number(count, language) if isinstance(count, int) else count
        return _formatted(translations.ungettext(singular, plural, count), eval_ctx.autoescape, variables)

    @pass_eval_context
    def pgettext(eval_ctx, msgctxt, string, /, **variables):
        """A word of several meanings: its context says which (see CONTRIBUTING, Strings)."""
        return _formatted(translations.pgettext(msgctxt, string), eval_ctx.autoescape, variables)

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext, "pgettext": pgettext}


def text_once(key, lazy):
    """``str(lazy)`` in the locale in force, remembered for that locale under ``key``: a list of fifty rows
    shows the same labels fifty times, and each lazy text looks its catalog up again (some 15 µs; finding the
    catalog costs as much, hence the locale as the key)."""
    texts = _texts.setdefault(_locale_in_force(), {})
    text = texts.get(key)
    if text is None:
        text = texts[key] = str(lazy)
    return text


def template_gettext():
    """The translation functions of a template rendered now (see the module)."""
    translations = get_translations()
    functions = _template_functions.get(translations)
    if functions is None:
        # Each language has catalogs of its own: the one in force now says the language of the counts.
        functions = _template_functions[translations] = _bound_to(translations, current_language())
    return functions


@cache
def _wtforms_catalog(locale):
    return Translations.load(messages_path(), [locale], domain="wtforms")


def init_app(app):
    babel.init_app(app, locale_selector=select_locale)
    babel.domain_instance = TypesetDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))

    @app.before_request
    def _wtforms_messages():
        # Flask-WTF reads WTForms' own messages (a field's default label, "Not a valid choice") from
        # request.wtforms_translations, and without it loads their catalog from disk once per request that
        # builds a form: ~0.3 ms of every page with a form. The catalog of each language is read once.
        request.wtforms_translations = _wtforms_catalog(current_language())
