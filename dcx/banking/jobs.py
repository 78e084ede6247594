"""Banking's scheduled jobs: the monthly report message and the daily alerts.

Both catch up from state and are idempotent through the notification key, so a rerun (or
two schedulers) sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from dcx.banking import services
from dcx.banking.models import BankingAccount, BankingBill
from dcx.extensions import db
from dcx.platform.notify.services import notify, notify_bulk

BILL_NOTICE_DAYS = 3


def monthly_summary(now: datetime) -> int:
    """On the 1st: every customer's message for the month that just ended, set-based.

    One GROUP BY query builds every customer's totals; ``notify_bulk`` inserts the messages
    under the key ``banking.monthly:YYYY-MM``, so each customer gets one per month.
    """
    last_month = services.add_months(services.month_start(now.date()), -1)
    rows = services.monthly_summary_rows(last_month.year, last_month.month)
    return notify_bulk("banking.monthly_summary", rows)


def daily_alerts(now: datetime) -> int:
    """Bills due within three days and low safe-to-spend, each alert sent once."""
    today = now.date()
    sent = 0
    horizon = today + timedelta(days=BILL_NOTICE_DAYS + 1)
    for bill in db.session.execute(
        select(BankingBill).where(BankingBill.active.is_(True))
    ).scalars():
        for due in services.bill_dates(bill, today, horizon):
            message = notify(
                bill.user_id,
                "banking.bill_due",
                f"{bill.name} is due on {due.isoformat()}",
                f"{bill.amount_minor / 100:,.2f} {bill.currency} will leave your account.",
                link="/banking/bills",
                key=f"banking.bill_due:{bill.id}:{due.isoformat()}",
            )
            sent += message is not None
    owners = db.session.execute(select(BankingAccount.user_id).distinct()).scalars().all()
    for user_id in owners:
        sts = services.safe_to_spend(user_id, today)
        if sts.per_day_minor >= services.LOW_PER_DAY_MINOR:
            continue
        period = (sts.payday or services.add_months(services.month_start(today), 1)).isoformat()
        message = notify(
            user_id,
            "banking.low_safe_to_spend",
            "Money is tight until payday",
            f"Safe to spend is {sts.amount_minor / 100:,.2f} {sts.currency} "
            f"for the next {sts.days} days. See why, and what you can move.",
            link="/banking/safe-to-spend",
            key=f"banking.low_sts:{period}",
        )
        sent += message is not None
    return sent
