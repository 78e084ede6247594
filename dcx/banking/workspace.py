"""The banking advisor's workspace: customers, their goals and the customer card's summary."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from flask_babel import gettext, ngettext
from sqlalchemy import select

from dcx import filters
from dcx.banking import accounts, safe_to_spend
from dcx.banking import goals as banking_goals
from dcx.banking.models import (
    BankingAccount,
    BankingGoal,
)
from dcx.banking.rules import CURRENCY
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.links import link


def banking_customers(limit: int = 200) -> list[User]:
    """Customers who hold a banking account."""
    return list(
        db.session.execute(
            select(User)
            .where(User.id.in_(select(BankingAccount.user_id)))
            .order_by(User.name)
            .limit(limit)
        ).scalars()
    )


def goals_behind(today: date) -> list[tuple[User, banking_goals.GoalView]]:
    """Every customer's goals that are behind plan, with their owner."""
    goals = list(
        db.session.execute(
            select(BankingGoal)
            .where(BankingGoal.reached_at.is_(None))
            .order_by(BankingGoal.target_date)
        ).scalars()
    )
    by_user: dict[int, list[BankingGoal]] = defaultdict(list)
    for goal in goals:
        by_user[goal.user_id].append(goal)
    people = {
        u.id: u
        for u in db.session.execute(select(User).where(User.id.in_(list(by_user) or [0]))).scalars()
    }
    found = []
    for user_id, owned in by_user.items():
        for view in banking_goals.goal_views(user_id, today, owned):
            if view.status == "behind":
                found.append((people[user_id], view))
    return found


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
