"""Mail against a real SMTP server (aiosmtpd on 127.0.0.1) that accepts, refuses for good,
refuses for now, drops the connection or is not there: each mail is handled on its own, and a
server that is not there ends the round.

The server answers by the recipient's local part: refused@ gets 550 at RCPT, bad-content@ 550
at DATA, later@ 451 at RCPT and drop@ a dropped connection at DATA while ``handler.faulty``;
anything else is accepted.
"""
import email
import email.policy
import logging
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from civic.extensions import db
from civic.mail import MAX_ATTEMPTS, RETRY_AFTER, OutgoingMail, deliver_pending, send_mail
from tests.factories import PASSWORD
from tests.servers import free_port


class Handler:
    def __init__(self):
        self.received = []  # (envelope recipients, parsed message)
        self.raw = []  # the messages as they came over the wire
        self.faulty = True
        self.during_data = None  # called with the recipient while the client waits for the reply to DATA

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local == "refused":
            return "550 5.1.1 No such mailbox"
        if local == "later" and self.faulty:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        local = envelope.rcpt_tos[0].split("@")[0]
        if self.during_data:
            self.during_data(envelope.rcpt_tos[0])
        if local == "bad-content":
            return "550 5.7.1 Content refused"
        if local == "drop" and self.faulty:
            server.transport.close()
            return "250 never read"
        self.received.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        self.raw.append(envelope.content)
        return "250 OK"


class _Controller(Controller):
    def _trigger_server(self):
        # Port 0: the system picks a free port, read here before the controller first connects.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def smtp_server(app, monkeypatch):
    """smtp_server(utf8=True) starts a server the app sends to and returns its handler."""
    controllers = []

    def start(utf8=True):
        handler = Handler()
        controller = _Controller(handler, hostname="127.0.0.1", port=0, enable_SMTPUTF8=utf8)
        controller.start()
        controllers.append(controller)
        for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port, "MAIL_USE_TLS": False,
                           "MAIL_USE_SSL": False, "MAIL_USERNAME": ""}.items():
            monkeypatch.setitem(app.config, key, value)
        return handler

    yield start
    for controller in controllers:
        controller.stop()


def _queue(*recipients, subject="Sujet"):
    for to in recipients:
        send_mail(to, subject, f"Corps pour {to}")
    db.session.commit()


def _mail(to):
    db.session.expire_all()
    return db.session.execute(db.select(OutgoingMail).filter_by(to=to)).scalar_one()


def _time_passes():
    """As if RETRY_AFTER had passed: mails released for a retry become due."""
    for mail in db.session.execute(db.select(OutgoingMail).where(OutgoingMail.claimed_at.is_not(None))).scalars():
        mail.claimed_at -= RETRY_AFTER + timedelta(minutes=1)
    db.session.commit()


def test_the_mail_arrives_with_a_one_line_subject(ctx, smtp_server):
    server = smtp_server()
    _queue("camille@example.org", subject="Des bancs\r\nBcc: intrus@example.org")
    # A row queued by an earlier version, before send_mail made subjects one line.
    db.session.add(OutgoingMail(to="dominique@example.org", subject="Ancien\r\n\ttitre\x07 ici", body="Corps",
                                unsubscribe_url="https://civic.test/u/x"))
    db.session.commit()
    assert deliver_pending() == (2, 0)
    (first_to, first), (second_to, second) = server.received
    assert first_to == ["camille@example.org"] and first["To"] == "camille@example.org"
    assert first["Subject"] == "Des bancs Bcc: intrus@example.org" and first["Bcc"] is None
    assert first.get_content().strip() == "Corps pour camille@example.org"
    assert second_to == ["dominique@example.org"] and second["Subject"] == "Ancien titre ici"
    assert second["List-Unsubscribe"] == "<https://civic.test/u/x>"
    assert _mail("camille@example.org").sent_at is not None and _mail("dominique@example.org").sent_at is not None


def test_a_real_unsubscribe_address_arrives_whole(ctx, smtp_server):
    """RFC 8058: mail clients read List-Unsubscribe as it is; the email package's default folding turns
    an address longer than a line into RFC 2047 encoded words, which no client decodes there."""
    server = smtp_server()
    url = "https://participer.example.fr/unsubscribe/" + "W1sxMjM0NSwiZm9sbG93OnByb3Bvc2FsOjY3ODkiXQ.Zx1_aB" * 2
    send_mail("camille@example.org", "Une réponse à la proposition : des bancs place du marché pour se reposer",
              "Corps", unsubscribe_url=url)
    db.session.commit()
    assert deliver_pending() == (1, 0)
    headers = server.raw[0].split(b"\r\n\r\n")[0].decode("ascii")
    assert f"List-Unsubscribe: <{url}>" in headers
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in headers
    assert server.received[0][1]["Subject"] == "Une réponse à la proposition : des bancs place du marché pour se reposer"


@pytest.mark.real_commits  # another connection writes meanwhile
def test_no_transaction_is_open_while_the_server_is_talked_to(ctx, smtp_server):
    server = smtp_server()
    _queue("first@example.org", "second@example.org")
    engine = db.engine

    def write_meanwhile(to):
        # Another process writing the very row: it would wait for the claim's transaction, were it
        # still open (SQLite's one writer, PostgreSQL's row lock), and the mail would fail.
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SET LOCAL lock_timeout = '2s'"))
            connection.execute(db.update(OutgoingMail).where(OutgoingMail.to == to).values(last_error="meanwhile"))

    server.during_data = write_meanwhile
    assert deliver_pending() == (2, 0)
    assert _mail("first@example.org").last_error == "meanwhile" and _mail("second@example.org").sent_at is not None


