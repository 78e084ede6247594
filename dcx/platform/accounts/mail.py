"""Send the account layer's own e-mails (a sign-up's link, a note to an account's owner).

These go out at once, not through the notification outbox: the outbox keeps messages of
customers, and a sign-up's address has no customer yet. Over SMTP when ``MAIL_SERVER`` is set,
otherwise to the log (its kind only: the text carries a link that creates an account). The
sender lives in ``app.extensions["dcx_account_mailer"]``, so a test can catch what is sent.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from email.message import EmailMessage

from flask import current_app

from dcx.platform.accounts.signup import AccountEmail

Mailer = Callable[[AccountEmail], None]


def smtp_mailer(item: AccountEmail) -> None:
    """Send over SMTP to ``MAIL_SERVER``:``MAIL_PORT`` (STARTTLS/login if configured)."""
    config = current_app.config
    outgoing = EmailMessage()
    outgoing["From"] = config.get("MAIL_SENDER") or "showcase@dcx.example"
    outgoing["To"] = item.to
    outgoing["Subject"] = item.subject
    outgoing.set_content(item.text)
    with smtplib.SMTP(
        config["MAIL_SERVER"],
        int(config.get("MAIL_PORT", 25)),
        timeout=config.get("MAIL_TIMEOUT", 10),
    ) as server:
        if config.get("MAIL_USE_TLS"):
            server.starttls()
        if config.get("MAIL_USERNAME"):
            server.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        server.send_message(outgoing)


def console_mailer(item: AccountEmail) -> None:
    """No mail server: note in the log that an account e-mail was due (never its text)."""
    current_app.logger.info("account email (console, no MAIL_SERVER): not sent")


def send(item: AccountEmail) -> None:
    """Send one account e-mail through the installed mailer; a failure is logged, not raised,
    so the visitor's answer is the same whether the mail server is up or not."""
    mailer = current_app.extensions.get("dcx_account_mailer")
    if mailer is None:
        mailer = smtp_mailer if current_app.config.get("MAIL_SERVER") else console_mailer
    try:
        mailer(item)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("account email failed: %s", type(error).__name__)
