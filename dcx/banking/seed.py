"""Seed banking from the showcase file: accounts, months of transactions, goals and bills.

Idempotent: accounts by number, goals and bills by name, transactions by a reference derived
from the month and merchant (inserted with ON CONFLICT DO NOTHING).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from dcx.banking import services
from dcx.banking.models import (
    BankingAccount,
    BankingBill,
    BankingGoal,
    BankingGoalMovement,
    BankingTransaction,
)
from dcx.database import insert_ignoring_duplicates
from dcx.extensions import db
from dcx.platform import clock
from dcx.verticals import SeedContext


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:30]


def _account(user_id: int, number: str, today: date, opened: date, **extra: Any) -> BankingAccount:
    account = db.session.execute(
        select(BankingAccount).where(BankingAccount.number == number)
    ).scalar_one_or_none()
    if account is None:
        account = BankingAccount(
            user_id=user_id,
            number=number,
            currency=services.CURRENCY,
            opened_on=opened,
            **extra,
        )
        db.session.add(account)
        db.session.flush()
    return account


def _row(account, day, amount, item, reference, status="booked") -> dict[str, Any]:
    return {
        "user_id": account.user_id,
        "account_id": account.id,
        "booked_on": day,
        "amount_minor": amount,
        "currency": account.currency,
        "status": status,
        "merchant": item["merchant"],
        "merchant_category": item.get("mcc", ""),
        "category": item["category"],
        "subcategory": item.get("subcategory", ""),
        "description": item.get("description", item["merchant"]),
        "reference": reference,
    }


def history_rows(account, spec: dict[str, Any], today: date, rng) -> list[dict[str, Any]]:
    """Transactions for ``spec["months"]`` full months before this one, and this month so far."""
    first = services.add_months(services.month_start(today), -int(spec["months"]))
    rows = [
        _row(
            account,
            first,
            int(spec["opening_balance"]),
            {
                "merchant": "Opening balance",
                "category": services.TRANSFERS,
                "subcategory": "Internal",
            },
            f"seed-{first:%Y-%m}-opening",
        )
    ]
    month = first
    while month <= today:
        last_day = calendar.monthrange(month.year, month.month)[1]
        for item in spec.get("recurring", []):
            day = month.replace(day=min(int(item["day"]), last_day))
            stop = services.add_months(
                services.month_start(today), -int(item.get("until_months_ago", 0))
            )
            if day <= today and month <= stop:
                rows.append(
                    _row(
                        account,
                        day,
                        int(item["amount"]),
                        item,
                        f"seed-{month:%Y-%m}-{_slug(item['merchant'])}",
                    )
                )
        for item in spec.get("variable", []):
            for n in range(int(item["per_month"])):
                day = month.replace(day=rng.randint(1, last_day))
                amount = -rng.randint(int(item["min"]), int(item["max"]))
                if day <= today:
                    ref = f"seed-{month:%Y-%m}-{_slug(item['merchant'])}-{n}"
                    rows.append(_row(account, day, amount, item, ref))
        month = services.add_months(month, 1)
    for n, item in enumerate(spec.get("pending", [])):
        day = today - timedelta(days=n % 2)
        rows.append(
            _row(
                account,
                day,
                int(item["amount"]),
                item,
                f"seed-pending-{today:%Y-%m-%d}-{n}",
                "pending",
            )
        )
    return rows


def _goals(user_id: int, spec: dict[str, Any], savings: BankingAccount | None, today: date) -> None:
    for g in spec.get("goals", []):
        exists = db.session.execute(
            select(BankingGoal.id).where(
                BankingGoal.user_id == user_id, BankingGoal.name == g["name"]
            )
        ).first()
        if exists:
            continue
        started = services.add_months(today, -int(g["started_months_ago"]))
        goal = BankingGoal(
            user_id=user_id,
            account_id=savings.id if savings else None,
            name=g["name"],
            target_minor=int(g["target"]),
            saved_minor=int(g["saved"]),
            currency=services.CURRENCY,
            target_date=services.add_months(today, int(g["due_in_months"])),
            started_on=started,
        )
        db.session.add(goal)
        db.session.flush()
        db.session.add(
            BankingGoalMovement(
                goal_id=goal.id, user_id=user_id, amount_minor=goal.saved_minor, moved_on=started
            )
        )


def _bills(user_id: int, spec: dict[str, Any], today: date) -> None:
    for b in spec.get("bills", []):
        exists = db.session.execute(
            select(BankingBill.id).where(
                BankingBill.user_id == user_id, BankingBill.name == b["name"]
            )
        ).first()
        if not exists:
            services.add_bill(
                user_id, b["name"], int(b["amount"]), today + timedelta(days=int(b["due_in_days"]))
            )
    services.detect_bills(user_id, today)


def seed(ctx: SeedContext) -> None:
    """Create each customer's accounts, history, goals and bills from ``banking.yaml``."""
    today = clock.today()
    for spec in ctx.data.get("customers", []):
        user = ctx.user(spec["persona"])
        first = services.add_months(services.month_start(today), -int(spec["months"]))
        current = _account(
            user.id, spec["current_account"], today, first, kind="current", name="Everyday account"
        )
        rows = history_rows(current, spec, today, ctx.random)
        savings = None
        if spec.get("savings_account"):
            product = services.PRODUCTS[spec["savings_account"]["product"]]
            opened = services.add_months(today, -6)
            savings = _account(
                user.id,
                spec["savings_account"]["number"],
                today,
                opened,
                kind="savings",
                name=product.name,
                product=product.key,
                nominal_rate_bp=product.rate_bp,
                compounding=product.compounding,
                holder_name=user.name,
            )
            saved = sum(int(g["saved"]) for g in spec.get("goals", []))
            item = {
                "merchant": "Savings from Everyday account",
                "category": services.TRANSFERS,
                "subcategory": "Savings",
            }
            rows.append(_row(savings, opened, saved, item, "seed-goal-savings"))
            rows.append(_row(current, opened, -saved, item, "seed-goal-savings"))
        db.session.execute(insert_ignoring_duplicates(BankingTransaction), rows)
        _goals(user.id, spec, savings, today)
        _bills(user.id, spec, today)
    db.session.flush()
