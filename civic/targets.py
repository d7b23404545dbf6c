"""What a (type, id) pair can name, and what each type of thing is: one enum, one registry.

Reports, moderation decisions, follows, the counters' audit log and the staff log point at
things of several kinds with a (type, id) pair of columns. ``TargetType`` lists every kind
such a column may hold, and the database holds each of those columns to its kinds (the column
is a ``TargetTypeColumn`` with a ``type_check`` constraint). The package that owns a kind
registers it once (beside its model): its model, how it is named and where its page is, and
the action that decides who may see it. Capabilities (being moderated, followed, printed on a receipt) are registered
with the package that uses them, the same way: nothing dispatches on strings.
"""
import enum
from dataclasses import dataclass

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import CheckConstraint, String, select
from sqlalchemy.types import TypeDecorator

from . import labels
from .access import can
from .extensions import db
from .i18n import text_once
from .links import public_url, row_url
from .registry import Registry


class TargetType(enum.Enum):
    PROPOSAL = "proposal"
    COMMENT = "comment"
    SUPPORT = "support"
    DECISION = "decision"
    USER = "user"
    COUNTER = "counter"
    SETTING = "setting"  # the site settings as a whole (the staff log): it names no row
    IMPLEMENTATION = "implementation"  # the follow-up of a decided project (civic.followup)
    PROCESS = "process"  # a participatory process (civic.processes)
    QUESTIONNAIRE = "questionnaire"  # a consultation's questions (civic.questionnaires)
    ANSWER = "answer"  # an answer to a questionnaire's question (its free text is moderated)


labels.register(TargetType, {
    TargetType.PROPOSAL: _l("Proposal"), TargetType.COMMENT: _l("Comment"), TargetType.SUPPORT: _l("Support"),
    TargetType.DECISION: _l("Decision"), TargetType.USER: _l("Account"), TargetType.COUNTER: _l("Counter"),
    TargetType.SETTING: _l("Settings"), TargetType.IMPLEMENTATION: _l("Project follow-up"),
    TargetType.PROCESS: _l("Participatory process"),
    TargetType.QUESTIONNAIRE: _l("Questionnaire"), TargetType.ANSWER: _l("Answer to a questionnaire"),
})


@dataclass(frozen=True)
class Kind:
    type: TargetType
    model: type
    # "Proposal n° %(n)s": names one by its number, where only the number is known (journals, logs).
    numbered: object
    # (obj) -> (endpoint, values) of its public page, or None for a kind without a page of its own.
    link: object = None
    # (number) -> the same from its number alone, for kinds whose page the number names (journals, logs).
    number_link: object = None
    # Who may see one (an action of access.py), None when only the pages that list them show them.
    view: object = None
    # The column public URLs name one by, for kinds whose numbers must stay private (they would tie one person's
    # contributions together); such a kind's ``numbered`` names none and the open data publishes no number.
    key: object = None


_kinds = Registry("target type")


def register(kind):
    _kinds.add(kind.type, kind)


def kinds():
    return dict(_kinds)


def kind(target_type):
    return _kinds[TargetType(target_type)]


def kind_of(obj):
    for registered in _kinds.values():
        if isinstance(obj, registered.model):
            return registered
    raise LookupError(f"{type(obj).__name__} is not a registered target")


def type_of(obj):
    return kind_of(obj).type


def get(target_type, target_id):
    """The object, or None when there is none (or the type is not one of ours). A URL's text names one by its
    kind's key when it has one, else by its number."""
    try:
        registered = kind(target_type)
    except (ValueError, KeyError):
        return None
    if isinstance(target_id, str):
        if registered.key is not None:
            return db.session.execute(select(registered.model).where(registered.key == target_id)).scalar_one_or_none()
        if not target_id.isdigit():
            return None
    return db.session.get(registered.model, int(target_id))


def number_is_public(target_type):
    return kind(target_type).key is None


def numbered(target_type, target_id):
    """What a journal or a log shows for a (type, id) pair: "Proposal n° 12"."""
    registered = kind(target_type)
    return text_once(("numbered", registered.type), registered.numbered) % {"n": target_id}


def _address(build, link, subject):
    """``build(endpoint, **values)`` of what ``link(subject)`` names, or None without a link."""
    if link is None:
        return None
    endpoint, values = link(subject)
    return build(endpoint, **values)


def number_url(target_type, target_id):
    """The page a (type, id) pair names, without loading it, or None."""
    link = kind(target_type).number_link
    if link is None:
        return None
    endpoint, values = link(target_id)
    [(name, number)] = values.items()
    return row_url(endpoint, name, number)


def url(obj):
    """The page of ``obj`` on this site, or None."""
    return _address(url_for, kind_of(obj).link, obj)


def public_link(obj):
    """The address of ``obj``'s page for an e-mail (civic.links), or None."""
    return _address(public_url, kind_of(obj).link, obj)


def visible(user, obj):
    registered = kind_of(obj)
    return registered.view is None or can(user, registered.view, obj)


def loader(*types):
    """For ``requires(load=...)``: the target the URL's ``target_type`` and ``target_id`` name, passed
    to the view as ``target``; 404 when there is none or the person may not see it."""
    allowed = {t.value for t in types}

    def load(kwargs):
        target_type, target_id = kwargs.pop("target_type"), kwargs.pop("target_id")
        target = get(target_type, target_id) if target_type in allowed else None
        if target is None or not visible(current_user, target):
            abort(404)
        kwargs["target"] = target
        return target

    return load


class TargetTypeColumn(TypeDecorator):
    """A TargetType stored as its value (a plain VARCHAR, readable in any SQL client)."""

    impl = String(20)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else TargetType(value).value

    def process_result_value(self, value, dialect):
        return None if value is None else TargetType(value)


def type_check(column, *types):
    """The CHECK constraint that holds ``column`` to ``types`` (for the model's ``__table_args__``)."""
    values = ", ".join(f"'{t.value}'" for t in types)
    return CheckConstraint(f"{column} IN ({values})", name=column)
