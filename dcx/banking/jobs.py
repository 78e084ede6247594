"""Banking's scheduled jobs: the monthly report message and the daily alerts.

Both catch up from state and are idempotent through the notification key, so a rerun (or
two schedulers) sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from dcx.banking import services
from dcx.banking.models import BankingAccount, BankingBill
from dcx.extensions import db
from dcx.filters import money
from dcx.platform.notify.services import in_locale, notify, notify_bulk, recipient_locales

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
    """Bills due within three days and low safe-to-spend, each alert sent once.

    Each alert is written in its recipient's language, read for everyone in one query.
    """
    today = now.date()
    sent = 0
    horizon = today + timedelta(days=BILL_NOTICE_DAYS + 1)
    bills = list(
        db.session.execute(select(BankingBill).where(BankingBill.active.is_(True))).scalars()
    )
    owners = db.session.execute(select(BankingAccount.user_id).distinct()).scalars().all()
    locales = recipient_locales({bill.user_id for bill in bills} | set(owners))
    for bill in bills:
        for due in services.bill_dates(bill, today, horizon):
            with in_locale(locales[bill.user_id]):
                title = _("%(name)s is due on %(day)s", name=bill.name, day=format_date(due))
                body = _(
                    "%(amount)s will leave your account.",
                    amount=money(bill.amount_minor, bill.currency),
                )
            message = notify(
                bill.user_id,
                "banking.bill_due",
                title,
                body,
                link="/banking/bills",
                key=f"banking.bill_due:{bill.id}:{due.isoformat()}",
            )
            sent += message is not None
    for user_id in owners:
        sts = services.safe_to_spend(user_id, today)
        if sts.per_day_minor >= services.LOW_PER_DAY_MINOR:
            continue
        period = (sts.payday or services.add_months(services.month_start(today), 1)).isoformat()
        with in_locale(locales[user_id]):
            title = _("Money is tight until payday")
            body = ngettext(
                "Safe to spend is %(amount)s for the next %(num)d day. "
                "See why, and what you can move.",
                "Safe to spend is %(amount)s for the next %(num)d days. "
                "See why, and what you can move.",
                sts.days,
                amount=money(sts.amount_minor, sts.currency),
            )
        message = notify(
            user_id,
            "banking.low_safe_to_spend",
            title,
            body,
            link="/banking/safe-to-spend",
            key=f"banking.low_sts:{period}",
        )
        sent += message is not None
    return sent
