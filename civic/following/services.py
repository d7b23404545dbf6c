"""Follows, and the e-mails residents get about proposals and decisions.

Every such e-mail carries a one-click unsubscribe link (no log-in): a signed token naming
the person and what they stop receiving. Mails are queued (civic.mail) in French, the
collectivité's language, since a recipient's language is not known.
"""
from flask import current_app, render_template
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select, update

from ..accounts.models import User
from ..db_types import utcnow
from ..extensions import db
from ..links import public_url
from ..transaction import unique_insert
from ..mail import send_mail
from .models import Follow

TARGETS = ("proposal", "decision")
ANSWERS_TOPIC = "answers"


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="civic-unsubscribe")


def unsubscribe_token(user, topic):
    return _serializer().dumps([user.id, topic])


def read_unsubscribe_token(token):
    """(user, topic) or None for a forged or stale token."""
    try:
        user_id, topic = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return (user, topic) if user is not None and isinstance(topic, str) else None


def unsubscribe(user, topic):
    if topic == ANSWERS_TOPIC:
        user.notify_answers = False
    elif topic.startswith("follow:"):
        _kind, target_type, target_id = (topic.split(":") + ["", ""])[:3]
        if target_type in TARGETS and target_id.isdigit():
            unfollow(user, target_type, int(target_id))
    db.session.flush()


def is_following(user, target_type, target_id):
    return user.is_authenticated and db.session.execute(select(Follow.id).where(
        Follow.user_id == user.id, Follow.target_type == target_type, Follow.target_id == target_id)).first() is not None


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


def mail_to(user, template, subject, topic=None, **context):
    """Queue one e-mail to one person, with its unsubscribe link when it is optional."""
    if not user.email or not user.active:
        return False
    url = public_url("following.unsubscribe", token=unsubscribe_token(user, topic)) if topic else None
    language = user.language if user.language in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        body = render_template(template, user=user, unsubscribe_url=url, **context)
        send_mail(user.email, str(subject), body, unsubscribe_url=url)
    return True


def notify_followers(target_type, target_id, template, subject, exclude=(), **context):
    sent = 0
    for user in followers(target_type, target_id):
        if user.id not in exclude:
            sent += mail_to(user, template, subject, topic=f"follow:{target_type}:{target_id}", **context)
    return sent


def notify_opened_votes():
    """Tell followers of every decision that opened since the last check (once per decision)."""
    from flask_babel import lazy_gettext as _l

    from ..decisions.models import Decision

    now = utcnow()
    # Claimed in one statement: each worker process runs this job, and only the one whose UPDATE
    # marked a decision tells its followers (reading first, then marking, would tell them twice).
    claimed = db.session.execute(
        update(Decision).where(Decision.announced_at.is_not(None), Decision.opens_at <= now,
                               Decision.closes_at > now, Decision.opening_notified_at.is_(None))
        .values(opening_notified_at=now).returning(Decision.id)).scalars().all()
    opened = db.session.execute(select(Decision).where(Decision.id.in_(claimed))).scalars().all()
    for decision in opened:
        notify_followers("decision", decision.id, "mail/vote_opened.txt",
                         _l("The vote is open: %(title)s", title=decision.title), decision=decision)
    return len(opened)
