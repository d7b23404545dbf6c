"""Mail is queued with the action (one-line headers, one address), sent after the commit, and survives a mail server that is down."""
import smtplib

import pytest

from civic import mail as civic_mail
from civic.accounts.models import User
from civic.extensions import db
from civic.mail import MAX_ATTEMPTS, OutgoingMail, deliver_pending, send_mail


class FakeSMTP:
    sent = []
    down = False

    def __init__(self, host, port, timeout):
        if FakeSMTP.down:
            raise ConnectionRefusedError("smtp down")
        self.sent.append(("connect", host, port))

    def quit(self):
        pass

    def close(self):
        pass

    def starttls(self):
        self.sent.append(("starttls",))

    def login(self, user, password):
        self.sent.append(("login", user))

    def send_message(self, message, to_addrs=None):
        self.sent.append(("send", message["To"], message["Subject"], message["List-Unsubscribe"]))


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent, FakeSMTP.down = [], False
    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "civic")
    return FakeSMTP


def _register(client, email):
    return client.post_form("/register", {"display_name": "Camille", "email": email,
                                          "password": "un mot de passe assez long",
                                          "password_confirm": "un mot de passe assez long"})


def test_smtp_is_used_when_configured(app, ctx, smtp):
    with app.test_request_context():
        send_mail("a@example.org", "Sujet", "Corps", unsubscribe_url="https://civic.test/u/x")
        db.session.commit()
        assert deliver_pending() == (1, 0)
    assert smtp.sent == [("connect", "smtp.example.org", 587), ("starttls",), ("login", "civic"),
                         ("send", "a@example.org", "Sujet", "<https://civic.test/u/x>")]


def test_mail_leaves_after_the_response_not_during_it(client, ctx, smtp, monkeypatch):
    seen_during_request = []
    original = smtp.send_message

    def record(self, message, to_addrs=None):
        seen_during_request.append(db.session.execute(db.select(db.func.count(User.id))).scalar_one())
        original(self, message, to_addrs)

    monkeypatch.setattr(FakeSMTP, "send_message", record)
    response = _register(client, "late@example.org")
    assert response.status_code == 302
    # By the time the mail left, the registration was committed and the response done.
    assert seen_during_request == [1]
    assert db.session.execute(db.select(OutgoingMail)).scalar_one().sent_at is not None


def test_a_mail_server_that_is_down_loses_nothing(app, client, ctx, smtp):
    smtp.down = True
    response = _register(client, "offline@example.org")
    assert response.status_code == 302
    assert db.session.execute(db.select(User).filter_by(email_normalized="offline@example.org")).scalar_one()
    mail = db.session.execute(db.select(OutgoingMail)).scalar_one()
    # A server that cannot be reached says nothing about the mail: no attempt is used up.
    assert mail.sent_at is None and mail.attempts == 0 and "smtp down" in mail.last_error
    # The server is back: the cron command sends it (after the retry delay).
    smtp.down = False
    mail.claimed_at = None
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    mail = db.session.execute(db.select(OutgoingMail)).scalar_one()
    assert mail.sent_at is not None and ("send", "offline@example.org", mail.subject, None) in smtp.sent


def test_a_mail_is_given_up_after_its_attempts(app, ctx, smtp, monkeypatch):
    def later(self, message, to_addrs=None):
        raise smtplib.SMTPRecipientsRefused({"a@example.org": (451, b"smtp busy, try later")})

    monkeypatch.setattr(FakeSMTP, "send_message", later)
    with app.test_request_context():
        send_mail("a@example.org", "Sujet", "Corps")
        db.session.commit()
        for _ in range(MAX_ATTEMPTS + 2):
            db.session.execute(db.update(OutgoingMail).values(claimed_at=None))
            db.session.commit()
            deliver_pending()
    mail = db.session.execute(db.select(OutgoingMail)).scalar_one()
    assert mail.attempts == MAX_ATTEMPTS and mail.sent_at is None
    assert mail.failed_at is not None and "try later" in mail.last_error


def test_a_refused_recipient_fails_the_mail_for_good(app, ctx, smtp, monkeypatch):
    def broken(self, message, to_addrs=None):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"no")})

    monkeypatch.setattr(FakeSMTP, "send_message", broken)
    with app.test_request_context():
        send_mail("x@example.org", "Sujet", "Corps")
        db.session.commit()
        assert deliver_pending() == (0, 1)
    mail = db.session.execute(db.select(OutgoingMail)).scalar_one()
    assert mail.attempts == 1 and mail.failed_at is not None and "550" in mail.last_error


def test_queued_headers_are_one_line(ctx):
    send_mail("a@example.org", "Un titre\r\nBcc: b@example.org\u2028\x00fin", "Corps\r\nsur deux lignes",
              unsubscribe_url="https://civic.test/u/x\r\nX-Evil: 1")
    mail = db.session.execute(db.select(OutgoingMail)).scalar_one()
    assert mail.subject == "Un titre Bcc: b@example.org fin"
    assert mail.unsubscribe_url == "https://civic.test/u/x X-Evil: 1"
    # The body is not a header: its lines stay.
    assert mail.body == "Corps\r\nsur deux lignes"
    db.session.rollback()


@pytest.mark.parametrize("address", ["a@example.org\r\nBcc: b@example.org", "a@example.org, b@example.org",
                                     "Camille <a@example.org>", "a\x00@example.org", " a@example.org", "nobody"])
def test_send_mail_refuses_what_is_not_one_address(ctx, address):
    with pytest.raises(ValueError):
        send_mail(address, "Sujet", "Corps")
    assert not db.session.new


def test_queueing_outside_a_request_starts_no_delivery(ctx, smtp):
    # flask commands and tests queue mail in an app context and call deliver_pending themselves.
    send_mail("a@example.org", "Sujet", "Corps")
    db.session.commit()
    assert civic_mail._deliveries == [] and smtp.sent == []
    assert db.session.execute(db.select(OutgoingMail)).scalar_one().sent_at is None
