"""Outgoing mail, queued in the database and sent once the action that triggered it is saved.

- ``send_mail`` adds a row to ``outgoing_mail`` in the caller's transaction: the mail exists
  exactly when the action was saved. In a request it also asks (``transaction.after_commit``)
  for a delivery thread, started once per request after the commit; outside a request
  (``flask`` commands, tests) nothing is started: the caller runs ``deliver_pending`` itself.
- ``deliver_pending`` hands due mail to the log (MAIL_SERVER unset: development) or to SMTP,
  each mail on its own: nothing one mail does stops the others. A refusal of the mail itself
  (a 5xx reply to its sender, recipient or content, a message that cannot be built or
  encoded) marks it failed at once; anything else (a 4xx reply, a server that is down, drops
  the connection or times out) leaves it for another attempt after RETRY_AFTER, by a later
  request or ``flask send-mail`` (a cron job), until MAX_ATTEMPTS. A failed mail keeps its
  reason in ``last_error`` and is never picked again. A server that cannot be reached ends the
  round: the mails after it stay due, untouched, and the one that found out does not use up an
  attempt, so an outage of any length loses nothing. Each failure is logged once, as a warning
  naming the mail's id, never its body.
- No database transaction is open while the SMTP server is talked to (up to 10 s): on SQLite,
  which has one writer, that would stop every request that writes. A mail is claimed and read
  in one short transaction, sent, and its outcome recorded in another; the claim keeps two
  processes from sending the same mail. A process that dies while sending leaves its claim,
  which expires after CLAIM_TIMEOUT: that mail may then leave twice.
- Header values are single lines, when queued and again when the message is built (rows queued
  by earlier versions): the email package refuses CR and LF, and a line break in a header
  would let a title add headers of its own. An address must be one address and nothing else,
  and it alone is the envelope's recipient.
"""
import contextlib
import email.policy
import logging
import re
import smtplib
import threading
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses

from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text, delete, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from . import transaction
from .errors import log_background_failure
from .db_types import UTCDateTime, utcnow
from .extensions import db
from .privacy.registry import holds_personal_data
from .privacy.retention import Rule, remove, retention_rule

log = logging.getLogger("civic.mail")
MAX_ATTEMPTS = 6
RETRY_AFTER = timedelta(minutes=5)
CLAIM_TIMEOUT = timedelta(minutes=5)
# C0 and C1 controls and the Unicode line and paragraph separators: the email package takes
# several of them for line ends, and none has a place in a header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What an attempt that did not send teaches: the mail can never leave, it may leave later, or the
# server cannot be reached (connection, STARTTLS, log-in), which says nothing about the mail.
REFUSED, LATER, UNREACHABLE = "refused", "later", "unreachable"


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
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


def _erase_mail(_column, erasure):
    """Mail to an erased person's address goes, queued or sent: its body names them."""
    if erasure.addresses:
        db.session.execute(delete(OutgoingMail).where(func.lower(OutgoingMail.to).in_(erasure.addresses)))


holds_personal_data(OutgoingMail.to, _erase_mail)


def render_mail(template, **context):
    """A plain-text mail from ``template``, with every line break it has: the pages' environment trims the
    one after a block tag (``trim_blocks``), which glues a mail's conditional lines to the one before. The
    same loader, filters and globals, a cache of its own (templates are compiled with these settings)."""
    app = current_app._get_current_object()
    environment = app.extensions.get("civic.mail")
    if environment is None:
        environment = app.extensions["civic.mail"] = app.jinja_env.overlay(trim_blocks=False, lstrip_blocks=False,
                                                                           cache_size=50)
    app.update_template_context(context)
    return environment.get_template(template).render(context)


def single_line(value):
    """The value on one line, controls and line breaks turned into spaces (see the module)."""
    return " ".join(_CONTROL.sub(" ", str(value)).split())


def checked_address(address):
    """The address, when it is one address and nothing else; ValueError otherwise."""
    if _CONTROL.search(address) or "@" not in address or getaddresses([address]) != [("", address)]:
        raise ValueError("not a single e-mail address")
    return address


def send_mail(to, subject, body, unsubscribe_url=None):
    """Queue a mail; in a request it leaves after the commit (see the module)."""
    db.session.add(OutgoingMail(to=checked_address(to), subject=single_line(subject)[:300], body=body,
                                unsubscribe_url=single_line(unsubscribe_url) if unsubscribe_url else None))
    if has_request_context():
        transaction.after_commit(_start_delivery)


# RFC 5322's hard limit rather than its 78-character advice: folded at 78, an unsubscribe address
# (longer than a line, and without spaces) would become RFC 2047 encoded words that no mail client
# reads in List-Unsubscribe (RFC 2369, RFC 8058).
_POLICY = email.policy.default.clone(max_line_length=998)


def _message(mail):
    message = EmailMessage(policy=_POLICY)
    message["From"] = single_line(current_app.config["MAIL_DEFAULT_SENDER"])
    message["To"] = checked_address(mail.to)
    message["Subject"] = single_line(mail.subject)
    if mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{single_line(mail.unsubscribe_url)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.body)
    # Encoded once here, so that a message that cannot be encoded fails before the server is contacted.
    message.as_bytes()
    return message


def _connect():
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    smtp = smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10)
    try:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        _hang_up(smtp)
        raise
    return smtp


def _hang_up(smtp):
    # The outcome is known by now: a QUIT refused or cut short must not turn a sent mail into a failed one.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        smtp.quit()
    smtp.close()


