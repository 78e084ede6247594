"""Jinja filters: money, dates and numbers formatted for the visitor's locale."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    format_time,
    format_timedelta,
    get_locale,
)

from dcx.platform.numbers import to_major


def money(amount_minor: int | None, currency: str = "EUR") -> str:
    """Integer minor units and an ISO 4217 code, formatted for the locale: the currency's own
    number of decimals (2 for EUR, 0 for JPY, 3 for BHD)."""
    if amount_minor is None:
        return "—"
    return format_currency(to_major(amount_minor, currency), currency)


def as_date(value: date | datetime | None, style: str = "medium") -> str:
    """A date in the locale's style."""
    return format_date(value, style) if value else "—"


def as_datetime(value: datetime | None, style: str = "medium") -> str:
    """A date and time in the locale's style and the viewer's time zone (see
    :mod:`dcx.platform.timezones`): stored UTC, shown in local time."""
    return format_datetime(value, style) if value else "—"


def as_time(value: datetime | str | None, style: str = "short") -> str:
    """A time of day in the locale's style and the viewer's time zone. A stored UTC datetime,
    or a stored UTC time of day ("08:00", as a daily schedule keeps it), taken on today's date
    of the showcase clock."""
    if not value:
        return "—"
    if isinstance(value, str):
        from dcx.platform import clock

        try:
            hours, minutes = (int(part) for part in value.split(":")[:2])
            moment = clock.now().replace(hour=hours, minute=minutes, second=0, microsecond=0)
        except ValueError:
            return value
        return format_time(moment, style)
    return format_time(value, style)


def machine_time(value: date | datetime | None) -> str:
    """The value of a ``<time datetime>`` attribute: ISO 8601 to the second, as HTML accepts.

    A stored datetime carries microseconds, which the HTML standard's "valid global date and
    time string" allows only up to milliseconds; a second is all a page needs.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def duration(value: timedelta | None) -> str:
    """How long something took ("3 seconds", "2 minutes"), in the locale's words."""
    if value is None:
        return "—"
    return format_timedelta(value, threshold=1)


def number(value: Decimal | float | int | str | None, digits: int = 0, most: int = 0) -> str:
    """A number with the locale's separators and decimal mark: ``digits`` decimals always,
    up to ``most`` when they are not 0 (``number(8.1, most=4)`` is "8,1" in Spanish)."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)  # a stored answer that is not a number is shown as it was typed
    decimals = "0" * digits + "#" * max(0, most - digits)
    pattern = "#,##0" + ("." + decimals if decimals else "")
    return format_decimal(amount, format=pattern)


def percent(value: Decimal | float | int | None, digits: int = 0) -> str:
    """A value on a 0-100 scale as a percentage in the locale's style, with up to ``digits``
    decimals: "20.5%" in English, "20,5 %" in Spanish."""
    if value is None:
        return "—"
    pattern = get_locale().percent_formats[None].pattern.split(";")[0]
    if digits:
        pattern = pattern.replace("0", "0." + "#" * digits, 1)
    return format_percent(Decimal(str(value)) / 100, format=pattern)


def register(app: Flask) -> None:
    """Install the filters on ``app``."""
    app.add_template_filter(money, "money")
    app.add_template_filter(as_date, "date")
    app.add_template_filter(as_datetime, "datetime")
    app.add_template_filter(number, "number")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(duration, "duration")
    app.add_template_filter(as_time, "time")
    app.add_template_filter(machine_time, "machine_time")


def stored_label(labels: Mapping[str, Mapping[str, Any]], kind: str, value: str | None) -> str:
    """The label of a stored key ``value`` of ``kind`` in the current locale, from a vertical's
    ``{kind: {key: lazy label}}`` table; an unknown kind or value comes back as it is, so
    nothing stored is ever hidden."""
    if not value:
        return ""
    text = labels.get(kind, {}).get(value)
    return value if text is None else str(text)