def test_a_refusal_for_good_fails_the_mail_at_once_and_the_others_go(ctx, smtp_server, caplog):
    server = smtp_server()
    _queue("refused@example.org", "first@example.org", "bad-content@example.org", "second@example.org")
    with caplog.at_level(logging.WARNING, logger="civic.mail"):
        assert deliver_pending() == (2, 2)
    assert [to for to, _message in server.received] == [["first@example.org"], ["second@example.org"]]
    for to in ("refused@example.org", "bad-content@example.org"):
        mail = _mail(to)
        assert mail.failed_at is not None and mail.sent_at is None and mail.attempts == 1
        assert "550" in mail.last_error
        # Logged once, by its id, without its body.
        logged = [r.getMessage() for r in caplog.records if f"Mail {mail.id} " in r.getMessage()]
        assert len(logged) == 1 and "Corps" not in logged[0]
    # A failed mail is never picked again, whatever the time.
    _time_passes()
    db.session.execute(db.update(OutgoingMail).values(claimed_at=None))
    db.session.commit()
    assert deliver_pending() == (0, 0)
    assert len(server.received) == 2


def test_a_refusal_for_now_is_tried_again_later(ctx, smtp_server):
    server = smtp_server()
    _queue("later@example.org", "other@example.org")
    assert deliver_pending() == (1, 1)
    mail = _mail("later@example.org")
    assert mail.sent_at is None and mail.failed_at is None and mail.attempts == 1 and "451" in mail.last_error
    # Not before RETRY_AFTER.
    assert deliver_pending() == (0, 0)
    _time_passes()
    assert deliver_pending() == (0, 1)
    assert _mail("later@example.org").attempts == 2
    server.faulty = False
    _time_passes()
    assert deliver_pending() == (1, 0)
    mail = _mail("later@example.org")
    assert mail.sent_at is not None and mail.failed_at is None and mail.attempts == 3
    assert [to for to, _message in server.received] == [["other@example.org"], ["later@example.org"]]


def test_a_refusal_for_now_fails_the_mail_after_its_last_attempt(ctx, smtp_server):
    smtp_server()
    _queue("later@example.org")
    for _ in range(MAX_ATTEMPTS + 2):
        deliver_pending()
        _time_passes()
    mail = _mail("later@example.org")
    assert mail.attempts == MAX_ATTEMPTS and mail.failed_at is not None and mail.sent_at is None
    assert "451" in mail.last_error


def test_a_dropped_connection_is_tried_again(ctx, smtp_server):
    server = smtp_server()
    _queue("drop@example.org", "other@example.org")
    assert deliver_pending() == (1, 1)
    mail = _mail("drop@example.org")
    assert mail.sent_at is None and mail.failed_at is None and mail.attempts == 1
    assert "SMTPServerDisconnected" in mail.last_error
    server.faulty = False
    _time_passes()
    assert deliver_pending() == (1, 0)
    assert _mail("drop@example.org").sent_at is not None


def test_a_server_that_is_not_there_loses_nothing(app, ctx, monkeypatch):
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_USE_TLS": False,
                       "MAIL_USERNAME": ""}.items():
        monkeypatch.setitem(app.config, key, value)
    _queue("first@example.org", "second@example.org")
    # The first mail finds the server missing; the second is left for the next round, untouched.
    assert deliver_pending() == (0, 1)
    first, second = _mail("first@example.org"), _mail("second@example.org")
    assert first.failed_at is None and first.attempts == 0 and "ConnectionRefusedError" in first.last_error
    assert second.attempts == 0 and second.claimed_at is None
    assert deliver_pending() == (0, 1)
    first, second = _mail("first@example.org"), _mail("second@example.org")
    assert first.attempts == 0 and second.attempts == 0 and second.failed_at is None
    # An outage longer than all the attempts together gives nothing up.
    for _round in range(2 * MAX_ATTEMPTS):
        _time_passes()
        deliver_pending()
    assert {m.failed_at for m in db.session.execute(db.select(OutgoingMail)).scalars()} == {None}


def test_mail_that_cannot_be_built_or_encoded_fails_and_send_mail_goes_on(app, ctx, smtp_server):
    server = smtp_server(utf8=False)
    # Rows send_mail now refuses, as an earlier version could have queued them.
    db.session.add_all([OutgoingMail(to="first@example.org\r\nBcc: intrus@example.org", subject="S", body="B"),
                        OutgoingMail(to="second@example.org, intrus@example.org", subject="S", body="B")])
    db.session.commit()
    # Valid, but this server takes no non-ASCII address (no SMTPUTF8).
    _queue("élise@exämple.fr", "good@example.org")
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 sent, 3 not sent")
    assert [to for to, _message in server.received] == [["good@example.org"]]
    db.session.expire_all()
    failed = db.session.execute(db.select(OutgoingMail).where(OutgoingMail.sent_at.is_(None))).scalars().all()
    assert len(failed) == 3 and all(mail.failed_at is not None and mail.attempts == 1 for mail in failed)
    assert "SMTPNotSupportedError" in _mail("élise@exämple.fr").last_error


def test_a_registration_mail_reaches_the_server_after_the_request(client, ctx, smtp_server):
    server = smtp_server()
    response = client.post_form("/register", {"display_name": "Camille", "email": "camille@example.org",
                                              "password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 302
    (to, message), = server.received
    assert to == ["camille@example.org"] and "\n" not in message["Subject"]
    assert _mail("camille@example.org").sent_at is not None
