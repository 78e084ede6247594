"""Calendar months, the one way: a day some months later, a month's first day, its bounds.

Instalments, bills, statements and reports all step by calendar month; stepping is
``dateutil``'s ``relativedelta``, which clamps to the month's last day (31 January plus one
month is 28 or 29 February) and crosses years either way.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier, if negative), clamped to the month's last day."""
    return day + relativedelta(months=months)


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first day of the month and the first day of the next one (half-open)."""
    start = date(year, month, 1)
    return start, add_months(start, 1)
