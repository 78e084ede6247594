"""Seed banking from the showcase file: accounts, months of transactions, goals and bills.

Idempotent: accounts by number, goals and bills by name, transactions by a reference derived
from the month and merchant (inserted with ON CONFLICT DO NOTHING).
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

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
from dcx.database import insert_ignoring_duplicates
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.timeline.services import record_bulk
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
            currency=rules.CURRENCY,
            opened_on=opened,
            **extra,
        )
        db.session.add(account)
        db.session.flush()
    return account


def _row(
    account, day, amount, item, reference, status=TransactionStatus.BOOKED.value
) -> dict[str, Any]:
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


def _unpaid_days(spec: dict[str, Any], first: date, today: date) -> set[tuple[str, date]]:
    """The payments a recurring item with ``unpaid: N`` did not make: its latest N due dates
    before today, and today's (not paid yet). A lender that reports the same instalments
    (automotive's ``unpaid``) tells the same story: the latest instalments are owed."""
    skipped: set[tuple[str, date]] = set()
    for item in spec.get("recurring", []):
        if not item.get("unpaid"):
            continue
        days = []
        month = first
        while month <= today:
            last_day = calendar.monthrange(month.year, month.month)[1]
            days.append(month.replace(day=min(int(item["day"]), last_day)))
            month = amounts.add_months(month, 1)
        before = [day for day in days if day < today]
        owed = before[-int(item["unpaid"]) :] + [day for day in days if day == today]
        skipped.update((item["merchant"], day) for day in owed)
    return skipped


def history_rows(account, spec: dict[str, Any], today: date, rng) -> list[dict[str, Any]]:
    """Transactions for ``spec["months"]`` full months before this one, and this month so far."""
    first = amounts.add_months(amounts.month_start(today), -int(spec["months"]))
    rows = [
        _row(
            account,
            first,
            int(spec["opening_balance"]),
            {
                "merchant": gettext("Opening balance"),
                "category": rules.TRANSFERS,
                "subcategory": "Internal",
            },
            f"seed-{first:%Y-%m}-opening",
        )
    ]
    unpaid = _unpaid_days(spec, first, today)
    month = first
    while month <= today:
        last_day = calendar.monthrange(month.year, month.month)[1]
        for item in spec.get("recurring", []):
            day = month.replace(day=min(int(item["day"]), last_day))
            if day <= today and (item["merchant"], day) not in unpaid:
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
        month = amounts.add_months(month, 1)
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
        started = amounts.add_months(today, -int(g["started_months_ago"]))
        goal = BankingGoal(
            user_id=user_id,
            account_id=savings.id if savings else None,
            name=g["name"],
            target_minor=int(g["target"]),
            saved_minor=int(g["saved"]),
            currency=rules.CURRENCY,
            target_date=amounts.add_months(today, int(g["due_in_months"])),
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
            banking_bills.add_bill(
                user_id, b["name"], int(b["amount"]), today + timedelta(days=int(b["due_in_days"]))
            )
    banking_bills.detect_bills(user_id, today)


def seed(ctx: SeedContext) -> None:
    """Create each customer's accounts, history, goals and bills from ``banking.yaml``."""
    today = clock.today()
    for spec in ctx.data.get("customers", []):
        user = ctx.user(spec["persona"])
        first = amounts.add_months(amounts.month_start(today), -int(spec["months"]))
        current = _account(
            user.id,
            spec["current_account"],
            today,
            first,
            kind=AccountKind.CURRENT.value,
            name=gettext("Everyday account"),
        )
        rows = history_rows(current, spec, today, ctx.random)
        savings = None
        if spec.get("savings_account"):
            product = rules.PRODUCTS[spec["savings_account"]["product"]]
            opened = amounts.add_months(today, -6)
            savings = _account(
                user.id,
                spec["savings_account"]["number"],
                today,
                opened,
                kind=AccountKind.SAVINGS.value,
                name=product.name,
                product=product.key,
                nominal_rate_bp=product.rate_bp,
                compounding=product.compounding,
                holder_name=user.name,
            )
            saved = sum(int(g["saved"]) for g in spec.get("goals", []))
            item = {
                "merchant": gettext("Savings from Everyday account"),
                "category": rules.TRANSFERS,
                "subcategory": "Savings",
            }
            rows.append(_row(savings, opened, saved, item, "seed-goal-savings"))
            rows.append(_row(current, opened, -saved, item, "seed-goal-savings"))
        db.session.execute(insert_ignoring_duplicates(BankingTransaction), rows)
        _goals(user.id, spec, savings, today)
        _bills(user.id, spec, today)
    db.session.flush()


# --- synthetic customers (`flask dcx seed --scale N`) -----------------------------------

SCALE_GOALS = (
    (_l("Emergency fund"), 300_000, 900_000),
    (_l("Summer holiday"), 120_000, 350_000),
    (_l("New bike"), 60_000, 180_000),
    (_l("Wedding"), 800_000, 1_500_000),
    (_l("House deposit"), 1_500_000, 3_000_000),
    (_l("New phone"), 50_000, 120_000),
)


def _vary(spec: dict[str, Any], rng) -> dict[str, Any]:
    """A customer like ``spec`` but their own: other income, rent, habits and history length.

    Instalments left ``unpaid`` belong to the persona's story with the dealer, so synthetic
    customers don't get them.
    """
    income = rng.uniform(0.7, 1.6)
    recurring = []
    for item in spec.get("recurring", []):
        if item.get("unpaid"):
            continue
        essential = item["category"] in (rules.INCOME, "Housing")
        if not essential and rng.random() < 0.3:
            continue
        factor = income if item["category"] == rules.INCOME else rng.uniform(0.8, 1.25)
        day = min(28, max(1, int(item["day"]) + rng.randint(-2, 2)))
        recurring.append({**item, "amount": round(int(item["amount"]) * factor), "day": day})
    variable = [
        {**item, "per_month": max(0, int(item["per_month"]) + rng.randint(-1, 1))}
        for item in spec.get("variable", [])
    ]
    return {
        **spec,
        "months": rng.randint(3, 6),
        "opening_balance": round(int(spec["opening_balance"]) * rng.uniform(0.3, 1.5)),
        "recurring": recurring,
        "variable": variable,
        "pending": [p for p in spec.get("pending", []) if rng.random() < 0.5],
    }


def _detected_bills(user_id: int, spec: dict[str, Any], today: date) -> list[BankingBill]:
    """The bills ``detect_bills`` would find in this history, built without querying it."""
    bills = []
    for item in spec["recurring"]:
        if item["category"] in (rules.INCOME, rules.TRANSFERS) or item["amount"] >= 0:
            continue
        due = today.replace(
            day=min(int(item["day"]), calendar.monthrange(today.year, today.month)[1])
        )
        if due <= today:
            due = amounts.add_months(due, 1)
        bills.append(
            BankingBill(
                user_id=user_id,
                name=item["merchant"][:80],
                merchant=item["merchant"],
                category=item["category"],
                amount_minor=-int(item["amount"]),
                currency=rules.CURRENCY,
                next_due_on=due,
                source="detected",
            )
        )
    return bills


def scale(ctx: SeedContext, customers: list) -> None:
    """Give each synthetic customer of the batch accounts, months of transactions, goals, bills.

    Each customer is a variation (by ``ctx.random``) of one of the showcase's customers.
    Their timeline shows the savings account opened and each goal set, as the app records
    them. Customers who already have a banking account are skipped, so a second run adds
    nothing. Two flushes for accounts and goals, then bulk inserts; no query per customer.
    """
    templates = ctx.data.get("customers", [])
    if not customers or not templates:
        return
    today = clock.today()
    ids = [u.id for u in customers]
    has_account = set(
        db.session.execute(
            select(BankingAccount.user_id).where(BankingAccount.user_id.in_(ids))
        ).scalars()
    )
    product = rules.PRODUCTS["easy_access"]
    plans = []
    for user in customers:
        # draw for every customer, skipped or not, so a partial rerun stays deterministic
        spec = _vary(ctx.random.choice(templates), ctx.random)
        goals = []
        for name, low, high in ctx.random.sample(SCALE_GOALS, ctx.random.randint(0, 2)):
            target = ctx.random.randint(low, high) // 1000 * 1000
            started_ago = ctx.random.randint(1, spec["months"])
            goals.append(
                {
                    "name": str(name),
                    "target": target,
                    # never more than the current account could have spared
                    "saved": min(
                        round(target * ctx.random.uniform(0.05, 0.8)),
                        spec["opening_balance"] // 3,
                    )
                    // 100
                    * 100,
                    "started": amounts.add_months(today, -started_ago),
                    "due": amounts.add_months(today, ctx.random.randint(2, 18)),
                }
            )
        if user.id in has_account:
            continue
        first = amounts.add_months(amounts.month_start(today), -int(spec["months"]))
        current = BankingAccount(
            user_id=user.id,
            kind=AccountKind.CURRENT.value,
            name=gettext("Everyday account"),
            number=f"DCXS{user.id:010d}",
            currency=rules.CURRENCY,
            opened_on=first,
        )
        savings = None
        if goals:
            savings = BankingAccount(
                user_id=user.id,
                kind=AccountKind.SAVINGS.value,
                name=product.name,
                number=f"DCXT{user.id:010d}",
                currency=rules.CURRENCY,
                opened_on=min(g["started"] for g in goals),
                product=product.key,
                nominal_rate_bp=product.rate_bp,
                compounding=product.compounding,
                holder_name=user.name,
            )
        plans.append((user, spec, goals, current, savings))
    if not plans:
        return
    db.session.add_all([a for p in plans for a in (p[3], p[4]) if a is not None])
    db.session.flush()

    rows: list[dict[str, Any]] = []
    goal_rows: list[BankingGoal] = []
    bills: list[BankingBill] = []
    transfer = {
        "merchant": gettext("Savings from Everyday account"),
        "category": rules.TRANSFERS,
        "subcategory": "Savings",
    }
    for user, spec, goals, current, savings in plans:
        rows.extend(history_rows(current, spec, today, ctx.random))
        if savings is not None:  # opened exactly for the customers with goals
            for g in goals:
                ref = f"seed-goal-{_slug(g['name'])}"
                rows.append(_row(savings, g["started"], g["saved"], transfer, ref))
                rows.append(_row(current, g["started"], -g["saved"], transfer, ref))
                goal_rows.append(
                    BankingGoal(
                        user_id=user.id,
                        account_id=savings.id,
                        name=g["name"],
                        target_minor=g["target"],
                        saved_minor=g["saved"],
                        currency=rules.CURRENCY,
                        target_date=g["due"],
                        started_on=g["started"],
                    )
                )
        bills.extend(_detected_bills(user.id, spec, today))
    db.session.execute(insert_ignoring_duplicates(BankingTransaction), rows)
    db.session.add_all([*goal_rows, *bills])
    db.session.flush()
    db.session.add_all(
        [
            BankingGoalMovement(
                goal_id=g.id, user_id=g.user_id, amount_minor=g.saved_minor, moved_on=g.started_on
            )
            for g in goal_rows
        ]
    )
    opened = [savings for *_, savings in plans if savings is not None]
    record_bulk([_opened_event(a, product) for a in opened] + [_goal_event(g) for g in goal_rows])


# The timeline entries of a synthetic customer's savings: the texts, links and keys the
# services record for the same events (open_savings_account, create_goal). Opening the
# account comes first on its day, then the goals set that day.
OPENED_AT, GOAL_SET_AT = time(9), time(9, 10)


def _opened_event(account: BankingAccount, product: rules.Product) -> dict[str, Any]:
    return {
        "user_id": account.user_id,
        "vertical": rules.KEY,
        "kind": "account_opened",
        "subject": product.label,
        "summary": _l(
            "Account %(number)s at %(apy)s %% APY",
            number=account.number,
            apy=LazyString(filters.number, amounts.percent(product.apy), 2),
        ),
        "link": link("banking.account", account_id=account.id),
        "key": f"banking.account_opened:{account.id}",
        "occurred_at": datetime.combine(account.opened_on, OPENED_AT, tzinfo=UTC),
    }


def _goal_event(goal: BankingGoal) -> dict[str, Any]:
    return {
        "user_id": goal.user_id,
        "vertical": rules.KEY,
        "kind": "goal_created",
        "subject": goal.name,
        "summary": _l(
            "Target %(amount)s by %(day)s",
            amount=LazyString(filters.money, goal.target_minor, goal.currency),
            day=LazyString(format_date, goal.target_date),
        ),
        "link": link("banking.goals"),
        "key": f"banking.goal_created:{goal.id}",
        "occurred_at": datetime.combine(goal.started_on, GOAL_SET_AT, tzinfo=UTC),
    }
