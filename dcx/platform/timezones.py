"""Whose time zone a time is shown in: the signed-in person's, or a message's recipient's.

Times are stored in UTC. Every date and time a page shows goes through Babel's
``format_datetime`` / ``format_date`` / ``format_time`` (the ``datetime``, ``date`` and
``time`` filters), which convert to the zone :func:`select_timezone` picks: the signed-in
customer's (or staff member's) own ``User.timezone``, else the site's default zone
(``BABEL_DEFAULT_TIMEZONE``). A job has no visitor: :func:`in_timezone` renders a message in
its recipient's zone (``notify.in_locale`` does it for every message it renders).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pytz  # type: ignore[import-untyped]
from flask import has_request_context
from flask_babel import get_timezone
from flask_login import current_user

from dcx.platform.forms import SelectChoice


def valid_zone(name: str | None) -> str:
    """``name`` when it is a known IANA time zone, else "" (follow the site's default)."""
    if not name:
        return ""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return name


@lru_cache(maxsize=1)
def timezone_choices() -> tuple[SelectChoice, ...]:
    """Every IANA time zone as a select option, UTC first."""
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    return (SelectChoice("UTC", "UTC"), *[SelectChoice(z, z.replace("_", " ")) for z in zones])


def select_timezone() -> str | None:
    """Babel's time zone selector: the signed-in person's zone; None for the site's default."""
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated:
        return valid_zone(getattr(current_user, "timezone", "")) or None
    return None


@contextmanager
def in_timezone(name: str | None) -> Iterator[None]:
    """Format dates and times in the zone ``name`` inside the block ("" or unknown: no change).

    Works in a request and in a job (an app context is enough); the zone in force before
    comes back afterwards.
    """
    from flask_babel import _get_current_context

    zone = valid_zone(name)
    ctx = _get_current_context()
    if not zone or ctx is None:
        yield
        return
    before = get_timezone()
    ctx.babel_tzinfo = pytz.timezone(zone)  # Flask-Babel converts with pytz's normalize()
    try:
        yield
    finally:
        ctx.babel_tzinfo = before
