"""Every e-mail about a person's participation is composed and queued here.

A mail goes to one person, in the language they chose (the one they registered in, then the
one in their profile), queued with the action that caused it (civic.mail: it leaves once the
action is saved). An optional mail belongs to a *topic* ("answers", "follow:proposal:12") and
carries a one-click unsubscribe link (no log-in, RFC 8058): a signed token naming the person and
the topic. Packages register their topics here with what stopping them means.
"""
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer

from ..accounts.models import User
from ..extensions import db
from ..links import public_url
from ..mail import render_mail, send_mail
from ..registry import Registry


@dataclass(frozen=True)
class Topic:
    prefix: str         # "answers", or "follow" for "follow:<type>:<id>"
    description: object  # what the unsubscribe page says the person stops receiving
    stop: object         # (user, rest of the topic after "prefix:") -> None


_topics = Registry("mail topic")


def register_topic(prefix, description, stop):
    _topics.add(prefix, Topic(prefix=prefix, description=description, stop=stop))


def topic_of(topic):
    """The registered Topic of a topic string, or None."""
    return _topics.get(topic.split(":", 1)[0]) if isinstance(topic, str) else None


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="civic-unsubscribe")


def unsubscribe_token(user, topic):
    return _serializer().dumps([user.id, topic])


def read_unsubscribe_token(token):
    """(user, topic) or None for a forged token, an unknown account or a topic nobody registered."""
    try:
        user_id, topic = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return (user, topic) if user is not None and topic_of(topic) is not None else None


def unsubscribe(user, topic):
    _prefix, _separator, rest = topic.partition(":")
    topic_of(topic).stop(user, rest)
    db.session.flush()


def mail_to(user, template, subject, topic=None, **context):
    """Queue one e-mail to one person, with its unsubscribe link when it belongs to a topic;
    False when the person has no address or no longer uses the site."""
    if not user.email or not user.active:
        return False
    url = public_url("notifications.unsubscribe", token=unsubscribe_token(user, topic)) if topic else None
    languages = current_app.config["LANGUAGES"]
    language = user.language if user.language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        body = render_mail(template, user=user, unsubscribe_url=url, **context)
        send_mail(user.email, str(subject), body, unsubscribe_url=url)
    return True
