"""Who may do what: the one place that decides.

Every view declares ``@requires(Action.X)`` or ``@public``; a test walks ``app.view_functions``
and fails on a view that declares neither. ``@requires(Action.X, load=Model)`` also loads the
object the URL names, answers 404 when it does not exist or the person may not see it, then
applies the action's rule to it. Templates (``can``), views, services (``check``), exports and
the JSON endpoints all ask the same rules: there is no second path.

Each package registers the rules of its actions in its ``rules.py``, beside its models, as
adhocracy4's apps do. A rule says:

- ``roles``: the roles that may ever do the action, or ANYONE (anonymous visitors included);
- ``owner(user, obj)``: for actions on one's own things, whether ``obj`` is the user's; a
  refusal is a plain 403, whatever the state of the thing;
- ``check(user, obj)``: the state of the thing: None when the action is possible, else the
  reason, a message the person is shown (a view may send them back with it: ``refused=``);
- ``hides``: a refusal answers 404, for reading what is not there for this person;
- ``assistable``: decided as if the resident of the agent's assisted session asked.

This module knows no package: it holds the table, and the packages fill it.
"""
import enum
from dataclasses import dataclass
from functools import wraps

from flask import abort, redirect, request, url_for
from flask.globals import _cv_app, _cv_request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .domain import DomainError
from .errors import render_error
from .extensions import db
from .registry import Registry


class Role(enum.Enum):
    RESIDENT = "resident"
    COUNTER_AGENT = "counter_agent"
    MODERATOR = "moderator"
    ELECTED = "elected"
    ADMIN = "admin"


ALL_ROLES = frozenset(Role)
ANYONE = "anyone"  # an action open to everyone, anonymous visitors included


class Action(enum.Enum):
    MANAGE_OWN_ACCOUNT = "manage_own_account"
    PROPOSAL_VIEW = "proposal_view"
    PROPOSAL_READ = "proposal_read"
    PROPOSAL_CREATE = "proposal_create"
    PROPOSAL_EDIT = "proposal_edit"
    PROPOSAL_WITHDRAW = "proposal_withdraw"
    PROPOSAL_SUPPORT = "proposal_support"
    COMMENT_VIEW = "comment_view"
    COMMENT_CREATE = "comment_create"
    COMMENT_DELETE = "comment_delete"
    ADMIN_ACCESS = "admin_access"
    ROLE_GRANT = "role_grant"
    THEME_MANAGE = "theme_manage"
    DISTRICT_MANAGE = "district_manage"
    DECISION_VIEW = "decision_view"
    DECISION_MANAGE = "decision_manage"
    DECISION_VOTE = "decision_vote"
    RESULTS_READ = "results_read"
    RESULTS_PUBLISH = "results_publish"
    DECISION_FIX_DESCRIPTION = "decision_fix_description"
    COUNTER_DESK = "counter_desk"
    COUNTER_MANAGE = "counter_manage"
    AUDIT_READ = "audit_read"
    COUNTER_STATS = "counter_stats"
    RECEIPT_READ = "receipt_read"
    ATTACH_CONTRIBUTIONS = "attach_contributions"
    REPORT = "report"
    MODERATE = "moderate"
    MODERATION_SETTINGS = "moderation_settings"
    ANSWER = "answer"
    FOLLOW = "follow"
    STAFF_LOG_READ = "staff_log_read"
    IDENTITY_MANAGE = "identity_manage"
    IMPLEMENTATION_UPDATE = "implementation_update"
    # Participatory processes (civic.processes): each phase decides what may be done in it.
    PROCESS_VIEW = "process_view"
    PROCESS_MANAGE = "process_manage"
    PROCESS_PROPOSE = "process_propose"
    PROCESS_STUDY = "process_study"
    PROCESS_BUILD_VOTE = "process_build_vote"
    PROCESS_PUBLISH = "process_publish"
    # Consultations' questionnaires (civic.questionnaires), answered during a process's questionnaire phase.
    QUESTIONNAIRE_VIEW = "questionnaire_view"
    QUESTIONNAIRE_MANAGE = "questionnaire_manage"
    QUESTIONNAIRE_QUESTIONS = "questionnaire_questions"
    QUESTIONNAIRE_ANSWER = "questionnaire_answer"
    QUESTIONNAIRE_OWN_ANSWERS = "questionnaire_own_answers"
    # A questionnaire's results (civic.questionnaires.results_rules): counts, free texts, synthesis.
    QUESTIONNAIRE_RESULTS = "questionnaire_results"
    QUESTIONNAIRE_TEXT_VIEW = "questionnaire_text_view"
    QUESTIONNAIRE_TEXTS_READ = "questionnaire_texts_read"
    QUESTIONNAIRE_SYNTHESIS = "questionnaire_synthesis"


NOT_ALLOWED = _l("You do not have permission to see this page or do this action.")


