"""One path for one figure: safe to spend for one customer is the batch for a list of one, and
what it counts is what the customer's own pages list (their bills, their goals' plan)."""

from __future__ import annotations

from datetime import date

from dcx.banking import bills, goals, safe_to_spend
from tests.banking.test_daily_alerts_queries import PROFILES, TODAY, _population
from tests.conftest import make_user


def test_one_customer_is_the_batch_for_a_list_of_one(app, current_account, monkeypatch):
    ids = _population(2, current_account)
    asked = []
    batch = safe_to_spend.safe_to_spend_many

    def spy(user_ids, today):
        asked.append(list(user_ids))
        return batch(user_ids, today)

    monkeypatch.setattr(safe_to_spend, "safe_to_spend_many", spy)
    for user_id in ids:
        safe_to_spend.safe_to_spend(user_id, TODAY)
    assert asked == [[user_id] for user_id in ids]


def test_the_figure_counts_what_the_bills_and_goals_pages_show_for_several_customers(
    app, current_account
):
    ids = _population(2 * PROFILES, current_account)
    ids.append(make_user("nothing-yet@example.com").id)  # no account, no bills, no goals
    checked = 0
    for day in (TODAY, date(2026, 11, 22), date(2026, 12, 2)):
        many = safe_to_spend.safe_to_spend_many(ids, day)
        for user_id in ids:
            sts = safe_to_spend.safe_to_spend(user_id, day)
            assert sts == many[user_id], (user_id, day)
            horizon = sts.payday or date(day.year + day.month // 12, day.month % 12 + 1, 1)
            assert sts.dues == bills.dues_between(user_id, day, horizon), (user_id, day)
            planned = [v for v in goals.goal_views(user_id, day) if v.status != "reached"]
            assert sts.goals == planned, (user_id, day)
            assert sts.bills_minor == sum(d.amount_minor for d in sts.dues)
            checked += bool(sts.dues) or bool(sts.goals)
    assert checked >= PROFILES  # the customers have bills and goals: the equalities say something
