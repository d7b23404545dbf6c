"""The required pages: their texts (the default, built from the identity, or the admin's own) and the cookies
the site sets; the site map is declared on each package's views (civic.site_map).

A page's own text replaces its default prose, not the facts the code holds: the retention
durations and the cookies on the personal-data page, the list of the site map, are always
those of the running code.
"""
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from .. import site_settings
from ..domain import DomainError
from ..i18n import LANG_COOKIE

PREFIX = "legal."
MAX_TEXT = 20_000
# The pages whose prose an admin may write, in the footer's order.
EDITABLE = {"legal_notice": _l("Legal notice"), "personal_data": _l("Personal data"),
            "accessibility": _l("Accessibility")}
CONFLICT = _l("Another administrator changed this page at the same moment: reload the page and check it.")


def own_text(page):
    """The admin's text for ``page`` (a key of EDITABLE), "" when the page shows its default."""
    return site_settings.get(PREFIX + page, "")


def save_text(page, text):
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise DomainError(_l("Write the page's text, or choose to go back to the default text."), field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(_l("Enter at most %(max)d characters.", max=MAX_TEXT), field="text")
    site_settings.put(PREFIX + page, text, DomainError(CONFLICT))


def back_to_default(page):
    site_settings.remove(PREFIX + page)


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: object
    lifetime: object


def cookies():
    """Every cookie the site may set. Both are strictly necessary (the CNIL's exemption): no consent is asked,
    and tests/test_cookies.py fails if a page sets another one."""
    return [
        Cookie(current_app.config["SESSION_COOKIE_NAME"],
               _l("Keeps you logged in, protects the forms against forged requests (CSRF), and carries a message "
                  "from one page to the next (\"saved\") and the counter an agent works at. It holds no "
                  "tracking identifier."),
               _l("Until the browser is closed; a log-in ends after %(hours)d hours at most.",
                  hours=current_app.config["LOGIN_SESSION_MAX_AGE"] // 3600)),
        Cookie(LANG_COOKIE, _l("Remembers the language you chose with the language links."), _l("One year")),
    ]