@dataclass(frozen=True)
class Rule:
    roles: object  # a frozenset of Role, or ANYONE
    owner: object = None
    check: object = None
    hides: bool = False
    assistable: bool = False


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused: ``forbidden`` for who the person is (role, ownership), else the
    state of the thing, which ``message`` explains."""

    message: object
    forbidden: bool


_rules = Registry("access rule of")
_visibility = Registry("visibility of")  # model -> the action that lets one see it (what `load` answers 404 for)
_acting = [lambda user: user]


def register(action, roles, *, owner=None, check=None, hides=False, assistable=False):
    """Called once per action, by the package that owns it (its rules.py)."""
    _rules.add(action, Rule(roles=roles if roles == ANYONE else frozenset(roles), owner=owner, check=check,
                                 hides=hides, assistable=assistable))


def register_visibility(model, action):
    """``action`` (registered with ``hides``) decides who may see objects of ``model``: loading one
    for a view answers 404 to the others."""
    _visibility.add(model, action)


def set_acting(resolve):
    """How a counter agent's assisted session turns the agent into the resident they act for."""
    _acting[0] = resolve


def rules():
    return dict(_rules)


def visibility():
    return dict(_visibility)


def current_account():
    """The person of this request, as Flask-Login's ``current_user`` gives them (a User, a reading request's Account,
    the anonymous visitor; None outside a request), without its proxy. Each read through the proxy looks the
    request and ``g`` up again (some twenty calls), and a page asks a dozen times (``can`` in templates, the view's
    rules): once Flask-Login has loaded the person of the request, it keeps them on ``g``, read here directly."""
    if _cv_request.get(None) is not None:
        user = getattr(_cv_app.get().g, "_login_user", None)
        if user is not None:
            return user
    return current_user._get_current_object()


def refusal(user, action, obj=None):
    """None when ``user`` may do ``action`` (on ``obj``, when given), else a Refusal."""
    rule = _rules[action]
    anonymous = user is None or not user.is_authenticated
    if rule.assistable and not anonymous:
        user = _acting[0](user)
    if rule.roles != ANYONE and (anonymous or user.role not in rule.roles):
        return Refusal(NOT_ALLOWED, forbidden=True)
    if obj is None:
        return None
    if rule.owner is not None and (anonymous or not rule.owner(user, obj)):
        return Refusal(NOT_ALLOWED, forbidden=True)
    if rule.check is not None:
        reason = rule.check(user, obj)
        if reason is not None:
            return Refusal(reason, forbidden=False)
    return None


def can(user, action, obj=None):
    """True when ``user`` may do ``action`` (on ``obj`` when the action concerns an object)."""
    return refusal(user, action, obj) is None


def check(user, action, obj=None, field=None):
    """For services: raise a DomainError saying why, unless ``user`` may do ``action``."""
    refused = refusal(user, action, obj)
    if refused is not None:
        raise DomainError(refused.message, field=field)


def _snake(name):
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def load_visible(model, ident):
    """The ``model`` object ``ident`` names, or 404: missing, or not there for this person."""
    obj = db.session.get(model, ident)
    action = _visibility.get(model)
    if obj is None or (action is not None and not can(current_account(), action, obj)):
        abort(404)
    return obj


def _load(model, kwargs):
    """The object the URL names (``<model>_id`` becomes the view's ``<model>``), or 404."""
    name = _snake(model.__name__)
    kwargs[name] = load_visible(model, kwargs.pop(f"{name}_id"))
    return kwargs[name]


def requires(action, load=None, refused=None):
    """The view's access: log-in when the action needs it, the role, and with ``load`` the object and its rule.

    ``load`` is a model (the URL's ``<model>_id``, e.g. ``proposal_id``, becomes the view's argument
    ``proposal``) or a function that takes the URL's arguments (a dict it may change) and returns the
    object, or aborts with 404. ``refused(obj, message)`` gives the answer when the rule refuses because
    of the object's state (send the person back with the reason); otherwise a refusal is a 403 page
    saying why, or a 404 for an action that ``hides``."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            rule = _rules[action]
            user = current_account()
            if rule.roles != ANYONE and not user.is_authenticated:
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            # The role first: someone who may never do this learns nothing of what exists (no 404 for some
            # numbers and 403 for others).
            refused_ = refusal(user, action)
            obj = None
            if refused_ is None and load is not None:
                obj = _load(load, kwargs) if isinstance(load, type) else load(kwargs)
                refused_ = refusal(user, action, obj)
            if refused_ is not None:
                if rule.hides and obj is not None:
                    abort(404)
                if refused is not None and not refused_.forbidden:
                    return refused(obj, refused_.message)
                return render_error(403, message=refused_.message)
            return view(*args, **kwargs)

        wrapper.civic_access = action
        return wrapper

    return decorate


def not_found(_obj, _message):
    """For ``requires(refused=...)``: the thing is not there for this action (a proposal no longer public
    cannot be answered: no page to answer it)."""
    abort(404)


def public(view):
    """Marks a view that anyone may see, logged in or not."""
    view.civic_access = "public"
    return view
