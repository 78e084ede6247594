"""Banking test helpers: a customer's current account with a little history."""

from __future__ import annotations

from datetime import date

import pytest

from dcx.banking import accounts
from dcx.banking.models import BankingAccount, BankingTransaction
from dcx.extensions import db


def add_tx(
    account: BankingAccount,
    day: date,
    amount: int,
    merchant: str = "Shop",
    category: str = "Shopping",
    subcategory: str = "Home",
    status: str = "booked",
) -> BankingTransaction:
    """Book one transaction on ``account``."""
    tx = BankingTransaction(
        user_id=account.user_id,
        account_id=account.id,
        booked_on=day,
        amount_minor=amount,
        currency="EUR",
        status=status,
        merchant=merchant,
        category=category,
        subcategory=subcategory,
        reference=f"t-{account.id}-{day}-{merchant}-{amount}-{status}",
    )
    db.session.add(tx)
    db.session.flush()
    return tx


@pytest.fixture
def current_account():
    """Factory: a current account for ``user_id`` opened on ``opened``, with an opening credit."""

    def _make(user_id: int, opened: date, opening: int = 100_000, number: str | None = None):
        account = accounts.open_current_account(user_id, opened, number)
        if opening:
            add_tx(account, opened, opening, "Opening balance", "Transfers", "Internal")
        db.session.commit()
        return account

    return _make
