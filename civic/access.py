"""Who may do what: the one place that decides.

Every view declares either ``@requires(Action.X)`` or ``@public``; a test walks
``app.view_functions`` and fails on a view that declares neither. Templates, views,
services and exports all ask ``can(user, action, obj)``; there is no second path.

The decision has two parts: the role table (``POLICY``: which roles may ever do an
action) and, for actions on an object, a predicate on that object (ownership,
state) in ``OBJECT_RULES``.
"""
import enum
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

from .accounts.models import Role


class Action(enum.Enum):
    MANAGE_OWN_ACCOUNT = "manage_own_account"
    PROPOSAL_CREATE = "proposal_create"
    PROPOSAL_EDIT = "proposal_edit"
    PROPOSAL_WITHDRAW = "proposal_withdraw"
    PROPOSAL_SUPPORT = "proposal_support"
    COMMENT_CREATE = "comment_create"
    COMMENT_DELETE = "comment_delete"
    ADMIN_ACCESS = "admin_access"
    ROLE_GRANT = "role_grant"
    THEME_MANAGE = "theme_manage"
    DECISION_MANAGE = "decision_manage"
    DECISION_VOTE = "decision_vote"
    RESULTS_PUBLISH = "results_publish"
    DECISION_FIX_DESCRIPTION = "decision_fix_description"
    COUNTER_DESK = "counter_desk"
    COUNTER_MANAGE = "counter_manage"
    AUDIT_READ = "audit_read"
    COUNTER_STATS = "counter_stats"
    ATTACH_CONTRIBUTIONS = "attach_contributions"
    REPORT = "report"
    MODERATE = "moderate"
    MODERATION_SETTINGS = "moderation_settings"
    ANSWER = "answer"
    FOLLOW = "follow"
    STAFF_LOG_READ = "staff_log_read"


ALL_ROLES = frozenset(Role)

# Residents take part; staff accounts do not propose, support or comment, so that
# nobody can mistake the collectivité's staff for residents (they answer through
# their own channels: official answers, moderation).
POLICY = {
    Action.MANAGE_OWN_ACCOUNT: ALL_ROLES,
    Action.PROPOSAL_CREATE: {Role.RESIDENT},
    Action.PROPOSAL_EDIT: {Role.RESIDENT},
    Action.PROPOSAL_WITHDRAW: {Role.RESIDENT},
    Action.PROPOSAL_SUPPORT: {Role.RESIDENT},
    Action.COMMENT_CREATE: {Role.RESIDENT},
    Action.COMMENT_DELETE: ALL_ROLES,
    Action.ADMIN_ACCESS: {Role.ADMIN},
    Action.ROLE_GRANT: {Role.ADMIN},
    Action.THEME_MANAGE: {Role.ADMIN},
    Action.DECISION_MANAGE: {Role.ELECTED, Role.ADMIN},
    Action.DECISION_VOTE: {Role.RESIDENT},
    Action.RESULTS_PUBLISH: {Role.ELECTED, Role.ADMIN},
    Action.DECISION_FIX_DESCRIPTION: {Role.ELECTED, Role.ADMIN},
    Action.COUNTER_DESK: {Role.COUNTER_AGENT},
    Action.COUNTER_MANAGE: {Role.ADMIN},
    Action.AUDIT_READ: {Role.ADMIN},
    Action.COUNTER_STATS: {Role.ELECTED, Role.ADMIN},
    Action.ATTACH_CONTRIBUTIONS: {Role.RESIDENT},
    Action.REPORT: {Role.RESIDENT},
    Action.MODERATE: {Role.MODERATOR, Role.ADMIN},
    Action.MODERATION_SETTINGS: {Role.ADMIN},
    Action.ANSWER: {Role.ELECTED, Role.ADMIN},
    Action.FOLLOW: {Role.RESIDENT},
    Action.STAFF_LOG_READ: {Role.ADMIN},
}

# What a counter agent may do for the resident of their open assisted session: these are
# decided as if the resident asked (role, district, one vote), see counters.acting.
ASSISTABLE = frozenset({Action.PROPOSAL_CREATE, Action.PROPOSAL_SUPPORT, Action.COMMENT_CREATE,
                        Action.DECISION_VOTE})


def _is_published(proposal):
    from .proposals.services import is_open

    return is_open(proposal)


def _proposal_editable(user, proposal):
    from .proposals.services import is_editable

    return proposal.author_id == user.id and is_editable(proposal)


def _reportable(user, target):
    from .moderation.services import reportable

    return target.author_id != user.id and reportable(target)


def _decision_in(*states):
    def rule(user, decision):
        return decision.state.value in states

    return rule


def _may_vote(user, decision):
    from .decisions.services import in_allowed_district

    return decision.state.value == "open" and in_allowed_district(user, decision)


OBJECT_RULES = {
    Action.DECISION_MANAGE: _decision_in("draft", "scheduled"),
    Action.DECISION_VOTE: _may_vote,
    Action.RESULTS_PUBLISH: _decision_in("closed"),
    Action.DECISION_FIX_DESCRIPTION: _decision_in("open", "closed"),
    Action.PROPOSAL_EDIT: _proposal_editable,
    Action.PROPOSAL_WITHDRAW: lambda user, p: p.author_id == user.id and _is_published(p),
    Action.PROPOSAL_SUPPORT: lambda user, p: _is_published(p),
    Action.COMMENT_CREATE: lambda user, p: _is_published(p),
    Action.REPORT: lambda user, target: _reportable(user, target),
    Action.COMMENT_DELETE: lambda user, c: c.author_id == user.id and not c.is_deleted,
}


def can(user, action, obj=None):
    """True when ``user`` may do ``action`` (on ``obj`` when the action concerns an object)."""
    if user is None or not user.is_authenticated:
        return False
    if action in ASSISTABLE:
        from .counters.acting import acting_as

        user = acting_as(user)
    if user.role not in POLICY[action]:
        return False
    rule = OBJECT_RULES.get(action)
    if rule is not None and obj is not None:
        return bool(rule(user, obj))
    return True


def requires(action):
    """Log-in and role check for a view; object rules are checked in the view with ``can``."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        wrapper.civic_access = action
        return wrapper

    return decorate


def public(view):
    """Marks a view that anyone may see, logged in or not."""
    view.civic_access = "public"
    return view


def require_can(action, obj):
    """Inside a view: stop with 403 when the object rule refuses."""
    if not can(current_user, action, obj):
        abort(403)
