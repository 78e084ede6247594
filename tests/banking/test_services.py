"""The money rules of banking, in integer minor units, with their edge cases."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dcx.banking import (
    accounts,
    amounts,
    bills,
    goals,
    reports,
    rules,
    safe_to_spend,
    transactions,
    workspace,
)
from dcx.banking.models import BankingAccount, BankingGoal, BankingTransaction
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.timeline.models import Event
from dcx.verticals import Obligation, Vertical, VerticalRegistry
from tests.banking.conftest import add_tx
from tests.conftest import make_user

TODAY = date(2026, 11, 12)


# --- amounts, APY, dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,minor", [("12", 1200), ("1,234.56", 123456), (" 0.07 ", 7), ("€5.5", 550)]
)
def test_amounts_parse_to_cents(text, minor):
    assert amounts.parse_amount(text) == minor


@pytest.mark.parametrize("text", ["", "abc", "1.234", "NaN", "1e400x"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(ValueError):
        amounts.parse_amount(text)


def test_apy_from_nominal_rate_and_compounding():
    monthly = amounts.apy(300, 12)
    assert isinstance(monthly, Decimal)
    assert amounts.percent(monthly) == Decimal("3.04")
    assert abs(monthly - Decimal("0.030415957")) < Decimal("0.000000001")
    assert amounts.apy(375, 1) == Decimal("0.0375")  # yearly: APY equals the rate
    assert amounts.percent(amounts.apy(410, 365)) == Decimal("4.18")  # ~e^0.041 - 1
    assert amounts.apy(0, 12) == 0
    # more compounding never yields less
    assert amounts.apy(300, 365) > amounts.apy(300, 12) > amounts.apy(300, 1)


def test_add_months_clamps_to_month_end():
    assert amounts.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert amounts.add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert amounts.add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


# --- goals --------------------------------------------------------------------------------


def test_monthly_contribution_is_remaining_over_months_left_rounded_up():
    # 1,000.00 left, target in 3 months counting this one -> 333.34 (never short by a cent)
    assert goals.months_left(date(2026, 11, 1), date(2027, 1, 20)) == 3
    assert (
        goals.monthly_contribution_needed(150_000, 50_000, date(2027, 1, 20), date(2026, 11, 1))
        == 33_334
    )


def test_goal_date_passed_asks_for_everything_now():
    assert goals.months_left(date(2026, 11, 1), date(2026, 10, 1)) == 0
    assert (
        goals.monthly_contribution_needed(100_000, 40_000, date(2026, 10, 1), date(2026, 11, 1))
        == 60_000
    )


def test_goal_already_reached_needs_nothing():
    assert goals.monthly_contribution_needed(100_000, 120_000, date(2027, 5, 1), TODAY) == 0


def test_on_track_is_straight_line_share_of_the_time_gone():
    start, end = date(2026, 1, 1), date(2027, 1, 1)
    assert goals.is_on_track(120_000, 60_000, start, end, date(2026, 7, 1))  # half way, half saved
    assert not goals.is_on_track(120_000, 30_000, start, end, date(2026, 7, 1))
    assert not goals.is_on_track(120_000, 119_999, start, end, date(2027, 1, 2))  # date passed
    assert goals.is_on_track(120_000, 120_000, start, end, date(2027, 1, 2))


def test_goal_plan_is_fixed_for_the_month_and_contributions_count_against_it(app, current_account):
    user = make_user()
    account = current_account(user.id, date(2026, 1, 1), 500_000)
    goal = goals.create_goal(user.id, "Bike", 90_000, date(2027, 1, 31), TODAY)
    # Nov, Dec, Jan: 300.00 a month
    (view,) = goals.goal_views(user.id, TODAY)
    assert view.needed_this_month == 30_000
    assert view.outstanding_this_month == 30_000
    goals.move_goal_money(goal, 10_000, TODAY)
    (view,) = goals.goal_views(user.id, TODAY)
    assert view.needed_this_month == 30_000  # not recalculated until next month
    assert view.outstanding_this_month == 20_000
    # the money left the current account
    assert accounts.available_balance(account.id) == 490_000


def test_reaching_a_goal_is_recorded_once_on_the_timeline(app, current_account):
    user = make_user()
    current_account(user.id, date(2026, 1, 1), 500_000)
    savings = accounts.open_current_account(user.id, TODAY)
    savings.kind = "savings"
    goal = goals.create_goal(user.id, "Laptop", 50_000, date(2027, 3, 1), TODAY, savings.id)
    assert goals.move_goal_money(goal, 30_000, TODAY) is False
    assert goals.move_goal_money(goal, 20_000, TODAY) is True
    assert accounts.available_balance(savings.id) == 50_000
    events = db.session.execute(select(Event).where(Event.kind == "goal_reached")).scalars().all()
    assert [e.subject for e in events] == ["Laptop"]
    goals.move_goal_money(goal, -1_000, TODAY)
    assert goals.move_goal_money(goal, 1_000, TODAY) is False  # celebrated only once
    with pytest.raises(rules.BankingError):
        goals.move_goal_money(goal, -60_000, TODAY)  # more than it holds


def test_goal_contribution_cannot_overdraw(app, current_account):
    user = make_user()
    current_account(user.id, date(2026, 1, 1), 1_000)
    goal = goals.create_goal(user.id, "Trip", 50_000, date(2027, 3, 1), TODAY)
    with pytest.raises(rules.BankingError):
        goals.move_goal_money(goal, 2_000, TODAY)


# --- safe to spend ------------------------------------------------------------------------


def test_safe_to_spend_subtracts_everything_spoken_for():
    sts = safe_to_spend.compute_safe_to_spend(
        200_000, 5_000, 60_000, 30_000, days=10, buffer_minor=5_000
    )
    assert sts.amount_minor == 100_000
    assert sts.per_day_minor == 10_000
    assert sum(amount for _, amount in sts.steps()) == sts.amount_minor


def test_charts_get_money_in_major_units_of_the_currency_s_own_digits(app):
    sts = safe_to_spend.compute_safe_to_spend(
        200_050, 5_000, 60_000, 30_000, days=10, buffer_minor=5_000
    )
    assert sts.waterfall()[0] == ("Available balance", Decimal("2000.50"))
    assert sum(amount for _, amount in sts.waterfall()) == Decimal("1000.50")
    yen = dataclasses.replace(sts, currency="JPY")  # no minor unit: not divided by 100
    assert yen.waterfall()[0][1] == Decimal(200_050)
    report = reports.MonthlyReport(2026, 11, 0, 0, [], [], [], [], currency="BHD")
    assert report.major(1_234) == Decimal("1.234")  # three decimals


def test_negative_balance_gives_negative_safe_to_spend_and_nothing_per_day():
    sts = safe_to_spend.compute_safe_to_spend(-20_000, 0, 10_000, 0, days=5)
    assert sts.amount_minor == -20_000 - 10_000 - rules.BUFFER_MINOR
    assert sts.per_day_minor == 0


def test_per_day_never_divides_by_zero_days():
    assert (
        safe_to_spend.compute_safe_to_spend(10_000, 0, 0, 0, days=0, buffer_minor=0).per_day_minor
        == 10_000
    )


def test_safe_to_spend_without_income_plans_to_month_end(app, current_account):
    user = make_user()
    current_account(user.id, date(2026, 10, 1), 100_000)
    sts = safe_to_spend.safe_to_spend(user.id, TODAY)
    assert sts.payday is None
    assert sts.days == (date(2026, 12, 1) - TODAY).days
    assert sts.amount_minor == 100_000 - rules.BUFFER_MINOR


def test_safe_to_spend_counts_pending_bills_before_payday_goals_and_other_industries(
    app, current_account
):
    user = make_user()
    account = current_account(user.id, date(2026, 10, 1), 100_000)
    add_tx(account, date(2026, 10, 25), 300_000, "Employer", "Income", "Salary")
    add_tx(account, TODAY, -4_000, "Grocer", "Food", "Groceries", status="pending")
    add_tx(account, TODAY, 9_000, "Refund", "Income", "Refunds", status="pending")  # not counted
    bills.add_bill(user.id, "Rent", 100_000, date(2026, 12, 1))  # after payday: not counted
    bills.add_bill(user.id, "Phone", 2_500, date(2026, 10, 15))  # rolls to 15 Nov: counted
    goals.create_goal(user.id, "Trip", 60_000, date(2027, 1, 31), TODAY)  # 200.00 this month

    def car_instalment(user_id, start, end):
        return [
            Obligation("automotive", "Car instalment", date(2026, 11, 20), 28_900, "EUR"),
            Obligation("automotive", "Next one", date(2026, 12, 20), 28_900, "EUR"),
        ]

    fake = Vertical(
        key="automotive",
        title="Cars",
        story="",
        blueprint=app.blueprints["banking"],
        obligations=car_instalment,
    )
    app.extensions["dcx_verticals"] = VerticalRegistry([*app.extensions["dcx_verticals"], fake])
    sts = safe_to_spend.safe_to_spend(user.id, TODAY)
    assert sts.payday == date(2026, 11, 25)
    assert sts.days == 13
    assert sts.available_minor == 400_000
    assert sts.pending_minor == 4_000
    assert [d.title for d in sts.dues] == ["Phone", "Car instalment"]
    assert sts.bills_minor == 2_500 + 28_900
    assert sts.goals_minor == 20_000
    assert sts.amount_minor == 400_000 - 4_000 - 31_400 - 20_000 - rules.BUFFER_MINOR
    assert sts.per_day_minor == sts.amount_minor // 13


# --- reports ------------------------------------------------------------------------------


def _october(app, current_account):
    user = make_user()
    account = current_account(user.id, date(2026, 9, 1), 50_000)
    add_tx(account, date(2026, 9, 5), -20_000, "FreshMart", "Food", "Groceries")
    add_tx(account, date(2026, 10, 1), 300_000, "Employer", "Income", "Salary")
    add_tx(account, date(2026, 10, 3), -30_000, "FreshMart", "Food", "Groceries")
    add_tx(account, date(2026, 10, 9), -12_000, "Trattoria", "Food", "Restaurants")
    add_tx(account, date(2026, 10, 10), -100_000, "Landlord", "Housing", "Rent")
    add_tx(account, date(2026, 10, 11), -50_000, "To savings", "Transfers", "Savings")
    add_tx(account, date(2026, 10, 31), -7_000, "Pending shop", "Shopping", "Home", "pending")
    add_tx(account, date(2026, 11, 1), -9_999, "Landlord", "Housing", "Rent")
    return user


def test_category_totals_leave_out_transfers_pending_and_other_months(app, current_account):
    user = _october(app, current_account)
    start, end = amounts.month_bounds(2026, 10)
    assert reports.category_totals(user.id, start, end) == {"Food": 42_000, "Housing": 100_000}
    assert reports.month_totals(user.id, start, end) == (300_000, 142_000)


def test_monthly_report_compares_with_last_month(app, current_account):
    user = _october(app, current_account)
    report = reports.monthly_report(user.id, 2026, 10)
    assert report.income_minor == 300_000
    assert report.spending_minor == 142_000
    assert report.savings_rate == Decimal("52.7")
    food = next(line for line in report.categories if line.category == "Food")
    assert (food.amount_minor, food.previous_minor, food.change_percent) == (
        42_000,
        20_000,
        Decimal("110"),
    )
    assert report.merchants[0] == ("Landlord", 100_000)
    assert report.history[-1] == ("2026-10", 300_000, 142_000)


def test_savings_rate_without_income_is_none_and_can_go_negative():
    assert reports.savings_rate(0, 5_000) is None
    assert reports.savings_rate(100_000, 150_000) == Decimal("-50.0")


def test_monthly_summary_rows_are_one_per_customer(app, current_account):
    user = _october(app, current_account)
    quiet = make_user("quiet@example.com")
    current_account(quiet.id, date(2026, 10, 20), 0)
    make_user("nobank@example.com")
    rows = {r["user_id"]: r for r in reports.monthly_summary_rows(2026, 10)}
    assert set(rows) == {user.id, quiet.id}
    assert rows[user.id]["key"] == "banking.monthly:2026-10"
    assert rows[user.id]["link"] == "/banking/reports/2026-10"
    assert "3,000.00" in rows[user.id]["body"] and "1,420.00" in rows[user.id]["body"]
    assert "savings rate" not in rows[quiet.id]["body"]  # no income


# --- accounts and bills ---------------------------------------------------------------------


def _application(source_id: int, **overrides):
    values = dict(
        full_name="Casey Customer",
        date_of_birth=date(1990, 4, 2),
        phone="+40 700 000 000",
        address="1 Main St",
        last4="",
        purpose="goals",
        source_of_funds="salary",
        product="easy_access",
        source_account_id=source_id,
        deposit_minor=25_000,
        consent_terms=True,
        consent_privacy=True,
    )
    values.update(overrides)
    return accounts.SavingsApplication(**values)


def test_open_savings_account_moves_the_first_deposit(app, current_account):
    user = make_user()
    current = current_account(user.id, date(2026, 1, 1), 100_000)
    account = accounts.open_savings_account(
        user.id, _application(current.id, last4=current.number[-4:]), TODAY
    )
    assert account.kind == "savings"
    assert account.nominal_rate_bp == 300 and account.compounding == 12
    assert accounts.available_balance(account.id) == 25_000
    assert accounts.available_balance(current.id) == 75_000
    assert (
        db.session.execute(select(Event.kind).where(Event.user_id == user.id)).scalar()
        == "account_opened"
    )


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"last4": "0000"}, "last4"),
        ({"date_of_birth": date(2010, 1, 1)}, "date_of_birth"),
        ({"deposit_minor": 200_000}, "deposit"),
        ({"product": "fixed_1y", "deposit_minor": 5_000}, "deposit"),
        ({"product": "nope"}, "product"),
        ({"consent_privacy": False}, "consent_terms"),
    ],
)
def test_open_savings_account_refuses_bad_applications(app, current_account, overrides, field):
    user = make_user()
    current = current_account(user.id, date(2026, 1, 1), 100_000)
    overrides.setdefault("last4", current.number[-4:])
    with pytest.raises(rules.BankingError) as err:
        accounts.open_savings_account(user.id, _application(current.id, **overrides), TODAY)
    assert err.value.field == field
    assert db.session.execute(select(func.count()).select_from(BankingAccount)).scalar() == 1


def test_someone_elses_current_account_cannot_fund_a_savings_account(app, current_account):
    user, other = make_user(), make_user("other@example.com")
    theirs = current_account(other.id, date(2026, 1, 1), 100_000)
    with pytest.raises(rules.BankingError) as err:
        accounts.open_savings_account(
            user.id, _application(theirs.id, last4=theirs.number[-4:]), TODAY
        )
    assert err.value.field == "source_account_id"


def test_recurring_payments_are_detected_from_history(app, current_account):
    user = make_user()
    account = current_account(user.id, date(2026, 6, 1), 900_000)
    for month in (8, 9, 10):
        add_tx(
            account,
            date(2026, month, 10),
            -28_900,
            "DCX Auto Finance",
            "Transport",
            "Car instalment",
        )
        add_tx(
            account, date(2026, month, 5 + month), -1_000 * month, "Random Shop"
        )  # varies too much
    found = bills.detect_bills(user.id, TODAY)
    assert [(b.name, b.amount_minor, b.next_due_on) for b in found] == [
        (
            "DCX Auto Finance",
            28_900,
            date(2026, 12, 10),  # 10 Nov has passed: rolled on to December
        )
    ]
    assert bills.detect_bills(user.id, TODAY) == []  # already known


def test_running_balance_is_true_even_when_filtered(app, current_account):
    user = make_user()
    account = current_account(user.id, date(2026, 10, 1), 10_000)
    add_tx(account, date(2026, 10, 2), -2_000, "Cafe", "Food", "Coffee")
    add_tx(account, date(2026, 10, 3), -3_000, "Shop")
    add_tx(account, date(2026, 10, 4), -500, "Cafe", "Food", "Coffee", "pending")
    rows = transactions.transactions_with_balance(account, transactions.TransactionFilter(q="shop"))
    assert [(t.merchant, after) for t, after in rows] == [("Shop", 5_000)]
    rows = transactions.transactions_with_balance(
        account, transactions.TransactionFilter(category="Food")
    )
    assert [after for _, after in rows] == [5_000, 8_000]
    total = db.session.execute(
        select(func.count())
        .select_from(BankingTransaction)
        .where(BankingTransaction.account_id == account.id)
    ).scalar()
    assert total == 4


def test_summary_card_for_staff(app, current_account):
    user = make_user()
    assert workspace.summary_card(user.id) is None
    current_account(user.id, date(2026, 1, 1), 100_000)
    db.session.add(
        BankingGoal(
            user_id=user.id,
            name="Far",
            target_minor=10_000_000,
            saved_minor=0,
            target_date=date(2026, 12, 1),
            started_on=date(2025, 1, 1),
        )
    )
    card = workspace.summary_card(user.id)
    assert card["title"] == "Banking"
    assert "1 goal, 1 behind" in card["lines"]
    assert card["lines"][0] == "1 account, balance €1,000.00"
    assert card["link"].endswith(f"/banking/staff/customers/{user.id}")


def test_bills_appear_in_the_calendar_feed(app, current_account):
    user = make_user()
    current_account(user.id, date(2026, 1, 1), 100_000)
    today = clock.today()
    bills.add_bill(user.id, "Gym & Spa", 3_500, today + timedelta(days=3))
    entries = reports.calendar_entries(user.id)
    assert [e.title for e in entries] == ["Gym & Spa: €35.00"] * len(entries)
    assert len(entries) in (2, 3)  # monthly over the next two months
    assert entries[0].starts_at.date() == today + timedelta(days=3)


def test_latest_report_month_needs_a_full_month():
    account = BankingAccount(opened_on=date(2026, 11, 3))
    assert reports.latest_report_month([account], TODAY) is None
    account.opened_on = date(2026, 10, 31)
    assert reports.latest_report_month([account], TODAY) == date(2026, 10, 1)
    assert reports.latest_report_month([], TODAY) is None


def test_an_obligation_already_known_as_a_detected_bill_is_not_counted_twice(app, current_account):
    user = make_user()
    account = current_account(user.id, date(2026, 10, 1), 500_000)
    add_tx(account, date(2026, 10, 25), 300_000, "Employer", "Income", "Salary")
    bills.add_bill(user.id, "DCX Auto Finance", 28_900, date(2026, 11, 18))

    def dealer(user_id, start, end):
        return [
            Obligation("automotive", "Car instalment", date(2026, 11, 20), 28_900, "EUR"),
            Obligation("automotive", "Service invoice", date(2026, 11, 21), 12_000, "EUR"),
            Obligation("automotive", "Unpaid instalment", date(2026, 11, 2), 42_191, "EUR"),
            Obligation("automotive", "Ancient", date(2026, 1, 2), 1, "EUR"),
        ]

    fake = Vertical(
        key="automotive",
        title="Cars",
        story="",
        blueprint=app.blueprints["banking"],
        obligations=dealer,
    )
    app.extensions["dcx_verticals"] = VerticalRegistry([fake])
    dues = bills.dues_between(user.id, TODAY, date(2026, 11, 25))
    assert [(d.title, d.source, d.overdue) for d in dues] == [
        ("Unpaid instalment", "automotive", True),  # fell due before today: owed now
        ("DCX Auto Finance", "banking", False),
        ("Service invoice", "automotive", False),
    ]
