"""The life of a banking period: salary on payday, card spending, bills, standing orders.

Each month repeats the month before with a customer's own rhythm: what the seed (or the last
simulated month) booked under a ``seed-YYYY-MM-<what>`` reference is booked again under the
next month's, the salary and the fixed payments on the same day and amount, the card spending
(references ending in ``-<n>``) a few days earlier or later and up to a third more or less.
The reference is the natural key the seed uses too, so the seed and the simulator each book a
payment once (INSERT ... ON CONFLICT DO NOTHING) and living a period twice adds nothing.
Bills added by hand are debited on their dates; goals with a savings account receive a
standing order on the 1st. Set-based: a few queries and one insert per batch of rows per
month, whatever the number of customers.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, insert, select, update

from dcx import filters
from dcx.banking import amounts, rules
from dcx.banking import bills as banking_bills
from dcx.banking.models import (
    AccountKind,
    BankingAccount,
    BankingBill,
    BankingGoal,
    BankingGoalMovement,
    BankingTransaction,
    TransactionStatus,
)
from dcx.extensions import db
from dcx.platform.links import link
from dcx.platform.simulation import insert_batches
from dcx.platform.timeline.services import record_bulk
from dcx.verticals import SimulationContext

_REFERENCE = re.compile(r"^seed-(\d{4})-(\d{2})-(.+)$")
_CARD_SPENDING = re.compile(r"-\d+$")
SALARY_AT = time(6)

_COPIED = (
    BankingTransaction.user_id,
    BankingTransaction.account_id,
    BankingTransaction.booked_on,
    BankingTransaction.amount_minor,
    BankingTransaction.currency,
    BankingTransaction.merchant,
    BankingTransaction.merchant_category,
    BankingTransaction.category,
    BankingTransaction.subcategory,
    BankingTransaction.description,
    BankingTransaction.reference,
)


def lived_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The dates a period lives, as ``[first, stop)``: the days after ``start``'s date up to
    and including ``end``'s (the seed books up to and including its day)."""
    return start.date() + timedelta(days=1), end.date() + timedelta(days=1)


def period(ctx: SimulationContext, start: datetime, end: datetime) -> int:
    """Book ``[start, end)`` for every customer; returns how many rows it wrote."""
    first, stop = lived_days(start, end)
    if first >= stop:
        return 0
    written = 0
    month = amounts.month_start(first)
    while month < stop:
        written += _repeat_month(ctx, month, first, stop)
        if not ctx.history:  # the seed set the goals' savings of the past
            written += _standing_orders(month, first, stop)
        month = amounts.add_months(month, 1)
    written += _manual_bills(first, stop)
    written += _salary_events(first, stop)
    return written


def _repeat_month(ctx: SimulationContext, month: date, first: date, stop: date) -> int:
    """Book month ``month``'s lived days from the month before, one customer's habits each."""
    previous = amounts.add_months(month, -1)
    last_day = amounts.add_months(month, 1) - timedelta(days=1)
    found = db.session.execute(
        select(*_COPIED).where(
            BankingTransaction.status == TransactionStatus.BOOKED,
            BankingTransaction.category != rules.TRANSFERS,
            BankingTransaction.booked_on >= previous,
            BankingTransaction.booked_on < month,
            BankingTransaction.reference.like("seed-%"),
        )
    )
    names = list(found.keys())
    rows = []
    # once per month, not per row: its text (what a draw is about), the new references'
    # prefix and the booked days of the month by number
    month_text, prefix, booked = str(month), f"seed-{month:%Y-%m}-", TransactionStatus.BOOKED.value
    on_day = {n: month.replace(day=n) for n in range(1, last_day.day + 1)}
    for row in found:
        copied = dict(zip(names, row, strict=True))
        match = _REFERENCE.match(copied["reference"])
        if match is None or match.group(3) == "opening":
            continue
        what = match.group(3)
        amount, day = copied["amount_minor"], copied["booked_on"].day
        if amount < 0 and _CARD_SPENDING.search(what):
            account_id = copied["account_id"]
            day += int(ctx.draw(account_id, month_text, what, "day") * 9) - 4
            amount = round(amount * (0.7 + 0.65 * ctx.draw(account_id, month_text, what, "amount")))
        booked_on = on_day[min(max(day, 1), last_day.day)]
        if not first <= booked_on < stop:
            continue
        copied["booked_on"] = booked_on
        copied["amount_minor"] = amount
        copied["status"] = booked
        copied["reference"] = prefix + what
        rows.append(copied)
    return insert_batches(BankingTransaction, rows)


def _current_accounts(user_ids: set[int]) -> dict[int, BankingAccount]:
    """Each customer's first current account (one query)."""
    if not user_ids:
        return {}
    found: dict[int, BankingAccount] = {}
    for account in db.session.execute(
        select(BankingAccount)
        .where(BankingAccount.user_id.in_(user_ids), BankingAccount.kind == AccountKind.CURRENT)
        .order_by(BankingAccount.id)
    ).scalars():
        found.setdefault(account.user_id, account)
    return found


