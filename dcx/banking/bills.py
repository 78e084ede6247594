"""Bills: recurring payments found in the history, kept or stopped, and when each falls due next."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.banking import amounts as banking_amounts
from dcx.banking.models import (
    BankingBill,
    BankingTransaction,
)
from dcx.banking.rules import (
    CURRENCY,
    INCOME,
    KEY,
    OVERDUE_DAYS,
    SAME_PAYMENT_DAYS,
    TRANSFERS,
    BankingError,
)
from dcx.database import rows_where
from dcx.extensions import db
from dcx.verticals import Obligation, registry


def bills(user_id: int) -> list[BankingBill]:
    """The customer's active bills, by next date."""
    return rows_where(
        BankingBill,
        BankingBill.user_id == user_id,
        BankingBill.active.is_(True),
        order_by=(BankingBill.next_due_on,),
    )


def add_bill(
    user_id: int, name: str, amount_minor: int, next_due_on: date, merchant: str = ""
) -> BankingBill:
    """Add a recurring monthly bill by hand."""
    if amount_minor <= 0:
        raise BankingError(_l("The amount must be more than zero."), "amount")
    exists = db.session.execute(
        select(BankingBill.id).where(BankingBill.user_id == user_id, BankingBill.name == name)
    ).first()
    if exists:
        raise BankingError(_l("You already have a bill with this name."), "name")
    bill = BankingBill(
        user_id=user_id,
        name=name,
        merchant=merchant or name,
        amount_minor=amount_minor,
        currency=CURRENCY,
        next_due_on=next_due_on,
        source="manual",
    )
    db.session.add(bill)
    db.session.flush()
    return bill


def detect_bills(user_id: int, today: date) -> list[BankingBill]:
    """Find recurring payments in the last four months and add the ones not yet known.

    A merchant paid in at least three different months with amounts within 10 % of each other
    is a recurring bill; the next date is a month after the last payment. A payee another
    industry reports obligations for (a car lender) is left to that industry's dates.
    """
    since = banking_amounts.add_months(today, -4)
    rows = db.session.execute(
        select(
            BankingTransaction.merchant,
            BankingTransaction.category,
            BankingTransaction.booked_on,
            BankingTransaction.amount_minor,
        )
        .where(
            BankingTransaction.user_id == user_id,
            BankingTransaction.amount_minor < 0,
            BankingTransaction.booked_on >= since,
            BankingTransaction.category.notin_([TRANSFERS, INCOME]),
            BankingTransaction.merchant != "",
        )
        .order_by(BankingTransaction.booked_on)
    ).all()
    by_merchant: dict[str, list] = defaultdict(list)
    for row in rows:
        by_merchant[row.merchant].append(row)
    known = {
        name
        for (name,) in db.session.execute(
            select(BankingBill.merchant).where(BankingBill.user_id == user_id)
        )
    }
    # A lender (or school) that reports its own dates is not a bill to guess from payments.
    reported = _payees(other_obligations(user_id, since, banking_amounts.add_months(today, 2)))
    found = []
    for merchant, payments in by_merchant.items():
        months = {(p.booked_on.year, p.booked_on.month) for p in payments}
        if len(months) < 3 or len(payments) > len(months) + 1 or merchant in known:
            continue
        if merchant.casefold() in reported:
            continue
        amounts = [-p.amount_minor for p in payments]
        if max(amounts) > min(amounts) * 1.1:
            continue
        last = payments[-1]
        next_due = banking_amounts.add_months(last.booked_on, 1)
        while next_due < today:
            next_due = banking_amounts.add_months(next_due, 1)
        bill = BankingBill(
            user_id=user_id,
            name=merchant[:80],
            merchant=merchant,
            category=last.category,
            amount_minor=-last.amount_minor,
            currency=CURRENCY,
            next_due_on=next_due,
            source="detected",
        )
        db.session.add(bill)
        found.append(bill)
    db.session.flush()
    return found


def bill_dates(bill: BankingBill, start: date, end: date) -> list[date]:
    """The bill's monthly due dates in [start, end), rolled forward from its next date."""
    dates: list[date] = []
    k = 0
    while True:
        day = banking_amounts.add_months(bill.next_due_on, k)
        if day >= end:
            return dates
        if day >= start:
            dates.append(day)
        k += 1
        if k > 600:  # a bill dated decades ago must not loop for long
            return dates


