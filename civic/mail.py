"""Outgoing mail, queued in the database and sent after the response.

``send_mail`` adds a row to ``outgoing_mail`` in the caller's transaction: the mail exists
exactly when the action that triggered it was saved. While the response is being sent,
a thread runs ``deliver_pending``, which hands queued mail to the log (MAIL_SERVER unset: development) or to
SMTP; a failing server leaves the mail queued with its error, and it is tried again after
a later request or by ``flask send-mail`` (for a cron job), up to MAX_ATTEMPTS times.
"""
import logging
import smtplib
import threading
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app, g
from sqlalchemy import String, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .db_types import UTCDateTime, utcnow
from .extensions import db

log = logging.getLogger("civic.mail")
MAX_ATTEMPTS = 6
RETRY_AFTER = timedelta(minutes=5)
CLAIM_TIMEOUT = timedelta(minutes=5)


class OutgoingMail(db.Model):
    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # RFC 8058 one-click unsubscribe: mail clients POST to this URL.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


def send_mail(to, subject, body, unsubscribe_url=None):
    """Queue a mail; it leaves after the response (see init_app)."""
    db.session.add(OutgoingMail(to=to, subject=str(subject)[:300], body=body, unsubscribe_url=unsubscribe_url))
    g.civic_mail_queued = True


def _message(mail):
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    if mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.body)
    return message


def _transmit(mail):
    server = current_app.config["MAIL_SERVER"]
    if not server:
        log.info("Mail (not sent: MAIL_SERVER unset)\nTo: %s\nSubject: %s\n\n%s", mail.to, mail.subject, mail.body)
        return
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(server, config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(_message(mail))


def deliver_pending(limit=200):
    """Send what is queued and due; returns (sent, failed). Each mail is claimed first, so two
    processes never send the same one."""
    now = utcnow()
    due = db.session.execute(
        select(OutgoingMail.id).where(
            OutgoingMail.sent_at.is_(None), OutgoingMail.attempts < MAX_ATTEMPTS,
            or_(OutgoingMail.claimed_at.is_(None), OutgoingMail.claimed_at < now - CLAIM_TIMEOUT))
        .order_by(OutgoingMail.id).limit(limit)).scalars().all()
    sent = failed = 0
    for mail_id in due:
        claimed = db.session.execute(
            update(OutgoingMail).where(
                OutgoingMail.id == mail_id, OutgoingMail.sent_at.is_(None),
                or_(OutgoingMail.claimed_at.is_(None), OutgoingMail.claimed_at < now - CLAIM_TIMEOUT))
            .values(claimed_at=utcnow())).rowcount
        db.session.commit()
        if claimed != 1:
            continue
        mail = db.session.get(OutgoingMail, mail_id)
        try:
            _transmit(mail)
        except (OSError, smtplib.SMTPException) as error:
            mail.attempts += 1
            mail.last_error = f"{type(error).__name__}: {error}"[:2000]
            # Released for a retry, not before RETRY_AFTER.
            mail.claimed_at = utcnow() - CLAIM_TIMEOUT + RETRY_AFTER
            failed += 1
            log.warning("Mail %s to %s not sent (attempt %s): %s", mail.id, mail.to, mail.attempts, error)
        else:
            mail.sent_at, mail.attempts = utcnow(), mail.attempts + 1
            sent += 1
        db.session.commit()
    return sent, failed


_deliveries = []


def _deliver_in_thread(app):
    with app.app_context():
        try:
            deliver_pending()
        except Exception:  # noqa: BLE001 - nobody waits for this thread; the mail stays queued
            log.exception("Delivering queued mail failed")
        finally:
            db.session.remove()


def join_deliveries(timeout=10):
    """Wait for the delivery threads started so far (tests, and a clean shutdown)."""
    while _deliveries:
        _deliveries.pop().join(timeout)


def init_app(app):
    """Deliver in a thread started when the request's app context ends.

    Not in response.call_on_close: the development server calls it only once the browser
    closes its connection, seconds later. Registered before Flask-SQLAlchemy (see
    create_app) so that this teardown runs after the request's session is removed.
    Only requests set the mark, so `flask` commands and test contexts never start a thread.
    """

    @app.before_request
    def _mark_request():
        g.civic_request = True

    @app.teardown_appcontext
    def _deliver_after_response(exc):
        if exc is None and g.get("civic_request") and g.get("civic_mail_queued"):
            thread = threading.Thread(target=_deliver_in_thread, args=(app,), name="civic-mail", daemon=True)
            thread.start()
            _deliveries.append(thread)
