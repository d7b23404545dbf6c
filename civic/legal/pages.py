"""The required pages: their texts (the default, built from the identity, or the admin's own), the cookies
the site sets, and the site map read from the routes.

A page's own text replaces its default prose, not the facts the code holds: the retention
durations and the cookies on the personal-data page, the list of the site map, are always
those of the running code.
"""
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import site_settings
from ..access import can
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


# Pages of the site map, by endpoint, in its order. A page reached without an argument and not listed here
# nor in NOT_IN_MAP fails tests/test_legal_pages.py: the map cannot silently miss a page.
TITLES = {
    "main.home": _l("Home"),
    "proposals.index": _l("Proposals"),
    "proposals.new": _l("Submit a proposal"),
    "decisions.index": _l("Votes and consultations"),
    "moderation.journal": _l("Moderation journal"),
    "counters.public_counters": _l("Mediation counters"),
    "counters.follow_up": _l("Follow a contribution made at a counter"),
    "accounts.register": _l("Create an account"),
    "accounts.login": _l("Log in"),
    "accounts.forgot_password": _l("Forgotten password"),
    "accounts.account": _l("My account"),
    "accounts.my_data": _l("My data"),
    "counters.attach": _l("Attach contributions made at a counter"),
    "legal.legal_notice": _l("Legal notice"),
    "legal.personal_data": _l("Personal data"),
    "legal.accessibility": _l("Accessibility"),
    "legal.sitemap": _l("Site map"),
}
# Pages without an argument that a visitor does not look for in a map: the steps of a form, downloads, staff work.
NOT_IN_MAP = {"accounts.check_email", "accounts.reset_sent", "accounts.my_data_json", "accounts.change_password",
              "counters.desk", "counters.register_resident", "counters.session_home", "decisions.new"}


def site_map():
    """[(label, url)] of the pages the reader may open, from the routes and their access rules."""
    rules = {rule.endpoint: rule for rule in current_app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.arguments}
    shown = []
    for endpoint, label in TITLES.items():
        view = current_app.view_functions.get(endpoint)
        if endpoint not in rules or view is None:
            continue
        access = getattr(view, "civic_access", None)
        if access == "public" or (access is not None and can(current_user, access)):
            shown.append((label, url_for(endpoint)))
    return shown
