"""Calendar months step the same way everywhere: clamped to the month's end, across years."""

from datetime import date

import pytest

from dcx.automotive import financing
from dcx.banking import amounts
from dcx.platform.months import add_months, month_bounds, month_start


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 10), -13, date(2024, 12, 10)),
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
        (date(2026, 8, 31), 18 * 12, date(2044, 8, 31)),
    ],
)
def test_a_day_some_months_later_is_clamped_to_the_months_end(day, months, expected):
    assert add_months(day, months) == expected


def test_a_month_has_its_first_day_and_half_open_bounds():
    assert month_start(date(2026, 12, 6)) == date(2026, 12, 1)
    assert month_bounds(2026, 12) == (date(2026, 12, 1), date(2027, 1, 1))


def test_banking_and_automotive_step_months_with_the_one_helper():
    assert amounts.add_months is add_months
    assert financing.add_months is add_months
