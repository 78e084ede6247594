"""The one clock of the application: real time plus the showcase's offset.

A presenter moves the clock forward to make a month pass in seconds; the offset lives in the
database so the web workers and the scheduler agree. App code reads time only through
:func:`now` (rule 3 of the architecture), never ``datetime.now()``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import g, has_app_context
from sqlalchemy import Integer, select, update
from sqlalchemy.orm import Mapped, mapped_column

from dcx.database import IdMixin, rows_changed
from dcx.extensions import Model, db


class ClockOffset(IdMixin, Model):
    """The single row holding how far the showcase's clock is ahead of real time."""

    __tablename__ = "clock_offset"

    seconds: Mapped[int] = mapped_column(Integer, default=0)


def real_now() -> datetime:
    """Wall-clock UTC time, without the showcase's offset."""
    return datetime.now(UTC)


def offset() -> timedelta:
    """The current offset, read once per app context (one query per request at most)."""
    if not has_app_context():
        return timedelta(0)
    cached = g.get("_dcx_clock_offset")
    if cached is None:
        # Core execute on the session's connection: no autoflush, so this is safe to call
        # from a column default while the session is flushing.
        seconds = (
            db.session.connection()
            .execute(select(ClockOffset.seconds).where(ClockOffset.id == 1))
            .scalar()
        )
        cached = timedelta(seconds=seconds or 0)
        g._dcx_clock_offset = cached
    return cached


def now() -> datetime:
    """The showcase's current time: an aware UTC datetime."""
    return real_now() + offset()


def today():
    """The showcase's current date in UTC."""
    return now().date()


def _store(seconds: int) -> None:
    result = db.session.execute(
        update(ClockOffset).where(ClockOffset.id == 1).values(seconds=seconds)
    )
    if rows_changed(result) == 0:
        db.session.add(ClockOffset(id=1, seconds=seconds))
    db.session.flush()
    g._dcx_clock_offset = timedelta(seconds=seconds)


def advance(delta: timedelta) -> datetime:
    """Move the clock forward by ``delta`` (never backward) and return the new time."""
    if delta < timedelta(0):
        raise ValueError("the demo clock only moves forward; use reset() to go back")
    _store(int((offset() + delta).total_seconds()))
    return now()


def reset() -> datetime:
    """Put the clock back to real time."""
    _store(0)
    return now()


_DURATION = re.compile(r"^\s*(\d{1,5})\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """Parse ``30d``, ``12h``, ``2w`` or ``90m`` into a timedelta; ValueError otherwise."""
    match = _DURATION.match(text or "")
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30d, 12h, 2w, 90m)")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
