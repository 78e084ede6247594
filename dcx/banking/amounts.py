"""Amounts, rates and monthly periods: parsing an amount typed by a customer, yields, months and
the paths of monthly reports."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel.speaklater import LazyString

from dcx.platform.inputs import DB_INT_MAX

# Months step one way for the whole application; these names stay importable from here.
from dcx.platform.months import add_months as add_months
from dcx.platform.months import month_bounds as month_bounds
from dcx.platform.months import month_start as month_start
from dcx.platform.numbers import currency_digits, parse_number, to_minor


def parse_amount(text: str | None, locale: str | None = None, currency: str = "EUR") -> int:
    """Parse an amount typed by a customer in the visitor's locale into minor units: ``"1,234.56"``
    or ``"12"`` in English, ``"1.234,56"`` or ``"12,5"`` in Spanish; at most as many decimals
    as the currency has (two for EUR, none for JPY); ValueError for anything else."""
    value = parse_number(text, locale)
    # Bounded before scaling: 1e308 is finite but cannot be quantized, and a stored amount
    # must fit an INTEGER column of minor units.
    if not value.is_finite() or abs(value).scaleb(currency_digits(currency)) > DB_INT_MAX:
        raise ValueError("not an amount")
    return to_minor(value, currency)


def apy(rate_bp: int, compounding: int) -> Decimal:
    """APY = (1 + r/n)^n - 1 for a nominal rate ``r`` (basis points) compounded n times a year."""
    if compounding <= 0:
        return Decimal(rate_bp) / Decimal(10_000)
    r = Decimal(rate_bp) / Decimal(10_000)
    return (1 + r / compounding) ** compounding - 1


def percent(fraction: Decimal, places: str = "0.01") -> Decimal:
    """A fraction shown as a percentage, rounded half up: 0.030416 -> 3.04."""
    return (fraction * 100).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def period_key(day: date) -> str:
    """``2026-10`` for any day of October 2026."""
    return f"{day.year:04d}-{day.month:02d}"


def report_path(year: int, month: int) -> str:
    """The report page's path; usable outside a request (jobs write it into messages)."""
    return f"/banking/reports/{year:04d}-{month:02d}"


def _in_their_format(formatter: Any, *args: Any) -> LazyString:
    """A money amount, date or number formatted when its text is rendered, not now.

    A timeline event's lazy text is rendered in its customer's language (``record``); the
    amounts in it must follow that language too, not the one in force when it happened.
    """
    return LazyString(formatter, *args)
