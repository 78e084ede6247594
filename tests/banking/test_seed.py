"""Seeding banking twice changes nothing; the seeded story has what the demo needs."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from dcx.banking import amounts, reports, safe_to_spend, seed
from dcx.banking import bills as banking_bills
from dcx.banking import goals as banking_goals
from dcx.banking.models import (
    BankingAccount,
    BankingBill,
    BankingGoal,
    BankingGoalMovement,
    BankingTransaction,
)
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.showcase.loader import read_showcase
from dcx.platform.timeline.models import Event
from dcx.verticals import SeedContext
from tests.conftest import make_user

TABLES = (BankingAccount, BankingTransaction, BankingGoal, BankingGoalMovement, BankingBill)


def _seed(users) -> None:
    data = read_showcase("default")["verticals"]["banking"]
    seed.seed(SeedContext("default", data, users, random.Random("2026:banking")))
    db.session.commit()


def _counts() -> dict[str, int]:
    return {
        m.__tablename__: db.session.execute(select(func.count()).select_from(m)).scalar()
        for m in TABLES
    }


def test_seeding_twice_changes_nothing(app):
    users = {
        "alex": make_user("alex@dcx.example", "Alex Morgan"),
        "maria": make_user("maria@dcx.example", "María Popescu"),
    }
    _seed(users)
    first = _counts()
    assert first["banking_transaction"] > 150
    _seed(users)
    assert _counts() == first


def test_alex_has_the_story(app):
    alex = make_user("alex@dcx.example", "Alex Morgan")
    maria = make_user("maria@dcx.example", "María Popescu")
    _seed({"alex": alex, "maria": maria})
    today = clock.today()
    statuses = {v.goal.name: v.status for v in banking_goals.goal_views(alex.id, today)}
    assert statuses == {"Trip to Lisbon": "on_track", "New laptop": "behind"}
    bills = {b.name for b in banking_bills.bills(alex.id)}
    assert {"Home insurance", "Oak Street Lettings", "Streamflix"} <= bills
    subcategories = set(
        db.session.execute(
            select(BankingTransaction.subcategory).where(BankingTransaction.user_id == alex.id)
        ).scalars()
    )
    assert {
        "Salary",
        "Rent",
        "Groceries",
        "Public transport",
        "Streaming",
        "Car instalment",
    } <= subcategories
    sts = safe_to_spend.safe_to_spend(alex.id, today)
    assert sts.payday is not None and sts.pending_minor == 5_900
    assert sts.available_minor > 0
    last = amounts.add_months(amounts.month_start(today), -1)
    report = reports.monthly_report(alex.id, last.year, last.month)
    assert report.income_minor == 325_000 and report.spending_minor > 150_000


def test_scale_gives_each_synthetic_customer_a_plausible_history_once(app):
    from dcx.platform.showcase.loader import scale_showcase

    registry = [v for v in app.extensions["dcx_verticals"] if v.key == "banking"]
    assert scale_showcase(registry, "default", 5, batch=3) == 5
    db.session.commit()
    ids = list(
        db.session.execute(
            select(BankingAccount.user_id).where(BankingAccount.kind == "current")
        ).scalars()
    )
    assert len(ids) == 5  # one everyday account each
    today = clock.today()
    last = amounts.add_months(amounts.month_start(today), -1)
    incomes = set()
    for user_id in ids:
        tx = db.session.execute(
            select(func.count()).where(BankingTransaction.user_id == user_id)
        ).scalar()
        assert tx > 20  # at least three months of history
        report = reports.monthly_report(user_id, last.year, last.month)
        assert report.income_minor > 0 and report.spending_minor > 0
        incomes.add(report.income_minor)
        bills = {b.name for b in banking_bills.bills(user_id)}
        assert bills and all(b.next_due_on > today for b in banking_bills.bills(user_id))
        for goal in db.session.execute(
            select(BankingGoal).where(BankingGoal.user_id == user_id)
        ).scalars():
            assert goal.account is not None and goal.account.kind == "savings"
            assert 0 < goal.saved_minor < goal.target_minor
    assert len(incomes) > 1  # varied, not five copies of one persona
    _assert_the_timeline_shows_their_savings(ids)
    first = _counts()
    events = db.session.execute(select(func.count(Event.id))).scalar()
    assert scale_showcase(registry, "default", 5, batch=3) == 0
    assert _counts() == first
    assert db.session.execute(select(func.count(Event.id))).scalar() == events


def _assert_the_timeline_shows_their_savings(ids: list[int]) -> None:
    """The savings account opened and each goal set are on the customer's timeline, as
    ``open_savings_account`` and ``create_goal`` write them; a customer without a goal (and so
    without a savings account) has no banking event."""
    from flask_babel import format_date

    from dcx.filters import money

    goals = 0
    for user_id in ids:
        savings = db.session.execute(
            select(BankingAccount).where(
                BankingAccount.user_id == user_id, BankingAccount.kind == "savings"
            )
        ).scalar_one_or_none()
        expected = {}
        if savings is not None:
            expected[f"banking.account_opened:{savings.id}"] = (
                "account_opened",
                "Easy Access Saver",
                f"Account {savings.number} at 3.04 % APY",
                savings.opened_on,
            )
        for goal in db.session.execute(
            select(BankingGoal).where(BankingGoal.user_id == user_id)
        ).scalars():
            goals += 1
            expected[f"banking.goal_created:{goal.id}"] = (
                "goal_created",
                goal.name,
                f"Target {money(goal.target_minor, goal.currency)} by "
                f"{format_date(goal.target_date)}",
                goal.started_on,
            )
        events = db.session.execute(
            select(Event).where(Event.user_id == user_id, Event.vertical == "banking")
        ).scalars()
        assert {
            e.key: (e.kind, e.subject, e.summary, e.occurred_at.date()) for e in events
        } == expected
    assert goals  # somebody saves towards something
