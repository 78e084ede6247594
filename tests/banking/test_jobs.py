"""Banking jobs: the monthly message arrives once per customer and month; daily alerts once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from dcx.banking import amounts, bills, jobs
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.jobs.runner import run_due_jobs
from dcx.platform.notify.models import Delivery, Message
from tests.banking.conftest import add_tx
from tests.conftest import make_user

FIRST_OF_NOVEMBER = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def _messages(topic: str, user_id: int | None = None) -> list[Message]:
    stmt = select(Message).where(Message.topic == topic)
    if user_id is not None:
        stmt = stmt.where(Message.user_id == user_id)
    return list(db.session.execute(stmt).scalars())


def test_monthly_summary_is_sent_once_per_customer_and_month(app, current_account):
    user = make_user()
    account = current_account(user.id, date(2026, 9, 1), 10_000)
    add_tx(account, date(2026, 10, 1), 250_000, "Employer", "Income", "Salary")
    add_tx(account, date(2026, 10, 2), -80_000, "Landlord", "Housing", "Rent")
    assert jobs.monthly_summary(FIRST_OF_NOVEMBER) == 1
    db.session.commit()
    assert jobs.monthly_summary(FIRST_OF_NOVEMBER + timedelta(hours=5)) == 0  # offered again...
    db.session.commit()
    (message,) = _messages("banking.monthly_summary")  # ...but stored once
    assert message.key == "banking.monthly:2026-10"
    assert message.link == "/banking/reports/2026-10"
    assert "2,500.00" in message.body and "800.00" in message.body and "68.0 %" in message.body
    channels = db.session.execute(
        select(Delivery.channel).where(Delivery.message_id == message.id)
    ).scalars()
    assert sorted(channels) == ["email", "push"]


def test_monthly_summary_is_one_query_whatever_the_number_of_customers(
    app, current_account, query_counter
):
    def run(n: int) -> int:
        for i in range(n):
            user = make_user(f"c{n}-{i}@example.com")
            account = current_account(user.id, date(2026, 9, 1), 10_000)
            add_tx(account, date(2026, 10, 3), -1_000 * (i + 1), "Shop")
        with query_counter() as q:
            jobs.monthly_summary(FIRST_OF_NOVEMBER)
        db.session.rollback()
        return q()

    assert run(1) == run(6)


def test_clock_advanced_past_the_first_brings_the_report_through_the_runner(app, current_account):
    user = make_user()
    today = clock.today()
    account = current_account(user.id, amounts.month_start(today), 50_000)
    add_tx(account, amounts.month_start(today), -12_345, "FreshMart", "Food", "Groceries")
    next_first = amounts.add_months(amounts.month_start(today), 1)
    target = datetime(next_first.year, next_first.month, 1, 7, tzinfo=UTC)
    clock.advance(target - clock.now())
    db.session.commit()
    run_due_jobs()
    run_due_jobs()
    period = amounts.period_key(today)
    messages = _messages("banking.monthly_summary", user.id)
    assert [m.key for m in messages] == [f"banking.monthly:{period}"]
    assert "123.45" in messages[0].body


def test_bill_due_in_three_days_is_announced_once(app, current_account):
    user = make_user()
    current_account(user.id, date(2026, 1, 1), 500_000)
    bills.add_bill(user.id, "Insurance", 3_250, date(2026, 11, 15))
    bills.add_bill(user.id, "Far away", 3_250, date(2026, 11, 25))
    db.session.commit()
    now = datetime(2026, 11, 12, 7, tzinfo=UTC)
    jobs.daily_alerts(now)
    jobs.daily_alerts(now + timedelta(days=1))
    db.session.commit()
    assert [m.key for m in _messages("banking.bill_due")] == [
        f"banking.bill_due:{bills.bills(user.id)[0].id}:2026-11-15"
    ]


def test_low_safe_to_spend_is_announced_once_per_pay_period(app, current_account):
    tight = make_user()
    current_account(tight.id, date(2026, 1, 1), 6_000)
    comfortable = make_user("rich@example.com")
    current_account(comfortable.id, date(2026, 1, 1), 5_000_000)
    now = datetime(2026, 11, 12, 7, tzinfo=UTC)
    jobs.daily_alerts(now)
    jobs.daily_alerts(now + timedelta(days=1))
    db.session.commit()
    messages = _messages("banking.low_safe_to_spend")
    assert [(m.user_id, m.key) for m in messages] == [(tight.id, "banking.low_sts:2026-12-01")]
    assert db.session.execute(select(func.count()).select_from(Message)).scalar() == 1
