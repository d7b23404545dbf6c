"""The staff audit log: every moderation decision, answer, role change and publication, with before/after.

Appended by the services that make those changes, read (and filtered) by admins only. Admins read each
entry as a sentence in their language ("Comment n° 1 hidden — by Anne Martin.") and what changed as labelled
values (labels of enums, dates in local time): the package that records an action registers its sentence
(``describe``) and what the keys of its before and after are (``describe_fields``). The staff member's name comes
last, after a dash: a display name may hold a comma ("Hélène Garnier, adjointe au maire"), which would run into a
verb that followed it.
"""
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from flask_babel import get_locale, get_timezone, lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from . import labels, typography
from .db_types import UTCDateTime, utcnow
from .extensions import db
from .i18n import text_once
from .log_queries import newest_first
from .privacy.registry import ANONYMISE, KEEP, refers_to_account
from .privacy.retention import Rule, remove, retention_rule
from .registry import Registry
from .targets import TargetType, TargetTypeColumn, numbered, type_check

# The log's page shows the start of what was before and after (an answer's text is long); each entry's own
# page shows them whole.
EXCERPT = 100
STAFF_LOGGED_TYPES = (TargetType.PROPOSAL, TargetType.COMMENT, TargetType.DECISION, TargetType.USER, TargetType.COUNTER,
                TargetType.SETTING, TargetType.IMPLEMENTATION, TargetType.PROCESS, TargetType.QUESTIONNAIRE,
                TargetType.ANSWER)


class StaffLogEntry(db.Model):
    __tablename__ = "staff_log"
    __table_args__ = (type_check("object_type", *STAFF_LOGGED_TYPES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    area: Mapped[str] = mapped_column(String(20), index=True)
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[TargetType] = mapped_column(TargetTypeColumn())
    object_id: Mapped[int | None]
    before: Mapped[str] = mapped_column(Text, default="{}")
    after: Mapped[str] = mapped_column(Text, default="{}")

    actor = relationship("User")  # by name: the log sits below the packages whose staff it records

    @property
    def before_data(self):
        return json.loads(self.before)

    @property
    def after_data(self):
        return json.loads(self.after)


refers_to_account(StaffLogEntry.actor_id, KEEP, ANONYMISE)  # staff acting


def _purge(cutoff):
    return remove(StaffLogEntry, StaffLogEntry.created_at < cutoff)


retention_rule(Rule(
    key="staff_log", label=_l("Log of what staff did"),
    why=_l("It says who moderated, answered, changed a role or published results: kept three years, the longest "
           "the CNIL's recommendation on logging (2021) allows for the internal control of staff, then removed "
           "rather than aggregated, since the decisions themselves (answers, the moderation journal, published "
           "results) stay."),
    default_days=3 * 365, purge=_purge))


def record(actor, area, action, object_type, object_id, before=None, after=None):
    db.session.add(StaffLogEntry(
        actor_id=actor.id if actor else None, area=area, action=action, object_type=object_type,
        object_id=object_id, created_at=utcnow(),
        before=json.dumps(before or {}, ensure_ascii=False, sort_keys=True, default=str),
        after=json.dumps(after or {}, ensure_ascii=False, sort_keys=True, default=str)))


def entries(area=None, actor_id=None, since=None, until=None, **page):
    """A page of the log, newest first (``page``: civic.log_queries.newest_first's)."""
    return newest_first(StaffLogEntry, since, until, area=area, actor_id=actor_id,
                        eager=(joinedload(StaffLogEntry.actor),), **page)


# --- How entries read ------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    """A key of an entry's before and after: what it is, and how its value reads (an enum's label, a date in
    local time...); ``show`` takes the stored value, None or missing aside."""
    label: object
    show: object = None


def enum_value(enum_class):
    """A Field's ``show`` for a value stored as ``enum_class``'s value: its label."""
    return lambda value: labels.label(enum_class(value))


def moment(value):
    """A Field's ``show`` for a date stored as text (ISO 8601, UTC): in the site's time zone."""
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return typography.long_datetime(when, get_locale(), get_timezone())


def numbered_as(target_type):
    """A Field's ``show`` for the number of a thing: "Proposal n° 12"."""
    return lambda value: numbered(target_type, value)


_sentences = Registry("staff log sentence")
_fields = Registry("staff log field")
NOBODY = _l("the server's operator")  # `flask create-admin`: no account acted
YES, NO, NOTHING = _l("yes"), _l("no"), "—"
UNKNOWN = _l("%(what)s: a change")
BY = _l("%(what)s — by %(who)s.")


def describe(area, action, sentence, object_type=None):
    """How an entry of ``area`` and ``action`` reads: ``sentence`` with %(n)s (the number of what it acted on),
    without who acted nor a final stop (added after it); or a function of the entry's before and after data that
    chooses among such sentences (kept at module level: each is looked up once per language). ``object_type``
    when the sentence differs by type (moderation)."""
    _sentences.add((area, action, object_type), sentence)


def describe_fields(object_type, area, fields):
    """{key: Field} of the before and after of the entries of ``area`` on ``object_type``."""
    for key, field in fields.items():
        _fields.add((object_type, area, key), field)


def sentence(entry):
    """The entry as a sentence in the reader's language."""
    described = (_sentences.get((entry.area, entry.action, entry.object_type))
                 or _sentences.get((entry.area, entry.action, None)))
    who = entry.actor.display_name if entry.actor else text_once("staff_log.nobody", NOBODY)
    if described is None:  # written by a version that logged an action no longer described
        what = numbered(entry.object_type, entry.object_id) if entry.object_id else labels.label(entry.object_type)
        what = text_once("staff_log.unknown", UNKNOWN) % {"what": what}
    else:
        if callable(described):  # a lazy text is not: it is the sentence itself
            described = described(entry.before_data, entry.after_data)
        what = text_once(("staff_log", id(described)), described) % {"n": entry.object_id}
    return text_once("staff_log.by", BY) % {"what": what, "who": who}


def _shown(field, value):
    if value is None or value == "" or value == [] or value == {}:
        return NOTHING
    if isinstance(value, bool):
        return text_once("staff_log.yes", YES) if value else text_once("staff_log.no", NO)
    if field.show is not None:
        return str(field.show(value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def changes(entry):
    """[(what, before, after)] of the keys the entry holds, each labelled and its values readable."""
    before, after = entry.before_data, entry.after_data
    rows = []
    for key in sorted(set(before) | set(after)):
        # A key no longer described (an older version's) is shown as it was stored.
        field = _fields.get((entry.object_type, entry.area, key)) or Field(key)
        rows.append((text_once(("staff_log", entry.object_type, entry.area, key), field.label),
                     _shown(field, before.get(key)), _shown(field, after.get(key))))
    return rows


def registered_sentences():
    return dict(_sentences)
