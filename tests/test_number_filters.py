"""Numbers and percentages on a page are written in the visitor's locale: a decimal comma in
Spanish and Romanian, the locale's percent style, decimals only where the number has them;
and a number a person types is read the same way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale

from dcx.banking.amounts import parse_amount
from dcx.filters import money, number, percent
from dcx.platform.numbers import parse_number, to_major, to_minor


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["8.1", "1,234.50", "0.01", "20%", "20.5%", "—"]),
        ("es", ["8,1", "1.234,50", "0,01", "20\u00a0%", "20,5\u00a0%", "—"]),
        ("ro", ["8,1", "1.234,50", "0,01", "20\u00a0%", "20,5\u00a0%", "—"]),
    ],
)
def test_numbers_and_percentages_follow_the_locale(app, language, expected):
    with app.test_request_context(), force_locale(language):
        shown = [
            number(8.1, most=6),
            number(1234.5, 2),
            number("0.01", most=6),
            percent(20.0, 1),
            percent(20.5, 1),
            percent(None),
        ]
    assert shown == expected


def test_a_stored_answer_that_is_not_a_number_is_shown_as_typed(app):
    with app.test_request_context(), force_locale("es"):
        assert number("abc", most=2) == "abc"
        assert number(None) == "—"


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("es", "1.234,56", Decimal("1234.56")),
        ("es", "12,5", Decimal("12.5")),
        ("ro", "1.234,56 €", Decimal("1234.56")),
        ("ro", "-3,5", Decimal("-3.5")),
        ("en", "1,234.56", Decimal("1234.56")),
        ("en", "12.5", Decimal("12.5")),
    ],
)
def test_a_typed_number_is_read_in_the_visitor_s_locale(app, language, text, expected):
    with app.test_request_context(), force_locale(language):
        assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [("es", "12.5"), ("es", "1,234.56"), ("ro", "abc"), ("en", "12,5"), ("es", ""), ("es", "NaN")],
)
def test_a_number_misplaced_for_the_locale_is_refused_not_guessed(app, language, text):
    with app.test_request_context(), force_locale(language), pytest.raises(ValueError):
        parse_number(text)


def test_an_amount_is_read_in_cents_in_the_locale(app):
    assert parse_amount("1.234,56", "es") == 123456
    assert parse_amount("12,5", "ro") == 1250
    assert parse_amount("1,234.56") == 123456  # English outside a request
    with pytest.raises(ValueError):
        parse_amount("12,50", "en")  # not 1250 euros by mistake


@pytest.mark.parametrize(
    ("currency", "minor", "expected"),
    [("EUR", 123456, "€1,234.56"), ("JPY", 123456, "¥123,456"), ("BHD", 123456, "BHD123.456")],
)
def test_money_has_as_many_decimals_as_its_currency(app, currency, minor, expected):
    """Minor units are cents for the euro, whole yen for the yen, fils (1/1000) for the dinar."""
    with app.test_request_context(), force_locale("en"):
        assert money(minor, currency).replace("\u00a0", "") == expected


def test_an_amount_is_read_in_the_currency_s_own_minor_units(app):
    assert parse_amount("1,234", "en", currency="JPY") == 1234
    assert parse_amount("1.234", "en", currency="BHD") == 1234
    with pytest.raises(ValueError):
        parse_amount("12.5", "en", currency="JPY")  # a yen has no decimals
    assert to_major(1234, "BHD") == Decimal("1.234") and to_minor(Decimal("1.234"), "BHD") == 1234
