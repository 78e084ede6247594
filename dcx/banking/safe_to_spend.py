"""Safe to spend: what is left until payday after bills, goals and other industries' obligations,
for one customer or many at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from dcx.banking import amounts, bills
from dcx.banking import goals as banking_goals
from dcx.banking.models import (
    AccountKind,
    BankingAccount,
    BankingBill,
    BankingGoal,
    BankingGoalMovement,
    BankingTransaction,
    TransactionStatus,
)
from dcx.banking.rules import BUFFER_MINOR, CURRENCY, INCOME, OVERDUE_DAYS
from dcx.extensions import db
from dcx.platform.numbers import to_major
from dcx.verticals import Obligation


def _recent_salary(today: date) -> tuple[Any, ...]:
    """The conditions of a salary credit recent enough to predict the next payday."""
    t = BankingTransaction
    return (
        t.category == INCOME,
        t.subcategory == "Salary",
        t.amount_minor > 0,
        t.booked_on >= amounts.add_months(today, -2),
    )


def _payday_after(last: date | None, today: date) -> date | None:
    """A month after the last salary ``last``, rolled forward past today; None without one."""
    if last is None:
        return None
    payday = amounts.add_months(last, 1)
    while payday <= today:
        payday = amounts.add_months(payday, 1)
    return payday


@dataclass
class SafeToSpend:
    """The safe-to-spend figure and the steps that lead to it."""

    available_minor: int
    pending_minor: int
    bills_minor: int
    goals_minor: int
    buffer_minor: int
    days: int
    payday: date | None = None
    dues: list[bills.Due] = field(default_factory=list)
    goals: list[banking_goals.GoalView] = field(default_factory=list)
    currency: str = CURRENCY

    @property
    def amount_minor(self) -> int:
        """Available minus pending debits, bills, goal contributions and the buffer."""
        return (
            self.available_minor
            - self.pending_minor
            - self.bills_minor
            - self.goals_minor
            - self.buffer_minor
        )

    @property
    def per_day_minor(self) -> int:
        """Safe to spend per day until payday, never below zero."""
        return max(0, self.amount_minor) // max(1, self.days)

    def steps(self) -> list[tuple[str, int]]:
        """The waterfall: start, then each deduction as a negative amount."""
        return [
            (_l("Available balance"), self.available_minor),
            (_l("Pending payments"), -self.pending_minor),
            (_l("Bills before payday"), -self.bills_minor),
            (_l("Goal contributions"), -self.goals_minor),
            (_l("Buffer"), -self.buffer_minor),
        ]

    def waterfall(self) -> list[tuple[str, Decimal]]:
        """The steps for a chart: each label, and its amount in major units of the currency."""
        return [(str(label), to_major(amount, self.currency)) for label, amount in self.steps()]


def compute_safe_to_spend(
    available_minor: int,
    pending_minor: int,
    bills_minor: int,
    goals_minor: int,
    days: int,
    buffer_minor: int = BUFFER_MINOR,
) -> SafeToSpend:
    """The pure rule, in minor units; inputs are amounts (deductions as positive numbers)."""
    return SafeToSpend(
        available_minor=available_minor,
        pending_minor=max(0, pending_minor),
        bills_minor=max(0, bills_minor),
        goals_minor=max(0, goals_minor),
        buffer_minor=max(0, buffer_minor),
        days=max(1, days),
    )


def _available_and_pending() -> tuple[Any, Any]:
    """Booked balance, and pending debits as a positive amount, summed over transactions."""
    t = BankingTransaction
    booked = func.sum(case((t.status == TransactionStatus.BOOKED, t.amount_minor)))
    pending = func.sum(
        case((and_(t.status == TransactionStatus.PENDING, t.amount_minor < 0), -t.amount_minor))
    )
    return booked, pending


def _horizon(payday: date | None, today: date) -> date:
    """The day the plan runs to: payday, or without a salary the first of next month."""
    return payday or amounts.add_months(amounts.month_start(today), 1)


def _assemble_safe_to_spend(
    available: int,
    pending: int,
    payday: date | None,
    dues: list[bills.Due],
    goals: list[banking_goals.GoalView],
    today: date,
) -> SafeToSpend:
    """The figure from its loaded parts (goals already planned, reached ones included)."""
    views = [v for v in goals if v.status != "reached"]
    result = compute_safe_to_spend(
        available,
        pending,
        sum(d.amount_minor for d in dues),
        sum(v.outstanding_this_month for v in views),
        (_horizon(payday, today) - today).days,
    )
    result.payday, result.dues, result.goals = payday, dues, views
    return result


def safe_to_spend(user_id: int, today: date) -> SafeToSpend:
    """What the customer can spend until payday after everything already spoken for.

    One customer is a batch of one: the pages and the jobs over many customers share one
    path (:func:`safe_to_spend_many`), so they can never disagree.
    """
    return safe_to_spend_many([user_id], today)[user_id]


# Customers per round of queries: each IN list stays far below the bound parameters a
# statement may carry (32,766 in SQLite, 65,535 in PostgreSQL).
SAFE_TO_SPEND_BATCH = 5_000


def safe_to_spend_many(user_ids: Iterable[int], today: date) -> dict[int, SafeToSpend]:
    """:func:`safe_to_spend` for many customers at once, by customer id, set-based.

    For each batch of up to ``SAFE_TO_SPEND_BATCH`` customers, five queries load what the
    rule needs for all of them: current-account balances and pending debits (GROUP BY
    customer), the last salary (GROUP BY customer), active bills, goals, and this month's
    goal movements (GROUP BY goal). The rule itself is the same code as the single-customer
    path, which is this one for a list of one.

    Other industries' bills come through :func:`other_obligations_many`, asked once per batch
    for the widest window any of its customers needs: a vertical with the batch hook
    ``obligations_many`` (automotive) adds a fixed number of queries, one offering only the
    per-customer ``obligations`` hook is called once per customer.
    """
    ids = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    found: dict[int, SafeToSpend] = {}
    for first in range(0, len(ids), SAFE_TO_SPEND_BATCH):
        found.update(_safe_to_spend_batch(ids[first : first + SAFE_TO_SPEND_BATCH], today))
    return found


def _safe_to_spend_batch(ids: list[int], today: date) -> dict[int, SafeToSpend]:
    """:func:`safe_to_spend_many` for one batch of distinct customer ids.

    Five queries, plus what the other industries' obligations hooks cost for the batch.
    """
    t, a, g, m = BankingTransaction, BankingAccount, BankingGoal, BankingGoalMovement
    money = {
        user_id: (int(booked or 0), int(pending or 0))
        for user_id, booked, pending in db.session.execute(
            select(a.user_id, *_available_and_pending())
            .select_from(t)
            .join(a, a.id == t.account_id)
            .where(a.user_id.in_(ids), a.kind == AccountKind.CURRENT)
            .group_by(a.user_id)
        ).all()
    }
    last_salary = dict(
        db.session.execute(
            select(t.user_id, func.max(t.booked_on))
            .where(t.user_id.in_(ids), *_recent_salary(today))
            .group_by(t.user_id)
        ).all()
    )
    bills_of: dict[int, list[BankingBill]] = defaultdict(list)
    for bill in db.session.execute(
        select(BankingBill)
        .where(BankingBill.user_id.in_(ids), BankingBill.active.is_(True))
        .order_by(BankingBill.next_due_on)
    ).scalars():
        bills_of[bill.user_id].append(bill)
    goals_of: dict[int, list[BankingGoal]] = defaultdict(list)
    for goal in db.session.execute(select(g).where(g.user_id.in_(ids)).order_by(g.id)).scalars():
        goals_of[goal.user_id].append(goal)
    moved = dict(
        db.session.execute(
            select(m.goal_id, func.sum(m.amount_minor))
            .join(g, g.id == m.goal_id)
            .where(g.user_id.in_(ids), m.moved_on >= amounts.month_start(today))
            .group_by(m.goal_id)
        ).all()
    )
    paydays = {user_id: _payday_after(last_salary.get(user_id), today) for user_id in ids}
    horizons = {user_id: _horizon(payday, today) for user_id, payday in paydays.items()}
    since = today - timedelta(days=OVERDUE_DAYS)
    # One window for the whole batch, up to the latest horizon: ``_with_obligations`` keeps
    # for each customer only what falls in their own window, as the per-customer path asks.
    others: dict[int, list[Obligation]] = {}
    if ids and bills._obligation_sources():
        others = bills.other_obligations_many(
            ids, since, max(horizons.values()) - timedelta(days=1)
        )
    found = {}
    for user_id in ids:
        available, pending = money.get(user_id, (0, 0))
        payday, horizon = paydays[user_id], horizons[user_id]
        dues = bills._with_obligations(
            bills._own_dues(bills_of[user_id], today, horizon, others.get(user_id, [])),
            others.get(user_id, []),
            today,
            horizon,
        )
        goals = banking_goals._plan_goals(goals_of[user_id], moved, today)
        found[user_id] = _assemble_safe_to_spend(available, pending, payday, dues, goals, today)
    return found
