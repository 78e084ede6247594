"""Numbers and percentages on a page are written in the visitor's locale: a decimal comma in
Spanish and Romanian, the locale's percent style, decimals only where the number has them."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from dcx.filters import number, percent


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
