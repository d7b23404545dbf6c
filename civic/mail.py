"""Outgoing mail: to the log by default, to SMTP when MAIL_SERVER is set."""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("civic.mail")


def send_mail(to, subject, body):
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)

    server = current_app.config["MAIL_SERVER"]
    if not server:
        log.info("Mail (not sent: MAIL_SERVER unset)\nTo: %s\nSubject: %s\n\n%s", to, subject, body)
        return
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(server, config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
