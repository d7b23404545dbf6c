"""Follows: who follows what, and the e-mails to followers (composed by civic.notifications).

What can be followed is registered by the package that owns it (``register_followable``):
a proposal while it is public, a decision once announced.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, select

from ..accounts.models import User
from ..extensions import db
from ..notifications.services import mail_to, register_topic
from ..registry import Registry
from ..routing import parse_id
from ..targets import TargetType
from ..transaction import unique_insert
from .models import FOLLOWABLE_TYPES, Follow

_followable = Registry("followable type")


def register_followable(target_type, open_to_follows):
    """``open_to_follows(obj)``: whether residents may start following ``obj`` now."""
    if target_type not in FOLLOWABLE_TYPES:
        raise ValueError(f"follow.target_type does not allow {target_type}")
    _followable.add(target_type, open_to_follows)


def followable():
    return dict(_followable)


def open_to_follows(target_type, target):
    check = _followable.get(target_type)
    return check is not None and check(target)


def topic(target_type, target_id):
    return f"follow:{target_type.value}:{target_id}"


# Built once, its values bound: every page of a thing a resident may follow runs it.
_FOLLOWING = select(Follow.id).where(Follow.user_id == bindparam("user_id"),
                                     Follow.target_type == bindparam("target_type"),
                                     Follow.target_id == bindparam("target_id"))


def is_following(user, target_type, target_id):
    return user.is_authenticated and db.session.execute(_FOLLOWING, {
        "user_id": user.id, "target_type": target_type, "target_id": target_id}).first() is not None


def follow(user, target_type, target_id):
    if is_following(user, target_type, target_id):
        return
    with unique_insert():  # a double click: the UNIQUE constraint keeps one
        db.session.add(Follow(user_id=user.id, target_type=target_type, target_id=target_id))


def unfollow(user, target_type, target_id):
    db.session.execute(delete(Follow).where(Follow.user_id == user.id, Follow.target_type == target_type,
                                            Follow.target_id == target_id))


def followers(target_type, target_id):
    return db.session.execute(
        select(User).join(Follow, Follow.user_id == User.id)
        .where(Follow.target_type == target_type, Follow.target_id == target_id, User.active,
               User.email_normalized.is_not(None))).scalars().all()


def notify_followers(target_type, target_id, template, subject, exclude=(), **context):
    """Mail every follower (but ``exclude``d ids); returns how many were mailed."""
    sent = 0
    for user in followers(target_type, target_id):
        if user.id not in exclude:
            sent += mail_to(user, template, subject, topic=topic(target_type, target_id), **context)
    return sent


def _stop_following(user, rest):
    """Unsubscribing from "follow:<type>:<id>" ends the follow."""
    type_name, _separator, target_id = rest.partition(":")
    if type_name in {t.value for t in FOLLOWABLE_TYPES} and parse_id(target_id) is not None:
        unfollow(user, TargetType(type_name), parse_id(target_id))


register_topic("follow", _l("You will no longer follow this, nor receive its e-mails."), _stop_following)
