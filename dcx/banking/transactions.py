"""Transactions: booking movements and categorising them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select

from dcx.banking.models import (
    BankingAccount,
    BankingTransaction,
    TransactionStatus,
)
from dcx.extensions import db


@dataclass
class TransactionFilter:
    """What the customer searches for in an account's transactions."""

    q: str = ""
    category: str = ""
    direction: str = ""  # "in", "out" or ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None


def transactions_with_balance(account: BankingAccount, flt: TransactionFilter, limit: int = 200):
    """Transactions of one account, newest first, each with the booked balance after it.

    The running balance is a window function over the whole account, computed before the
    filter, so a filtered list still shows the true balance after each row.
    """
    t = BankingTransaction
    running = (
        func.sum(case((t.status == TransactionStatus.BOOKED, t.amount_minor), else_=0))
        .over(partition_by=t.account_id, order_by=(t.booked_on, t.id))
        .label("balance_after")
    )
    inner = select(t.id.label("tid"), running).where(t.account_id == account.id).subquery()
    stmt = select(t, inner.c.balance_after).join(inner, inner.c.tid == t.id)
    if flt.q:
        like = f"%{flt.q}%"
        stmt = stmt.where(or_(t.merchant.ilike(like), t.description.ilike(like)))
    if flt.category:
        stmt = stmt.where(t.category == flt.category)
    if flt.direction == "in":
        stmt = stmt.where(t.amount_minor > 0)
    elif flt.direction == "out":
        stmt = stmt.where(t.amount_minor < 0)
    if flt.status:
        stmt = stmt.where(t.status == flt.status)
    if flt.date_from:
        stmt = stmt.where(t.booked_on >= flt.date_from)
    if flt.date_to:
        stmt = stmt.where(t.booked_on <= flt.date_to)
    stmt = stmt.order_by(t.booked_on.desc(), t.id.desc()).limit(limit)
    return [(row[0], int(row[1] or 0)) for row in db.session.execute(stmt).all()]
