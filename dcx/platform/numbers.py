"""Numbers a person types, read in their locale: "1.234,56" and "12,5" in Spanish and Romanian,
"1,234.56" and "12.5" in English.

A form field where someone types a number or an amount (a text field, not the browser's own
number input, which always sends "12.5") passes the text here. A separator in the wrong place
for the locale ("12.5" in Spanish, where "." groups thousands) is refused rather than guessed,
so the form can ask again with an example in the reader's own style.

Money is stored as an integer of minor units; how many digits a currency's minor unit has is
Babel's (ISO 4217) word, never an assumed two: 1234 is ¥1,234, €12.34 or BHD 1.234.
"""

from __future__ import annotations

from decimal import Decimal

from babel import Locale
from babel.numbers import NumberFormatError, get_currency_precision, parse_decimal
from flask_babel import get_locale

# Typed around a number, never part of it: currency and percent signs, spaces of any width.
_AROUND = ("€", "%", "\u00a0", "\u202f", " ")


def parse_number(text: str | None, locale: Locale | str | None = None) -> Decimal:
    """The number ``text`` says in ``locale`` (the visitor's; English outside a request).

    ValueError for an empty text, a word, a separator misplaced for the locale, or a value
    that is not finite (NaN, infinity).
    """
    cleaned = (text or "").strip()
    for mark in _AROUND:
        cleaned = cleaned.replace(mark, "")
    if not cleaned:
        raise ValueError("no number")
    try:
        value = parse_decimal(cleaned, locale=locale or get_locale() or "en", strict=True)
    except (NumberFormatError, ArithmeticError):
        raise ValueError("not a number in this locale") from None
    if not value.is_finite():
        raise ValueError("not a finite number")
    return value


def currency_digits(currency: str) -> int:
    """How many decimals the currency's minor unit has: 2 for EUR, 0 for JPY, 3 for BHD."""
    return int(get_currency_precision(currency))


def to_major(amount_minor: int, currency: str) -> Decimal:
    """Integer minor units as an exact amount in major units: 1234 EUR -> 12.34."""
    return Decimal(amount_minor).scaleb(-currency_digits(currency))


def to_minor(amount: Decimal, currency: str) -> int:
    """An exact amount in major units as integer minor units: 12.34 EUR -> 1234.

    ValueError when the amount has more decimals than the currency's minor unit (12.5 JPY).
    """
    minor = amount.scaleb(currency_digits(currency))
    if minor != minor.to_integral_value():
        raise ValueError("more decimals than the currency has")
    return int(minor)
