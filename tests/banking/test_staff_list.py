"""The advisor's workspace a page at a time: customers paginated and searchable, the goals
behind plan decided in SQL by the same rule as a customer's own page, and a cost that does not
grow with the number of customers."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dcx.banking import goals as banking_goals
from dcx.banking import workspace
from dcx.banking.models import BankingGoal
from dcx.extensions import db
from tests.conftest import make_user
from tests.page_cost import page_cost


@pytest.fixture
def app_config():
    """Three customers a page, so a handful of customers fill several pages."""
    return {"DCX_STAFF_PAGE_SIZE": 3}


def _customers(current_account, n: int, start: int = 0) -> list:
    people = []
    for i in range(start, start + n):
        user = make_user(f"c{i:02d}@example.com", f"Customer {i:02d}")
        current_account(user.id, date(2026, 1, 1), 50_000)
        db.session.add(
            BankingGoal(
                user_id=user.id,
                name="Bike",
                target_minor=100_000,
                saved_minor=1_000 * i,
                target_date=date(2027, 6, 1),
                started_on=date(2026, 1, 1),
            )
        )
        people.append(user)
    db.session.commit()
    return people


def test_the_sql_rule_of_behind_is_the_page_rule(app, current_account):
    """Every goal the customer's own page calls behind, and only those, the staff query finds:
    past their date or not, under and over the straight line, started in the future."""
    user = make_user("grid@example.com", "Grid")
    today = date(2026, 12, 6)
    starts = (today - timedelta(days=400), today - timedelta(days=30), today + timedelta(days=5))
    ends = (
        today - timedelta(days=1),
        today,
        today + timedelta(days=1),
        today + timedelta(days=365),
    )
    saved = (0, 5_000, 50_000, 99_999, 100_000, 120_000)
    for n, (start, end, s) in enumerate(itertools.product(starts, ends, saved)):
        db.session.add(
            BankingGoal(
                user_id=user.id,
                name=f"g{n}",
                target_minor=100_000,
                saved_minor=s,
                target_date=end,
                started_on=start,
            )
        )
    db.session.commit()
    by_page = {v.goal.id for v in banking_goals.goal_views(user.id, today) if v.status == "behind"}
    by_sql = set(
        db.session.execute(select(BankingGoal.id).where(banking_goals.behind_plan(today))).scalars()
    )
    assert by_page and by_sql == by_page


def test_customers_come_a_page_at_a_time_and_by_search(app, current_account, staff_client):
    _customers(current_account, 7)
    advisor, _ = staff_client("banking")

    def listed(url: str) -> str:
        return advisor.get(url).get_data(as_text=True).split('id="banking-customers"')[1]

    first = listed("/banking/staff")
    assert "Customer 00" in first and "Customer 02" in first and "Customer 03" not in first
    assert 'rel="next"' in first
    third = listed("/banking/staff?page=3")
    assert "Customer 06" in third and "Customer 05" not in third
    found = listed("/banking/staff?q=C04@EXAMPLE")
    assert "Customer 04" in found and "Customer 00" not in found
    assert advisor.get("/banking/staff?q=nobody").status_code == 200
    assert advisor.get("/banking/staff?page=99").status_code == 200
    assert advisor.get("/banking/staff?page=x&q=%25_").status_code == 200


def test_goals_behind_show_the_soonest_and_count_the_rest(app, current_account):
    _customers(current_account, 5)
    shown, total = workspace.goals_behind(date(2026, 12, 6), limit=2)
    assert total == 5 and len(shown) == 2
    assert all(view.status == "behind" for _user, view in shown)


def test_the_advisor_page_costs_the_same_for_more_customers(app, current_account, staff_client):
    _customers(current_account, 12)  # more than a page, and more than the behind list shows
    advisor, _ = staff_client("banking")
    with page_cost(db.engine) as few:
        assert advisor.get("/banking/staff").status_code == 200
    _customers(current_account, 24, start=12)
    with page_cost(db.engine) as many:
        assert advisor.get("/banking/staff").status_code == 200
    assert many.statements == few.statements
    assert many.rows == few.rows


@pytest.mark.parametrize("page", ["2000000000", "999999999999", "9" * 30])
def test_a_page_past_the_end_is_the_last_page_without_a_long_offset(
    app, current_account, staff_client, page
):
    """The shared staff-list pager clamps a huge page number to the last page (the last
    customers are shown, not an empty page or the first): the offset asked of the database is
    that page's, never the number typed (an OFFSET scan past every row, or an integer the
    database cannot hold)."""
    _customers(current_account, 7)
    advisor, _ = staff_client("banking")
    answer = advisor.get(f"/banking/staff?page={page}")
    assert answer.status_code == 200
    listed = answer.get_data(as_text=True).split('id="banking-customers"')[1]
    assert "Customer 06" in listed and "Customer 05" not in listed
    assert "7\u20137 of 7" in listed and 'href="/banking/staff?page=2#customers"' in listed