@dataclass(frozen=True)
class Due:
    """One amount due on a date, from a banking bill or another industry."""

    title: str
    due_on: date
    amount_minor: int
    source: str  # "banking" or another vertical's key
    link: str = ""
    overdue: bool = False
    bill_id: int | None = None  # the banking bill it comes from (None for another industry's)


def _obligation_sources() -> list[Any]:
    """The other loaded verticals that expose an ``obligations`` (or ``obligations_many``) hook."""
    return [
        v
        for v in registry()
        if v.key != KEY and (v.obligations is not None or v.obligations_many is not None)
    ]


def other_obligations(user_id: int, start: date, end: date) -> list[Obligation]:
    """Bills other industries expose (a car instalment, tuition), through the registry.

    One customer's answer of :func:`other_obligations_many`, so the pages and the jobs count
    the same bills.
    """
    return other_obligations_many([user_id], start, end)[int(user_id)]


def other_obligations_many(
    user_ids: Iterable[int], start: date, end: date
) -> dict[int, list[Obligation]]:
    """Bills other industries expose for each given customer, by id (every id a key).

    A vertical offering the batch hook ``obligations_many`` is asked once for all of them (its
    queries do not grow with the number of customers); one offering only ``obligations`` is
    asked once per customer. A hook that raises is logged and skipped: for the whole batch
    when it is the batch hook, for that customer when it is the per-customer one.
    """
    ids = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    found: dict[int, list[Obligation]] = {user_id: [] for user_id in ids}
    if not ids:
        return found
    for vertical in _obligation_sources():
        if vertical.obligations_many is not None:
            try:
                answered = vertical.obligations_many(ids, start, end)
                # read every answer before keeping any: a failure keeps nothing half-added
                per_customer = {user_id: list(answered.get(user_id, ())) for user_id in ids}
            except Exception:  # one industry's fault must not hide the customer's money
                current_app.logger.exception("obligations_many of %s failed", vertical.key)
                continue
            for user_id in ids:
                found[user_id].extend(per_customer[user_id])
            continue
        for user_id in ids:
            try:
                found[user_id].extend(vertical.obligations(user_id, start, end))
            except Exception:  # one industry's fault must not hide the customer's money
                current_app.logger.exception("obligations of %s failed", vertical.key)
    return found


def dues_between(user_id: int, start: date, end: date) -> list[Due]:
    """Everything the customer owes in [start, end): own bills and other industries'.

    Another industry's bill that fell due before ``start`` and is still unpaid (it still
    reports it) is owed now, so it counts too, marked overdue.
    """
    found: list[Obligation] = []
    if end > start:
        found = other_obligations(
            user_id, start - timedelta(days=OVERDUE_DAYS), end - timedelta(days=1)
        )
    return _with_obligations(_own_dues(bills(user_id), start, end, found), found, start, end)


def _own_dues(
    owned_bills: Iterable[BankingBill], start: date, end: date, found: Iterable[Obligation] = ()
) -> list[Due]:
    """The customer's banking bills as dated amounts in [start, end).

    A bill paid to a payee another industry reports (``found``) is that industry's: its dates
    are the payee's, counted once from there, never guessed again here.
    """
    reported = _payees(found)
    return [
        Due(bill.name, day, bill.amount_minor, KEY, bill_id=bill.id)
        for bill in owned_bills
        if bill.merchant.casefold() not in reported
        for day in bill_dates(bill, start, end)
    ]


def _payees(found: Iterable[Obligation]) -> set[str]:
    """Who the other industries' obligations are paid to, as bank statements name them."""
    return {o.payee.casefold() for o in found if o.payee}


def _with_obligations(
    own: list[Due], found: Iterable[Obligation], start: date, end: date
) -> list[Due]:
    """Own bills plus other industries' obligations, by date.

    ``found`` is what the obligations hooks answered for [start - OVERDUE_DAYS, end - 1 day];
    shared by :func:`dues_between` and :func:`safe_to_spend_many`.
    """
    dues = list(own)
    since = start - timedelta(days=OVERDUE_DAYS)
    for o in found:
        if not since <= o.due_on < end:
            continue
        # The car instalment the dealer reports is often already a bill we detected from
        # the payments history: same amount within a few days is the same payment.
        if any(
            d.amount_minor == o.amount_minor
            and abs((d.due_on - o.due_on).days) <= SAME_PAYMENT_DAYS
            for d in own
        ):
            continue
        dues.append(Due(o.title, o.due_on, o.amount_minor, o.vertical, o.link, o.due_on < start))
    return sorted(dues, key=lambda d: (d.due_on, d.title))
