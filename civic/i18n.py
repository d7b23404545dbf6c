"""Language choice: a cookie set by the language switch, else Accept-Language, else French."""
from flask import current_app, request
from flask_babel import get_locale

from .extensions import babel

LANG_COOKIE = "civic_lang"


def select_locale():
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language():
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app):
    babel.init_app(app, locale_selector=select_locale)