def _manual_bills(first: date, stop: date) -> int:
    """Debit the bills customers added by hand on each of their dates in ``[first, stop)``."""
    bills = list(
        db.session.execute(
            select(BankingBill).where(
                BankingBill.active.is_(True),
                BankingBill.source == "manual",
                BankingBill.next_due_on < stop,
            )
        ).scalars()
    )
    accounts = _current_accounts({bill.user_id for bill in bills})
    rows = []
    for bill in bills:
        account = accounts.get(bill.user_id)
        if account is None:
            continue
        for due in banking_bills.bill_dates(bill, first, stop):
            rows.append(
                {
                    "user_id": bill.user_id,
                    "account_id": account.id,
                    "booked_on": due,
                    "amount_minor": -bill.amount_minor,
                    "currency": bill.currency,
                    "status": TransactionStatus.BOOKED.value,
                    "merchant": bill.merchant or bill.name,
                    "merchant_category": "",
                    "category": bill.category,
                    "subcategory": "",
                    "description": bill.name,
                    "reference": f"bill-{bill.id}-{due.isoformat()}",
                }
            )
    return insert_batches(BankingTransaction, rows)


def _standing_orders(month: date, first: date, stop: date) -> int:
    """On the 1st, move each open goal's monthly share from current to savings account."""
    if not first <= month < stop:
        return 0
    goals = list(
        db.session.execute(
            select(BankingGoal).where(
                BankingGoal.account_id.is_not(None),
                BankingGoal.reached_at.is_(None),
                BankingGoal.saved_minor < BankingGoal.target_minor,
                BankingGoal.started_on < month,
            )
        ).scalars()
    )
    references = {goal.id: f"seed-{month:%Y-%m}-standing-order-{goal.id}" for goal in goals}
    done = set(
        db.session.execute(
            select(BankingTransaction.reference).where(
                BankingTransaction.reference.in_(references.values())
            )
        ).scalars()
    )
    accounts = _current_accounts({goal.user_id for goal in goals})
    rows, movements, saved = [], [], []
    for goal in goals:
        current = accounts.get(goal.user_id)
        if current is None or references[goal.id] in done:
            continue
        left = goal.target_minor - goal.saved_minor
        months = max(
            1, (goal.target_date.year - month.year) * 12 + goal.target_date.month - month.month
        )
        amount = min(left, -(-left // months // 1000) * 1000)
        base = {
            "user_id": goal.user_id,
            "booked_on": month,
            "currency": goal.currency,
            "status": TransactionStatus.BOOKED.value,
            "merchant": str(_l("Standing order to %(goal)s", goal=goal.name))[:120],
            "merchant_category": "",
            "category": rules.TRANSFERS,
            "subcategory": "Savings",
            "description": goal.name,
            "reference": references[goal.id],
        }
        rows.append({**base, "account_id": current.id, "amount_minor": -amount})
        rows.append({**base, "account_id": goal.account_id, "amount_minor": amount})
        movements.append(
            {"goal_id": goal.id, "user_id": goal.user_id, "amount_minor": amount, "moved_on": month}
        )
        saved.append({"id": goal.id, "saved_minor": goal.saved_minor + amount})
    if not rows:
        return 0
    insert_batches(BankingTransaction, rows)
    db.session.execute(insert(BankingGoalMovement), movements)
    db.session.execute(update(BankingGoal), saved)
    return len(rows) + len(movements)


def _salary_events(first: date, stop: date) -> int:
    """Each salary booked in ``[first, stop)`` on its customer's timeline (once, by key)."""
    t = BankingTransaction
    salaries = db.session.execute(
        select(t.user_id, t.account_id, t.booked_on, t.amount_minor, t.currency, t.merchant).where(
            t.category == rules.INCOME,
            t.status == TransactionStatus.BOOKED,
            t.amount_minor > 0,
            t.booked_on >= first,
            t.booked_on < stop,
            t.reference.like("seed-%"),
            func.length(t.merchant) > 0,
        )
    ).all()
    return record_bulk(
        {
            "user_id": s.user_id,
            "vertical": rules.KEY,
            "kind": "salary_received",
            "subject": s.merchant,
            "summary": _l(
                "%(amount)s paid into your account",
                amount=LazyString(filters.money, s.amount_minor, s.currency),
            ),
            "link": link("banking.account", account_id=s.account_id),
            "key": f"banking.salary:{s.account_id}:{s.booked_on.isoformat()}",
            "occurred_at": datetime.combine(s.booked_on, SALARY_AT, tzinfo=UTC),
        }
        for s in salaries
    )
