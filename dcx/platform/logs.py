"""What reaches the logs: ids and kinds, never a secret that an address carries.

The application logs ids and kinds (``push delivery 12 to user 3, topic health.dose_reminder``),
never a message's text, an e-mail address or a token. Some secrets travel in URLs, which access
logs (Werkzeug's, gunicorn's) and error lines print: the private calendar feed
(``/calendar/<id>/<secret>.ics``), the hand-off link (``/d/<token>``), also URL-encoded in
a ``next=`` argument, a sign-up's link (``/account/signup/confirm/<token>``) and bearer tokens. :class:`SecretMaskingFilter` masks them in every line
of the loggers that print addresses.
"""

from __future__ import annotations

import logging
import re
import traceback

from flask import Flask
from sqlalchemy.exc import DBAPIError

MASK = "***"

_SECRETS = (
    (re.compile(r"(/calendar/\d+/)[^/\s?#\"']+(\.ics)"), rf"\g<1>{MASK}\g<2>"),
    (re.compile(r"(%2Fcalendar%2F\d+%2F)[^&\s\"'%]+(\.ics)", re.IGNORECASE), rf"\g<1>{MASK}\g<2>"),
    (re.compile(r"(/d/)[^/\s?#\"']+"), rf"\g<1>{MASK}"),
    (re.compile(r"(%2Fd%2F)[^&\s\"'%]+", re.IGNORECASE), rf"\g<1>{MASK}"),
    (re.compile(r"(/signup/confirm/)[^/\s?#\"']+"), rf"\g<1>{MASK}"),
    (re.compile(r"(Bearer\s+)\S+", re.IGNORECASE), rf"\g<1>{MASK}"),
)

# Loggers that print request addresses: the app's own (errors name the path), Werkzeug's
# development server and gunicorn's access and error logs.
MASKED_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def mask_secrets(text: str) -> str:
    """``text`` with the secrets of calendar feeds, hand-off links and bearer tokens masked."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class SecretMaskingFilter(logging.Filter):
    """Rewrite each record's message with :func:`mask_secrets` (it never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the formatted message in place."""
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def log_failure(logger: logging.Logger, error: BaseException, message: str, *args: object) -> None:
    """Log ``message`` with ``error``'s traceback; a database error is logged by its kind and
    statement only, since the database's own text quotes the values (PostgreSQL's
    ``Key (email)=(...) already exists``)."""
    if isinstance(error, DBAPIError):
        frames = "".join(traceback.format_tb(error.__traceback__))
        logger.error(
            message + " (%s from the database; statement: %s)\n%s",
            *args,
            f"{type(error).__name__} ({type(error.orig).__name__})",
            (error.statement or "")[:500],
            frames,
        )
    else:
        logger.error(message, *args, exc_info=error)


def install_secret_masking(app: Flask) -> None:
    """Add the filter (once) to the app's logger and to the access loggers."""
    for logger in (app.logger, *(logging.getLogger(name) for name in MASKED_LOGGERS)):
        if not any(isinstance(f, SecretMaskingFilter) for f in logger.filters):
            logger.addFilter(SecretMaskingFilter())
