"""Savings goals: create, fund and withdraw, progress and the monthly amount that keeps a goal
on track."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, func, literal, or_, select

from dcx import filters
from dcx.banking import accounts, amounts
from dcx.banking.models import (
    AccountKind,
    BankingAccount,
    BankingGoal,
    BankingGoalMovement,
    BankingTransaction,
    TransactionStatus,
)
from dcx.banking.rules import CURRENCY, KEY, TRANSFERS, BankingError
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.sql_dates import days_between
from dcx.platform.timeline.services import record


def months_left(from_day: date, target_date: date) -> int:
    """How many monthly contributions remain, counting ``from_day``'s month; 0 once passed."""
    if target_date <= from_day:
        return 0
    return (target_date.year - from_day.year) * 12 + target_date.month - from_day.month + 1


def monthly_contribution_needed(
    target_minor: int, saved_minor: int, target_date: date, from_day: date
) -> int:
    """Remaining amount over the months left, rounded up to the cent.

    When the goal date has passed, everything still missing is due now.
    """
    remaining = max(0, target_minor - saved_minor)
    if remaining == 0:
        return 0
    months = months_left(from_day, target_date)
    if months == 0:
        return remaining
    return -(-remaining // months)


def is_on_track(
    target_minor: int, saved_minor: int, started_on: date, target_date: date, today: date
) -> bool:
    """On track when saved at least the straight-line share of the target for the time gone."""
    if saved_minor >= target_minor:
        return True
    if today >= target_date:
        return False
    total = max(1, (target_date - started_on).days)
    elapsed = min(total, max(0, (today - started_on).days))
    return saved_minor * total >= target_minor * elapsed


@dataclass
class GoalView:
    """A goal with the numbers a customer needs to see about it."""

    goal: BankingGoal
    needed_this_month: int
    contributed_this_month: int
    status: str  # reached, on_track, behind

    @property
    def outstanding_this_month(self) -> int:
        """What is still to put in this month to stay on plan."""
        return max(0, self.needed_this_month - self.contributed_this_month)

    @property
    def progress_percent(self) -> int:
        """Saved as a whole percentage of the target (0-100)."""
        if self.goal.target_minor <= 0:
            return 100
        return min(100, self.goal.saved_minor * 100 // self.goal.target_minor)


def goal_views(user_id: int, today: date, goals: Iterable[BankingGoal] | None = None):
    """Every goal of the customer with this month's plan (two queries)."""
    if goals is None:
        return goal_views_many([user_id], today)[user_id]
    goals = list(goals)
    return _plan_goals(goals, _moved_this_month([g.id for g in goals], today), today)


def goal_views_many(user_ids: Iterable[int], today: date) -> dict[int, list[GoalView]]:
    """Every goal of each of these customers with this month's plan: two queries for a page
    of customers as for one (the batch rule :func:`goal_views` is the list of one of)."""
    ids = list(user_ids)
    goals = db.session.execute(
        select(BankingGoal)
        .where(BankingGoal.user_id.in_(ids or [0]))
        .order_by(BankingGoal.user_id, BankingGoal.id)
    ).scalars()
    owned: dict[int, list[BankingGoal]] = {user_id: [] for user_id in ids}
    for goal in goals:
        owned[goal.user_id].append(goal)
    moved = _moved_this_month([g.id for gs in owned.values() for g in gs], today)
    return {user_id: _plan_goals(gs, moved, today) for user_id, gs in owned.items()}


def _moved_this_month(goal_ids: list[int], today: date) -> dict[int, Any]:
    """The net sum moved into each of these goals since the start of ``today``'s month."""
    return dict(
        db.session.execute(
            select(BankingGoalMovement.goal_id, func.sum(BankingGoalMovement.amount_minor))
            .where(
                BankingGoalMovement.goal_id.in_(goal_ids or [0]),
                BankingGoalMovement.moved_on >= amounts.month_start(today),
            )
            .group_by(BankingGoalMovement.goal_id)
        ).all()
    )


def behind_plan(today: date) -> ColumnElement[bool]:
    """The rule of "behind" in :func:`_plan_goals` as an SQL condition on ``BankingGoal``, so
    a staff page finds the goals behind plan among every customer's without loading them:
    not reached, and either past its date or saved less than the straight-line share of the
    target for the days gone."""
    goal = BankingGoal
    span = days_between(goal.target_date, goal.started_on)
    total = case((span < 1, 1), else_=span)
    since = days_between(literal(today), goal.started_on)
    gone = case((since < 0, 0), (since > total, total), else_=since)
    return and_(
        goal.saved_minor < goal.target_minor,
        or_(
            goal.target_date <= today,
            cast(goal.saved_minor, BigInteger) * total < cast(goal.target_minor, BigInteger) * gone,
        ),
    )


def _plan_goals(goals: Iterable[BankingGoal], moved: dict[int, Any], today: date) -> list[GoalView]:
    """Each goal's plan for ``today``'s month, given the net sum moved per goal id this month.

    The rule shared by :func:`goal_views` (one customer) and :func:`safe_to_spend_many`
    (many), so both give the same answer.
    """
    start = amounts.month_start(today)
    views = []
    for goal in goals:
        this_month = int(moved.get(goal.id) or 0)
        # The plan is fixed at the start of each month: recalculated monthly, not daily.
        saved_at_start = goal.saved_minor - this_month
        needed = monthly_contribution_needed(
            goal.target_minor, saved_at_start, goal.target_date, start
        )
        if goal.saved_minor >= goal.target_minor:
            status = "reached"
            needed = 0
        elif is_on_track(
            goal.target_minor, goal.saved_minor, goal.started_on, goal.target_date, today
        ):
            status = "on_track"
        else:
            status = "behind"
        views.append(GoalView(goal, needed, max(0, this_month), status))
    return views


def create_goal(
    user_id: int,
    name: str,
    target_minor: int,
    target_date: date,
    today: date,
    account_id: int | None = None,
) -> BankingGoal:
    """Set a new savings goal; the linked account must be the customer's savings account."""
    if target_minor <= 0:
        raise BankingError(_l("The target must be more than zero."), "target")
    if target_date <= today:
        raise BankingError(_l("Pick a date in the future."), "target_date")
    if account_id is not None:
        account = db.session.get(BankingAccount, account_id)
        if account is None or account.user_id != user_id or account.kind != AccountKind.SAVINGS:
            raise BankingError(_l("Choose one of your savings accounts."), "account_id")
    exists = db.session.execute(
        select(BankingGoal.id).where(BankingGoal.user_id == user_id, BankingGoal.name == name)
    ).first()
    if exists:
        raise BankingError(_l("You already have a goal with this name."), "name")
    goal = BankingGoal(
        user_id=user_id,
        name=name,
        target_minor=target_minor,
        target_date=target_date,
        started_on=today,
        account_id=account_id,
        currency=CURRENCY,
    )
    db.session.add(goal)
    db.session.flush()
    record(
        user_id,
        KEY,
        "goal_created",
        name,
        _l(
            "Target %(amount)s by %(day)s",
            amount=amounts._in_their_format(filters.money, target_minor, CURRENCY),
            day=amounts._in_their_format(format_date, target_date),
        ),
        link=link("banking.goals"),
        key=f"banking.goal_created:{goal.id}",
    )
    return goal


def move_goal_money(goal: BankingGoal, amount_minor: int, today: date) -> bool:
    """Contribute (positive) to or withdraw (negative) from a goal; True if it was just reached.

    A contribution moves money from the current account to the goal's savings account (and a
    withdrawal back), so safe-to-spend and balances follow.
    """
    if amount_minor == 0:
        raise BankingError(_l("Enter an amount."), "amount")
    if amount_minor < 0 and -amount_minor > goal.saved_minor:
        raise BankingError(_l("You cannot withdraw more than the goal holds."), "amount")
    current = accounts.primary_current_account(goal.user_id)
    if (
        amount_minor > 0
        and current is not None
        and accounts.available_balance(current.id) < amount_minor
    ):
        raise BankingError(_l("Your current account does not hold that much."), "amount")
    stamp = secrets.token_hex(6)
    # Stored text, written once in the language of the customer moving the money.
    merchant = gettext("Goal: %(name)s", name=goal.name)
    if current is not None:
        _book(current, -amount_minor, today, merchant, TRANSFERS, "Savings", stamp)
    if goal.account is not None:
        _book(goal.account, amount_minor, today, merchant, TRANSFERS, "Savings", stamp)
    goal.saved_minor += amount_minor
    db.session.add(
        BankingGoalMovement(
            goal_id=goal.id, user_id=goal.user_id, amount_minor=amount_minor, moved_on=today
        )
    )
    db.session.flush()
    if goal.saved_minor >= goal.target_minor and goal.reached_at is None:
        goal.reached_at = clock.now()
        record(
            goal.user_id,
            KEY,
            "goal_reached",
            goal.name,
            _l(
                "Saved %(amount)s",
                amount=amounts._in_their_format(filters.money, goal.target_minor, goal.currency),
            ),
            link=link("banking.goals"),
            key=f"banking.goal_reached:{goal.id}",
        )
        db.session.flush()
        return True
    return False


def _book(
    account,
    amount,
    day,
    merchant,
    category,
    subcategory,
    stamp,
    status=TransactionStatus.BOOKED.value,
):
    db.session.add(
        BankingTransaction(
            user_id=account.user_id,
            account_id=account.id,
            booked_on=day,
            amount_minor=amount,
            currency=account.currency,
            status=status,
            merchant=merchant[:120],
            category=category,
            subcategory=subcategory,
            description=merchant[:200],
            reference=f"{stamp}-{account.id}",
        )
    )
