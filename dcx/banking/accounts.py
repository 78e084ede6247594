"""Accounts: opening a savings account in the app, balances, interest and the customer's accounts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dcx import filters
from dcx.banking import amounts, goals
from dcx.banking.models import (
    AccountKind,
    BankingAccount,
    BankingTransaction,
    TransactionStatus,
)
from dcx.banking.rules import CURRENCY, KEY, PRODUCTS, TRANSFERS, BankingError
from dcx.database import rows_where
from dcx.extensions import db
from dcx.platform.links import link
from dcx.platform.timeline.services import record


def accounts(user_id: int) -> list[BankingAccount]:
    """The customer's accounts, current first."""
    return rows_where(
        BankingAccount,
        BankingAccount.user_id == user_id,
        order_by=(BankingAccount.kind, BankingAccount.id),
    )


def primary_current_account(user_id: int) -> BankingAccount | None:
    """The customer's first current account, or None."""
    return db.session.execute(
        select(BankingAccount)
        .where(BankingAccount.user_id == user_id, BankingAccount.kind == AccountKind.CURRENT)
        .order_by(BankingAccount.id)
        .limit(1)
    ).scalar_one_or_none()


def balances(user_id: int) -> dict[int, int]:
    """Booked balance of each of the customer's accounts, by account id (one query)."""
    rows = db.session.execute(
        select(BankingTransaction.account_id, func.sum(BankingTransaction.amount_minor))
        .where(
            BankingTransaction.user_id == user_id,
            BankingTransaction.status == TransactionStatus.BOOKED,
        )
        .group_by(BankingTransaction.account_id)
    ).all()
    return {account_id: int(total or 0) for account_id, total in rows}


def available_balance(account_id: int) -> int:
    """Booked balance of one account."""
    total = db.session.execute(
        select(func.sum(BankingTransaction.amount_minor)).where(
            BankingTransaction.account_id == account_id,
            BankingTransaction.status == TransactionStatus.BOOKED,
        )
    ).scalar()
    return int(total or 0)


def new_account_number() -> str:
    """A fresh, unused account number."""
    while True:
        number = "DCXB" + "".join(str(secrets.randbelow(10)) for _ in range(10))
        taken = db.session.execute(
            select(BankingAccount.id).where(BankingAccount.number == number)
        ).first()
        if not taken:
            return number


def open_current_account(user_id: int, today: date, number: str | None = None) -> BankingAccount:
    """Open a current account (seeds and tests; in real life it predates the app).

    Its name is stored in the language in force, as the showcase seed stores it.
    """
    account = BankingAccount(
        user_id=user_id,
        kind=AccountKind.CURRENT.value,
        name=gettext("Everyday account"),
        number=number or new_account_number(),
        currency=CURRENCY,
        opened_on=today,
    )
    db.session.add(account)
    db.session.flush()
    return account


@dataclass
class SavingsApplication:
    """Everything the open-a-savings-account form collects, already parsed."""

    full_name: str
    date_of_birth: date
    phone: str
    address: str
    last4: str
    purpose: str
    source_of_funds: str
    product: str
    source_account_id: int
    deposit_minor: int
    consent_terms: bool
    consent_privacy: bool
    consent_marketing: bool = False


def open_savings_account(
    user_id: int, application: SavingsApplication, today: date
) -> BankingAccount:
    """Check the application and open the account with its first deposit from current.

    Raises BankingError naming the field at fault; nothing is written then.
    """
    if amounts.add_months(application.date_of_birth, 18 * 12) > today:
        raise BankingError(
            _l("You must be 18 or older to open a savings account."), "date_of_birth"
        )
    source = db.session.get(BankingAccount, application.source_account_id)
    if source is None or source.user_id != user_id or source.kind != AccountKind.CURRENT:
        raise BankingError(_l("Choose one of your current accounts."), "source_account_id")
    if source.number[-4:] != application.last4:
        raise BankingError(_l("Those digits do not match your current account."), "last4")
    product = PRODUCTS.get(application.product)
    if product is None:
        raise BankingError(_l("Choose a product."), "product")
    if application.deposit_minor < product.min_deposit_minor:
        raise BankingError(
            _l(
                "%(product)s needs at least %(amount)s.",
                product=product.label,
                amount=filters.money(product.min_deposit_minor, CURRENCY),
            ),
            "deposit",
        )
    if application.deposit_minor > available_balance(source.id):
        raise BankingError(_l("Your current account does not hold that much."), "deposit")
    if not (application.consent_terms and application.consent_privacy):
        raise BankingError(_l("Please accept the terms and the privacy notice."), "consent_terms")
    account = BankingAccount(
        user_id=user_id,
        kind=AccountKind.SAVINGS.value,
        name=product.name,
        number=new_account_number(),
        currency=CURRENCY,
        product=product.key,
        nominal_rate_bp=product.rate_bp,
        compounding=product.compounding,
        holder_name=application.full_name,
        marketing_consent=application.consent_marketing,
        opened_on=today,
    )
    db.session.add(account)
    db.session.flush()
    stamp = "open-" + secrets.token_hex(6)
    # The account keeps the product's stored name; the transfer's text is written once, in
    # the language of the customer opening the account.
    label = gettext("First deposit to %(product)s", product=product.label)
    goals._book(source, -application.deposit_minor, today, label, TRANSFERS, "Savings", stamp)
    goals._book(account, application.deposit_minor, today, label, TRANSFERS, "Savings", stamp)
    db.session.flush()
    record(
        user_id,
        KEY,
        "account_opened",
        product.label,
        _l(
            "Account %(number)s at %(apy)s %% APY",
            number=account.number,
            apy=amounts._in_their_format(filters.number, amounts.percent(product.apy), 2),
        ),
        link=link("banking.account", account_id=account.id),
        key=f"banking.account_opened:{account.id}",
    )
    return account
