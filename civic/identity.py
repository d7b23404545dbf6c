"""Who publishes the site: the collectivité's name, SIRET, addresses and contacts, its host, its DPO, its logo
and the state of its accessibility audit, as its admins set them (settings ``identity.*``).

Every page shows the name in its header and title: read from the database on each page, that would be a
statement for pages that have none otherwise. Each worker keeps what it read for
``IDENTITY_CACHE_SECONDS`` (config.py); the worker that saves forgets it once the change is committed,
the others see it when their copy ages out. Without settings, the name is ``COLLECTIVITE_NAME``.
"""
import hashlib
import time
from datetime import date
from dataclasses import dataclass, fields
from weakref import WeakKeyDictionary

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError

from . import site_settings
from .transaction import after_commit

PREFIX = "identity."
# The parts of the identity the form edits, in its order; the logo is stored under LOGO apart.
TEXT_FIELDS = ("name", "siret", "address", "email", "phone", "contact_url", "director", "host_name",
               "host_address", "host_contact", "dpo_contact", "audit_date", "audit_by", "audit_rate",
               "audit_environment", "audit_pages", "nonconformities", "disproportionate_burden", "declared_on")
LOGO = "logo"

# RGAA: totally conforming at 100 % of the criteria met, partially from 50 %, otherwise not; a site never
# audited is declared not conforming (the automated checks are not an audit).
FULL, PARTIAL, NONE = "full", "partial", "none"
ACCESSIBILITY_LABELS = {FULL: _l("totally conforming"), PARTIAL: _l("partially conforming"),
                        NONE: _l("not conforming")}


@dataclass(frozen=True)
class Identity:
    name: str
    siret: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""
    contact_url: str = ""
    director: str = ""
    host_name: str = ""
    host_address: str = ""
    host_contact: str = ""
    dpo_contact: str = ""
    audit_date: str = ""  # ISO day, "" when no audit was made
    audit_by: str = ""
    audit_rate: str = ""  # percentage of the RGAA criteria met, "" without an audit
    # The parts of the RGAA 4.1 model of the statement only the audit knows, one item per line: the browsers and
    # assistive technologies it used, the pages of its sample, the non-conformities it found; and the
    # exemptions the collectivité claims for a disproportionate burden.
    audit_environment: str = ""
    audit_pages: str = ""
    nonconformities: str = ""
    disproportionate_burden: str = ""
    declared_on: str = ""  # ISO day of the accessibility statement
    logo: str = ""  # the sanitised SVG

    @property
    def logo_version(self):
        """Part of the logo's address: a new logo has a new address, so browsers may keep each one for ever."""
        return hashlib.sha256(self.logo.encode()).hexdigest()[:16] if self.logo else ""

    @property
    def audited(self):
        return bool(self.audit_date and self.audit_rate.isdigit())

    @property
    def accessibility(self):
        """FULL, PARTIAL or NONE, as the RGAA decides it from the audit's rate."""
        if not self.audited:
            return NONE
        rate = int(self.audit_rate)
        return FULL if rate >= 100 else PARTIAL if rate >= 50 else NONE

    @property
    def fully_conforming(self):
        return self.accessibility == FULL

    @property
    def accessibility_label(self):
        return ACCESSIBILITY_LABELS[self.accessibility]

    def day(self, name):
        """The date held by the field ``name`` ("" or an ISO day), or None."""
        try:
            return date.fromisoformat(getattr(self, name)) if getattr(self, name) else None
        except ValueError:
            return None

    def values(self):
        return {f.name: getattr(self, f.name) for f in fields(self)}


# How the form and the staff log name each part.
LABELS = {
    "name": _l("Name of the collectivité"), "siret": _l("SIRET"), "address": _l("Postal address"),
    "email": _l("Contact e-mail address"), "phone": _l("Contact phone number"),
    "contact_url": _l("Address of a contact form (optional)"), "director": _l("Publication director"),
    "host_name": _l("Host: name"), "host_address": _l("Host: address"), "host_contact": _l("Host: phone or e-mail"),
    "dpo_contact": _l("Data protection officer: how to write to them"),
    "declared_on": _l("Date of the accessibility statement"), "audit_date": _l("Date of the accessibility audit"),
    "audit_by": _l("Audit made by"), "audit_rate": _l("RGAA criteria met by the audit, in %"),
    "audit_environment": _l("Browsers and assistive technologies the audit used"),
    "audit_pages": _l("Pages the audit checked"), "nonconformities": _l("Non-conformities the audit found"),
    "disproportionate_burden": _l("Exemptions for a disproportionate burden"),
    "logo": _l("Logo (SVG file, 20 KB at most)"),
}

_cached = WeakKeyDictionary()  # {app: (monotonic time read, Identity)}


def _read():
    keys = [PREFIX + name for name in TEXT_FIELDS + (LOGO,)]
    stored = {key.removeprefix(PREFIX): value for key, value in site_settings.get_many(keys).items()}
    stored["name"] = stored.get("name") or current_app.config["COLLECTIVITE_NAME"]
    return Identity(**stored)


def current():
    """The identity in force (see the module for how fresh it is)."""
    app = current_app._get_current_object()
    if g.get("civic_identity_changing"):
        # Changed but not yet committed (and perhaps never): read as this transaction sees it, remember nothing.
        return _read()
    entry = _cached.get(app)
    lifetime = app.config["IDENTITY_CACHE_SECONDS"]
    if entry is not None and (lifetime is None or time.monotonic() - entry[0] < lifetime):
        return entry[1]
    try:
        identity = _read()
    except SQLAlchemyError:
        # The database is gone: the error page that says so still has a header (not remembered).
        return Identity(name=current_app.config["COLLECTIVITE_NAME"])
    _cached[app] = (time.monotonic(), identity)
    return identity


def forget(app=None):
    """Read the identity again at its next use (``app`` None: in every app of the process)."""
    if app is None:
        _cached.clear()
    else:
        _cached.pop(app, None)


def save(values, conflict):
    """Store the identity's ``values`` ({field: str}; "" unsets a field, the logo included); they are
    checked by the form before. ``conflict``: the DomainError of a concurrent first save."""
    g.civic_identity_changing = True
    for name, value in values.items():
        if name not in TEXT_FIELDS + (LOGO,):
            raise ValueError(f"not a field of the identity: {name}")
        if value:
            site_settings.put(PREFIX + name, value, conflict)
        else:
            site_settings.remove(PREFIX + name)
    app = current_app._get_current_object()
    after_commit(lambda: forget(app))


class _CurrentName:
    """The name in templates written before it was a setting (``collectivite_name``): read when shown."""

    def __str__(self):
        return current().name

    def __html__(self):
        return str(escape(str(self)))


current_name = _CurrentName()


def siret_valid(value):
    """14 digits whose Luhn checksum holds (INSEE). La Poste's establishments are numbered by another rule:
    their SIREN 356000000 accepts a SIRET whose digits add up to a multiple of 5."""
    if not siret_shaped(value):
        return False
    if value.startswith("356000000"):
        return sum(int(d) for d in value) % 5 == 0
    total = 0
    for position, digit in enumerate(reversed(value)):
        n = int(digit) * (2 if position % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def siret_shaped(value):
    """14 digits, whatever their check digit: a wrong length is a digit missing, not a typo in one."""
    return len(value) == 14 and value.isascii() and value.isdigit()
