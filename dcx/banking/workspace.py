"""The banking advisor's workspace: customers, their goals and the customer card's summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext, ngettext
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, func, select

from dcx import filters
from dcx.banking import accounts, safe_to_spend
from dcx.banking import goals as banking_goals
from dcx.banking.models import (
    BankingAccount,
    BankingGoal,
)
from dcx.banking.rules import CURRENCY
from dcx.extensions import db
from dcx.platform import clock, staff_lists
from dcx.platform.accounts.models import User
from dcx.platform.links import link
from dcx.platform.staff_lists import ListRequest


def banking_customers(wanted: ListRequest) -> Pagination:
    """One page of the customers who hold a banking account, by name, found by name or email."""
    stmt = (
        select(User).where(User.id.in_(select(BankingAccount.user_id))).order_by(User.name, User.id)
    )
    return staff_lists.page_of(stmt, wanted, search=(User.name, User.email))


@dataclass(frozen=True)
class CustomerRow:
    """A customer on the advisor's list: safe to spend and goals."""

    user: User
    safe: safe_to_spend.SafeToSpend
    goals: list[banking_goals.GoalView]


def customer_rows(people: list[User], today: date) -> list[CustomerRow]:
    """The advisor's figures for one page of customers, set-based (a fixed number of queries)."""
    ids = [user.id for user in people]
    safe = safe_to_spend.safe_to_spend_many(ids, today)
    goals = banking_goals.goal_views_many(ids, today)
    return [CustomerRow(user, safe[user.id], goals[user.id]) for user in people]


def goals_behind(
    today: date, limit: int = 10
) -> tuple[list[tuple[User, banking_goals.GoalView]], int]:
    """The ``limit`` goals behind plan due soonest, with their owners, and how many goals are
    behind in all: decided in SQL, so only the goals shown are loaded."""
    behind = and_(BankingGoal.reached_at.is_(None), banking_goals.behind_plan(today))
    total = db.session.execute(select(func.count()).where(behind)).scalar_one()
    rows = db.session.execute(
        select(BankingGoal, User)
        .join(User, User.id == BankingGoal.user_id)
        .where(behind)
        .order_by(BankingGoal.target_date, BankingGoal.id)
        .limit(limit)
    ).all()
    owners = {goal.id: user for goal, user in rows}
    views = banking_goals.goal_views(0, today, [goal for goal, _user in rows])
    return [(owners[v.goal.id], v) for v in views if v.status == "behind"], total


def summary_card(user_id: int) -> dict[str, Any] | None:
    """The staff customer-360 card: balance, safe to spend and goals at a glance.

    Rendered now, in the language of the staff member reading the customer-360 page.
    """
    owned = accounts.accounts(user_id)
    if not owned:
        return None
    today = clock.today()
    totals = accounts.balances(user_id)
    sts = safe_to_spend.safe_to_spend(user_id, today)
    views = banking_goals.goal_views(user_id, today)
    behind = sum(1 for v in views if v.status == "behind")
    lines = [
        ngettext(
            "%(num)d account, balance %(amount)s",
            "%(num)d accounts, balance %(amount)s",
            len(owned),
            amount=filters.money(sum(totals.values()), CURRENCY),
        ),
        gettext(
            "Safe to spend %(amount)s (%(per_day)s a day)",
            amount=filters.money(sts.amount_minor, CURRENCY),
            per_day=filters.money(sts.per_day_minor, CURRENCY),
        ),
        ngettext(
            "%(num)d goal, %(behind)d behind",
            "%(num)d goals, %(behind)d behind",
            len(views),
            behind=behind,
        ),
    ]
    return {
        "title": gettext("Banking"),
        "lines": lines,
        "link": link("banking.staff.staff_customer", user_id=user_id),
    }
