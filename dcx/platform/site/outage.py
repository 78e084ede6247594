"""When the database fails (a full or read-only disk, a server that cannot be reached), every
page answers 503 with the app's own error page saying what is wrong, rendered without the
database: the shared layout reads it (brand, clock, signed-in user), so it is not used here.
"""

from __future__ import annotations

from flask import current_app, jsonify, request, session
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.exc import (
    InterfaceError,
    InternalError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

LANGUAGES = ("en", "es", "ro")
RETRY_AFTER_SECONDS = 60

DISK_FULL = _l(
    "The disk that holds the database is full: nothing can be saved until space is freed."
)
READ_ONLY = _l("The database is read-only just now: pages can be read, but nothing can be saved.")
UNREACHABLE = _l("The database cannot be reached or is not answering just now.")


def database_fault(error: BaseException | None) -> LazyString | None:
    """What is wrong with the database, if ``error`` is the database failing rather than a
    bug (a constraint, bad SQL): a disk full, a read-only database or one out of reach. Lazy:
    it is read in the visitor's language, which is not to be asked of the database."""
    if error is None:
        return None
    if isinstance(error, PoolTimeout):
        return UNREACHABLE
    if not isinstance(error, OperationalError | InterfaceError | InternalError):
        return None
    orig = error.orig
    sqlite_name = str(getattr(orig, "sqlite_errorname", "") or "")
    sqlstate = str(getattr(orig, "sqlstate", "") or "")
    if sqlite_name == "SQLITE_FULL" or sqlstate == "53100":  # PostgreSQL's disk_full
        return DISK_FULL
    if sqlite_name.startswith("SQLITE_READONLY") or sqlstate == "25006":  # read-only transaction
        return READ_ONLY
    if isinstance(error, InternalError):
        return None
    return UNREACHABLE


def fault_behind(error: BaseException) -> LazyString | None:
    """The database fault behind ``error``, itself or the one a 500 wraps."""
    fault = database_fault(error)
    if fault is None:
        fault = database_fault(getattr(error, "original_exception", None))
    return fault


def _visitor_locale() -> str:
    """The visitor's language from what the request carries (never the database)."""
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES) or "en"


def render_outage(error: BaseException):
    """The 503 for a database fault: JSON for the API, else the standalone error page."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    locale = _visitor_locale()
    with force_locale(locale):
        message = _l("The showcase is busy for a moment.")
        detail = str(fault_behind(error) or UNREACHABLE)
        if request.path.startswith("/api/"):
            return jsonify(error=detail, status=503), 503, headers
        page = current_app.jinja_env.get_template("site/outage.html").render(
            lang=locale,
            message=str(message),
            detail=detail,
            brand_name=current_app.config["DCX_BRAND"],
        )
    return page, 503, headers


def rollback_quietly() -> None:
    """Roll the session back; a database out of reach may refuse even that."""
    from dcx.extensions import db

    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.close()