def _verdict(error):
    """REFUSED for a 5xx reply to the mail's sender, recipients or content; 4xx replies and a
    connection that drops or times out mean LATER."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = all(code >= 500 for code, _reply in error.recipients.values())
    else:
        refused = isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) and error.smtp_code >= 500
    return REFUSED if refused else LATER


def _attempt(mail):
    """Send one claimed mail: None when it left, else (error, REFUSED, LATER or UNREACHABLE)."""
    try:
        message = _message(mail)
    except Exception as error:  # noqa: BLE001 - whatever the email package raises, this message never builds
        return error, REFUSED
    if not current_app.config["MAIL_SERVER"]:
        log.info("Mail (not sent: MAIL_SERVER unset)\nTo: %s\nSubject: %s\n\n%s",
                 mail.to, str(message["Subject"]), mail.body)
        return None
    try:
        smtp = _connect()
    except Exception as error:  # noqa: BLE001 - the server or the settings, not this mail
        return error, UNREACHABLE
    try:
        smtp.send_message(message, to_addrs=[mail.to])
    except smtplib.SMTPNotSupportedError as error:
        # Raised before any command: this server takes no non-ASCII address (no SMTPUTF8).
        return error, REFUSED
    except Exception as error:  # noqa: BLE001 - one mail's failure must not stop the others
        return error, _verdict(error)
    finally:
        _hang_up(smtp)
    return None


def _claimable(now):
    return (OutgoingMail.sent_at.is_(None), OutgoingMail.failed_at.is_(None), OutgoingMail.attempts < MAX_ATTEMPTS,
            or_(OutgoingMail.claimed_at.is_(None), OutgoingMail.claimed_at < now - CLAIM_TIMEOUT))


def _claim(mail_id, now):
    """The mail's fields when this process won it, else None; committed before anything is sent.
    The attempt counts from here, so that a mail whose sending kills the process is not tried forever."""
    mail = db.session.execute(
        update(OutgoingMail).where(OutgoingMail.id == mail_id, *_claimable(now))
        .values(claimed_at=utcnow(), attempts=OutgoingMail.attempts + 1)
        .returning(OutgoingMail.id, OutgoingMail.to, OutgoingMail.subject, OutgoingMail.body,
                   OutgoingMail.unsubscribe_url, OutgoingMail.attempts)).one_or_none()
    db.session.commit()
    return mail


def _record(mail, outcome):
    if outcome is None:
        values = {"sent_at": utcnow()}
    else:
        error, verdict = outcome
        reason = single_line(f"{type(error).__name__}: {error}")[:2000]
        values = {"last_error": reason}
        if verdict == UNREACHABLE:
            # Says nothing about this mail: however long the server is down, it does not use up its
            # attempts (it would be given up after 30 minutes of outage, and the next one, and so on).
            values["attempts"] = OutgoingMail.attempts - 1
        if verdict == REFUSED or (verdict == LATER and mail.attempts >= MAX_ATTEMPTS):
            values["failed_at"] = utcnow()
        else:
            # Released for a new claim, though not before RETRY_AFTER.
            values["claimed_at"] = utcnow() - CLAIM_TIMEOUT + RETRY_AFTER
        log.warning("Mail %s not sent (attempt %s, %s): %s", mail.id, mail.attempts,
                    "given up" if "failed_at" in values else "to be tried again", reason)
    db.session.execute(update(OutgoingMail).where(OutgoingMail.id == mail.id).values(**values))
    db.session.commit()


def deliver_pending(limit=200):
    """Send what is queued and due; returns (sent, failed), failed counting mails tried again
    later as well as mails given up. Commits: call it with nothing of the caller's pending.

    A server that cannot be reached ends the round after the mail that found out: the others
    would wait up to 10 s each for the same answer, and stay due for the next round."""
    now = utcnow()
    due = db.session.execute(
        select(OutgoingMail.id).where(*_claimable(now)).order_by(OutgoingMail.id).limit(limit)).scalars().all()
    db.session.commit()
    sent = failed = 0
    for mail_id in due:
        mail = _claim(mail_id, now)
        if mail is None:
            continue
        outcome = _attempt(mail)
        _record(mail, outcome)
        if outcome is None:
            sent += 1
            continue
        failed += 1
        if outcome[1] == UNREACHABLE:
            break
    return sent, failed


_deliveries = []


def _start_delivery():
    thread = threading.Thread(target=_deliver_in_thread, args=(current_app._get_current_object(),),
                              name="civic-mail", daemon=True)
    thread.start()
    # Only the threads still running are remembered: a server sends mail for months.
    _deliveries[:] = [t for t in _deliveries if t.is_alive()] + [thread]


def _deliver_in_thread(app):
    with app.app_context():
        try:
            deliver_pending()
        except Exception as error:  # noqa: BLE001 - the database (mails fail one by one): nobody waits for this
            log_background_failure(error, "Delivering queued mail")
        finally:
            db.session.remove()


def join_deliveries(timeout=10):
    """Wait for the delivery threads started so far (tests, and a clean shutdown)."""
    while _deliveries:
        _deliveries.pop().join(timeout)


# --- Retention (privacy.retention) ------------------------------------------------------------

def _purging(column):
    """A rule's purge: remove the mail whose ``column`` (when it was sent, or when it failed) is before the cutoff;
    mail still queued has neither date and stays however old."""

    return lambda cutoff: remove(OutgoingMail, column < cutoff)


retention_rule(Rule(
    key="sent_mail", label=_l("E-mails sent"),
    why=_l("An e-mail names its recipient and may quote what they wrote: it is kept a month, to answer "
           "someone who says they never received it, then removed."),
    default_days=30, purge=_purging(OutgoingMail.sent_at)))

retention_rule(Rule(
    key="failed_mail", label=_l("E-mails that could not be sent"),
    why=_l("Kept three months with the reason they failed, long enough to find and fix a wrong address or a "
           "mail server's refusal, then removed."),
    default_days=90, purge=_purging(OutgoingMail.failed_at)))
