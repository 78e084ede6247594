"""Banking's scheduled jobs: the monthly report message and the daily alerts.

Both catch up from state and are idempotent through the notification key, so a rerun (or
two schedulers) sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.banking import amounts, reports, rules, safe_to_spend
from dcx.banking import bills as banking_bills
from dcx.banking.models import BankingAccount, BankingBill
from dcx.extensions import db
from dcx.filters import money
from dcx.platform.links import link
from dcx.platform.notify.services import in_locale, notify_bulk, recipient_locales
from dcx.verticals import scheduled

BILL_NOTICE_DAYS = 3


@scheduled(
    {"day": 1, "hour": 6},
    _l("On the 1st: each customer's savings and spending message for last month."),
    each_period=True,
)
def monthly_summary(now: datetime) -> int:
    """On the 1st: every customer's message for the month that just ended, set-based.

    One GROUP BY query builds every customer's totals; ``notify_bulk`` inserts the messages
    under the key ``banking.monthly:YYYY-MM``, so each customer gets one per month.
    """
    last_month = amounts.add_months(amounts.month_start(now.date()), -1)
    rows = reports.monthly_summary_rows(last_month.year, last_month.month)
    return notify_bulk("banking.monthly_summary", rows)


@scheduled({"hour": 7}, _l("Daily: bills due in three days and low safe-to-spend alerts."))
def daily_alerts(now: datetime) -> int:
    """Bills due within three days and low safe-to-spend, each alert sent once.

    Set-based, so its queries do not grow with the number of customers: one query reads the
    bills that can fall due, one the account owners, one everyone's language,
    ``services.safe_to_spend_many`` everyone's safe-to-spend (a fixed number of queries,
    other industries' bills included through their ``obligations_many`` hook; a vertical
    offering only the per-customer ``obligations`` hook still costs one call per customer),
    and ``notify_bulk`` writes the alerts not sent before, with their outbox rows. Each alert is written in its recipient's language. Returns
    how many new alerts it wrote.
    """
    today = now.date()
    horizon = today + timedelta(days=BILL_NOTICE_DAYS + 1)
    # A bill whose next date is on or after the horizon cannot fall due before it.
    bills = list(
        db.session.execute(
            select(BankingBill).where(
                BankingBill.active.is_(True), BankingBill.next_due_on < horizon
            )
        ).scalars()
    )
    owners = db.session.execute(select(BankingAccount.user_id).distinct()).scalars().all()
    locales = recipient_locales({bill.user_id for bill in bills} | set(owners))
    due_rows = []
    for bill in bills:
        for due in banking_bills.bill_dates(bill, today, horizon):
            with in_locale(locales[bill.user_id]):
                title = _("%(name)s is due on %(day)s", name=bill.name, day=format_date(due))
                body = _(
                    "%(amount)s will leave your account.",
                    amount=money(bill.amount_minor, bill.currency),
                )
            due_rows.append(
                {
                    "user_id": bill.user_id,
                    "title": title,
                    "body": body,
                    "link": link("banking.bills"),
                    "key": f"banking.bill_due:{bill.id}:{due.isoformat()}",
                }
            )
    tight_rows = []
    for user_id, sts in safe_to_spend.safe_to_spend_many(owners, today).items():
        if sts.per_day_minor >= rules.LOW_PER_DAY_MINOR:
            continue
        period = (sts.payday or amounts.add_months(amounts.month_start(today), 1)).isoformat()
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
        tight_rows.append(
            {
                "user_id": user_id,
                "title": title,
                "body": body,
                "link": link("banking.safe_to_spend"),
                "key": f"banking.low_sts:{period}",
            }
        )
    return notify_bulk("banking.bill_due", due_rows) + notify_bulk(
        "banking.low_safe_to_spend", tight_rows
    )
