"""The required pages: their prose (the default, or the admin's own), the facts built from the identity and the
code, and the cookies the site sets; the site map is declared on each package's views (civic.site_map).

An admin writes a page's prose only. The facts stay those of the settings and of the running code whatever the
prose: the publisher, its SIRET, the director, the host, the DPO, the accessibility audit, the retention
durations and the cookies. So a SIRET changed after a page was written still shows.
"""
import hashlib
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext, lazy_gettext as _l

from .. import site_settings, staff_log
from ..access import Action, check
from ..domain import DomainError
from ..i18n import LANG_COOKIE, current_language
from ..links import public_url
from ..privacy.retention import rules as retention_rules
from ..targets import TargetType
from ..text import paragraphs

PREFIX = "legal."
LANGUAGE = ".lang"  # PREFIX + page + LANGUAGE: the language the admin wrote the page's text in
MAX_TEXT = 20_000
# The pages whose prose an admin may write, in the footer's order.
EDITABLE = {"legal_notice": _l("Legal notice"), "personal_data": _l("Personal data"),
            "accessibility": _l("Accessibility")}
CONFLICT = _l("Another administrator changed this page at the same moment: reload the page and check it.")
HEADING = "## "  # a paragraph whose first line starts so is a heading: the prose keeps its titles

# The default prose of each page, in the reader's language: a heading (HEADING, then its text) or a paragraph
# (%(name)s: the collectivité's name, %(url)s: the site's address).
DEFAULT_PROSE = {
    "legal_notice": [
        HEADING, _l("Credits"),
        _l("This site runs Civic, free software under the GNU Affero General Public License, version 3 or later "
           "(AGPL-3.0-or-later): anyone may use, study, change and share it."),
    ],
    "personal_data": [
        HEADING, _l("What for, and on what legal basis"),
        _l("Your account, your proposals, comments, supports and votes, and what is entered for you at a counter: "
           "the public consultation of residents, a task carried out in the public interest (GDPR, art. 6-1-e)."),
        _l("The e-mails you choose to receive about what you follow: your consent, withdrawn at any time by the "
           "link in each e-mail (GDPR, art. 6-1-a)."),
        _l("The logs of the staff's and the counters' actions: the security of the site and the proof of what "
           "was done, in the same public task (GDPR, art. 6-1-e)."),
        HEADING, _l("Who receives it"),
        _l("The staff of %(name)s who moderate, answer and run the counters, each for what their role needs, and "
           "the host of the site, who stores it for them. Your name and your contributions are public when you "
           "publish them; your ballots are stored without your name. Nothing is sold, nothing is sent outside the "
           "European Union, no advertising and no tracking."),
        HEADING, _l("Your rights"),
        _l("You may access your data, have it corrected or erased, limit its use or object to it, and receive it "
           "in a machine-readable format to give it to another service (portability, GDPR art. 20)."),
    ],
    "accessibility": [
        _l("%(name)s is committed to making its website accessible, in accordance with article 47 of law no. "
           "2005-102 of 11 February 2005. This statement applies to %(url)s."),
    ],
}


def default_text(page, name):
    """The default prose of ``page`` as the admin edits it, in the reader's language, for the collectivité
    ``name``."""
    values = {"name": name, "url": public_url("main.home")}
    parts, heading = [], False
    for part in DEFAULT_PROSE[page]:
        if part is HEADING:
            heading = True
            continue
        parts.append(HEADING + str(part) if heading else str(part) % values)
        heading = False
    return "\n\n".join(parts)


@dataclass(frozen=True)
class Prose:
    text: str
    lang: str  # the language it is written in
    own: bool  # the admin's, not the default

    @property
    def blocks(self):
        return blocks(self.text)


def prose(page, name):
    """The prose the page shows: the admin's (in the language they wrote it in), else the default."""
    stored = site_settings.get_many([PREFIX + page, PREFIX + page + LANGUAGE])
    if PREFIX + page in stored:
        return Prose(stored[PREFIX + page],
                     stored.get(PREFIX + page + LANGUAGE) or current_app.config["BABEL_DEFAULT_LOCALE"], True)
    return Prose(default_text(page, name), current_language(), False)


def blocks(text):
    """[("heading", str) | ("paragraph", lines as civic.text.paragraphs gives them)] of a page's prose."""
    out = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        first, _, rest = block.strip("\n").partition("\n")
        if first.startswith(HEADING.strip()) and first.lstrip("#").strip():
            out.append(("heading", first.lstrip("#").strip()))
            block = rest
        out.extend(("paragraph", para) for para in paragraphs(block))
    return out


staff_log.describe("settings", "legal_page", _l("Text of a legal page changed"))
staff_log.describe_fields(TargetType.SETTING, "settings", {
    "legal_page": staff_log.Field(_l("Legal page"), lambda key: EDITABLE.get(key, key)),
    # The text itself stays in the setting: the log says which version it was, not what it said.
    "legal_text": staff_log.Field(_l("Text of the page"),
                                  lambda v: gettext("%(length)s characters, SHA-256 %(hash)s…", **v)),
})


def _fingerprint(text):
    return {"length": len(text), "hash": hashlib.sha256(text.encode()).hexdigest()[:12]} if text else ""


def _log(admin, page, before, after):
    if before != after:
        staff_log.record(admin, "settings", "legal_page", TargetType.SETTING, None,
                         {"legal_page": page, "legal_text": _fingerprint(before)},
                         {"legal_page": page, "legal_text": _fingerprint(after)})


def save_text(admin, page, text, name):
    """Store ``admin``'s prose for ``page`` in the reader's language; the default prose sent back untouched
    stays the default, which follows the identity and the reader's language."""
    check(admin, Action.IDENTITY_MANAGE)
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise DomainError(_l("Write the page's text, or choose to go back to the default text."), field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(_l("Enter at most %(max)d characters.", max=MAX_TEXT), field="text")
    before = site_settings.get(PREFIX + page, "")
    if text == default_text(page, name):
        back_to_default(admin, page)
        return
    site_settings.put(PREFIX + page, text, DomainError(CONFLICT))
    site_settings.put(PREFIX + page + LANGUAGE, current_language(), DomainError(CONFLICT))
    _log(admin, page, before, text)


def back_to_default(admin, page):
    check(admin, Action.IDENTITY_MANAGE)
    before = site_settings.get(PREFIX + page, "")
    site_settings.remove(PREFIX + page)
    site_settings.remove(PREFIX + page + LANGUAGE)
    _log(admin, page, before, "")


# Server logs are written by gunicorn and nginx, not Civic: no rule of civic.privacy.retention purges them (the
# README's Retention says how to rotate them). The page states the limit the operator is asked to keep.
SERVER_LOG_DAYS = 365


@dataclass(frozen=True)
class Kept:
    label: object
    days: int
    why: object


def retention():
    """[Kept] of the personal-data page: the registered rules and the server logs, shortest first."""
    kept = [Kept(rule.label, rule.days, rule.why) for rule in retention_rules()]
    kept.append(Kept(_l("Server logs (addresses and pages requested)"), SERVER_LOG_DAYS,
                         _l("The web server records each request to keep the site secure and to trace an "
                            "attack; the CNIL's recommendation on logging (2021) asks for six months to one year. "
                            "They are kept one year at most, then deleted.")))
    return sorted(kept, key=lambda k: (k.days, str(k.label).casefold()))


def years_or_days(days):
    """A duration as people say it: years when it is a whole number of them, days otherwise."""
    return ("years", days // 365) if days and days % 365 == 0 else ("days", days)


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
