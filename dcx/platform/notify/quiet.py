"""Quiet hours: when SMS and push wait. Email and the inbox are never held.

A customer's quiet hours are two times of day in their time zone; a start later than the end
wraps past midnight (22:00-07:00). :func:`quiet_until` answers "is it quiet now, and until when?".
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HELD_CHANNELS = ("sms", "push")


def zone(name: str) -> ZoneInfo:
    """The named time zone, or UTC if the name is unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def minute_of(value: time) -> int:
    """Minutes after midnight of a time of day."""
    return value.hour * 60 + value.minute


def time_of(minute: int) -> time:
    """The time of day ``minute`` minutes after midnight."""
    return time(minute // 60 % 24, minute % 60)


def is_quiet(start_minute: int, end_minute: int, minute: int) -> bool:
    """True if ``minute`` (of the day) falls in [start, end), wrapping past midnight."""
    if start_minute == end_minute:
        return False
    if start_minute < end_minute:
        return start_minute <= minute < end_minute
    return minute >= start_minute or minute < end_minute


def quiet_until(hours, now: datetime) -> datetime | None:
    """When the quiet hours around ``now`` end (aware UTC), or None if ``now`` is not quiet.

    ``hours`` has ``start_minute``, ``end_minute`` and ``timezone`` (a QuietHours row).
    """
    tz = zone(hours.timezone)
    local = now.astimezone(tz)
    minute = local.hour * 60 + local.minute
    if not is_quiet(hours.start_minute, hours.end_minute, minute):
        return None
    end_day = local.date()
    if minute >= hours.end_minute:  # e.g. 23:00 in 22:00-07:00: ends tomorrow morning
        end_day += timedelta(days=1)
    end = datetime.combine(end_day, time_of(hours.end_minute), tzinfo=tz)
    return end.astimezone(now.tzinfo)
