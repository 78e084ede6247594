"""The daily alerts are set-based: safe-to-spend for every customer at once, same answers.

``safe_to_spend_many`` must give, for every customer, exactly what ``safe_to_spend`` gives
the pages; the job's queries must not grow with the number of customers, automotive's car
bills included (its ``obligations_many`` hook is asked once for everyone). Only a vertical
offering nothing but the per-customer ``obligations`` hook costs one call per customer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from dcx.banking import bills, goals, jobs, rules, safe_to_spend
from dcx.banking.models import BankingAccount, BankingTransaction
from dcx.extensions import db
from dcx.platform.notify.models import Delivery, Message
from dcx.platform.notify.services import save_preferences
from dcx.verticals import Obligation, Vertical, VerticalRegistry, registry
from tests.banking.conftest import add_tx
from tests.conftest import make_user

NOW = datetime(2026, 11, 12, 7, tzinfo=UTC)
TODAY = NOW.date()
BANKING_ONLY = {"DCX_VERTICALS": ("dcx.banking",)}
PROFILES = 6


def _car_loan(user_id: int, index: int) -> None:
    """A car loan with the automotive vertical: one paid, one overdue and one coming instalment."""
    from dcx.automotive import financing, vehicles
    from dcx.automotive.models import AutomotiveBill, AutomotiveLoan

    vehicle = vehicles.add_vehicle(user_id, f"WVWZZZCDZPW{index:06d}", "Volkswagen", "Golf", 2023)
    loan = AutomotiveLoan(
        user_id=user_id,
        vehicle_id=vehicle.id,
        reference=f"LN-STS-{index}",
        lender="DCX Motor Finance",
        principal_minor=1_800_000,
        currency="EUR",
        rate_bp=590,
        term_months=48,
        first_due_on=date(2026, 9, 20),
    )
    db.session.add(loan)
    db.session.flush()
    financing.issue_instalments(loan, date(2026, 12, 31))  # 20 Sep, Oct, Nov and Dec
    first = db.session.execute(
        select(AutomotiveBill)
        .where(AutomotiveBill.loan_id == loan.id)
        .order_by(AutomotiveBill.due_on)
    ).scalar()
    first.paid_at = datetime(2026, 9, 20, 9, tzinfo=UTC)
    if index // PROFILES % 2:  # every other car customer
        # the same instalment, already known to banking from the payments history
        bills.add_bill(user_id, "DCX Motor Finance", first.amount_minor, date(2026, 11, 18))


def _customer(index: int, current_account) -> int:
    """One customer of a varied population: each ``index % PROFILES`` is a different life."""
    user = make_user(f"c{index}@example.com", f"Customer {index}")
    profile = index % PROFILES
    if profile == 0:  # salaried, rent due in two days: tight until payday
        account = current_account(user.id, date(2026, 9, 1), 100_000)
        add_tx(account, date(2026, 10, 25), 300_000, "Employer", "Income", "Salary")
        add_tx(account, TODAY, -4_000, "Grocer", "Food", "Groceries", status="pending")
        add_tx(account, TODAY, 9_000, "Refund", "Income", "Refunds", status="pending")
        bills.add_bill(user.id, "Rent", 380_000, date(2026, 11, 14))
    elif profile == 1:  # no salary, comfortable, bills rolling forward, goals with money moved
        account = current_account(user.id, date(2026, 1, 1), 2_000_000 + index)
        bills.add_bill(user.id, "Phone", 2_500, date(2026, 10, 15))  # rolls to 15 Nov
        bills.add_bill(user.id, "Gym", 4_000, date(2026, 8, 3))  # rolls to 3 Dec
        old = bills.add_bill(user.id, "Old gym", 9_000, date(2026, 11, 13))
        old.active = False
        trip = goals.create_goal(user.id, "Trip", 60_000, date(2027, 3, 31), date(2026, 9, 1))
        goals.move_goal_money(trip, 10_000, date(2026, 10, 5))
        goals.move_goal_money(trip, 7_500, TODAY)
        goals.move_goal_money(trip, -2_000, TODAY)
    elif profile == 2:  # paid on the 1st; one goal behind, one reached, a savings account
        account = current_account(user.id, date(2026, 3, 1), 50_000)
        add_tx(account, date(2026, 11, 1), 260_000, "Employer", "Income", "Salary")
        savings = BankingAccount(
            user_id=user.id,
            kind="savings",
            name="Easy Access Saver",
            number=f"DCXQ{index:010d}",
            opened_on=date(2026, 3, 1),
        )
        db.session.add(savings)
        db.session.flush()
        add_tx(savings, date(2026, 3, 1), 400_000, "Deposit", "Transfers", "Savings")
        behind = goals.create_goal(
            user.id, "Laptop", 240_000, date(2027, 1, 31), date(2026, 3, 1), savings.id
        )
        goals.move_goal_money(behind, 5_000, date(2026, 4, 2))
        done = goals.create_goal(user.id, "Bike", 30_000, date(2027, 6, 1), date(2026, 6, 1))
        goals.move_goal_money(done, 30_000, date(2026, 11, 2))
    elif profile == 3:  # a savings account only: nothing available to spend
        savings = BankingAccount(
            user_id=user.id,
            kind="savings",
            name="Bonus Saver",
            number=f"DCXR{index:010d}",
            opened_on=date(2026, 5, 1),
        )
        db.session.add(savings)
        db.session.flush()
        add_tx(savings, date(2026, 5, 1), 90_000, "Deposit", "Transfers", "Savings")
    elif profile == 4:  # an older salary rolls forward; a salary too old and a refund ignored
        account = current_account(user.id, date(2026, 6, 1), 20_000)
        add_tx(account, date(2026, 8, 1), 280_000, "Employer", "Income", "Salary")
        add_tx(account, date(2026, 9, 20), 280_000, "Employer", "Income", "Salary")
        add_tx(account, date(2026, 10, 30), 50_000, "Shop", "Income", "Refunds")
        add_tx(account, TODAY, -12_000, "Airline", "Leisure", "Travel", status="pending")
        bills.add_bill(user.id, "Insurance", 3_250, date(2026, 11, 15))
    else:  # salaried with a car loan, when the automotive vertical is loaded
        account = current_account(user.id, date(2026, 9, 1), 40_000)
        add_tx(account, date(2026, 10, 25), 300_000, "Employer", "Income", "Salary")
        if registry().get("automotive") is not None:
            _car_loan(user.id, index)
    db.session.commit()
    return user.id


def _population(count: int, current_account, first: int = 0) -> list[int]:
    return [_customer(i, current_account) for i in range(first, first + count)]


def test_safe_to_spend_many_equals_safe_to_spend_for_every_customer(app, current_account):
    ids = _population(2 * PROFILES, current_account)
    stranger = make_user("no-account@example.com").id  # no account at all: still answered
    ids.append(stranger)
    for day in (TODAY, date(2026, 11, 22), date(2026, 12, 2)):
        many = safe_to_spend.safe_to_spend_many([*ids, ids[0]], day)  # a repeated id is one answer
        assert list(many) == ids
        for user_id in ids:
            assert many[user_id] == safe_to_spend.safe_to_spend(user_id, day), (user_id, day)

    # The population is as varied as it claims, so the equality above means something.
    answers = safe_to_spend.safe_to_spend_many(ids, TODAY)
    assert any(s.payday is None for s in answers.values())
    assert {s.payday for s in answers.values()} >= {
        date(2026, 11, 20),
        date(2026, 11, 25),
        date(2026, 12, 1),
    }
    assert any(s.pending_minor > 0 for s in answers.values())
    assert any(s.goals_minor > 0 for s in answers.values())
    assert any(v.status == "behind" for s in answers.values() for v in s.goals)
    assert any(s.per_day_minor < rules.LOW_PER_DAY_MINOR for s in answers.values())
    assert any(s.per_day_minor >= rules.LOW_PER_DAY_MINOR for s in answers.values())
    assert any(d.source == "banking" for s in answers.values() for d in s.dues)
    if registry().get("automotive") is not None:
        cars = [d for s in answers.values() for d in s.dues if d.source == "automotive"]
        assert any(d.overdue for d in cars) and any(not d.overdue for d in cars)
        # one car customer has the instalment as a banking bill too: counted once, on the
        # lender's dates (the banking bill for the lender gives way)
        lenders = [s for s in answers.values() if any(d.source == "automotive" for d in s.dues)]
        assert lenders and all(
            not any(d.title == "DCX Motor Finance" for d in s.dues) for s in lenders
        )


def test_safe_to_spend_many_gives_the_same_answers_in_small_batches(
    app, current_account, monkeypatch
):
    ids = _population(PROFILES + 1, current_account)
    whole = safe_to_spend.safe_to_spend_many(ids, TODAY)
    monkeypatch.setattr(safe_to_spend, "SAFE_TO_SPEND_BATCH", 2)
    assert safe_to_spend.safe_to_spend_many(ids, TODAY) == whole


def test_daily_alerts_sends_what_the_per_customer_rule_says_once(app, current_account):
    ids = _population(2 * PROFILES, current_account)
    save_preferences(ids[0], {"banking.bill_due": ["email", "sms"]})
    db.session.commit()
    owners = set(db.session.execute(select(BankingAccount.user_id)).scalars())
    low = {
        user_id: safe_to_spend.safe_to_spend(user_id, TODAY)
        for user_id in owners
        if safe_to_spend.safe_to_spend(user_id, TODAY).per_day_minor < rules.LOW_PER_DAY_MINOR
    }
    due = {
        (bill.user_id, f"banking.bill_due:{bill.id}:{day.isoformat()}")
        for user_id in ids
        for bill in bills.bills(user_id)
        for day in bills.bill_dates(bill, TODAY, TODAY + timedelta(days=4))
    }
    assert low and due

    sent = jobs.daily_alerts(NOW)
    db.session.commit()
    messages = list(db.session.execute(select(Message)).scalars())
    assert sent == len(messages) == len(low) + len(due)
    assert {(m.user_id, m.key) for m in messages if m.topic == "banking.bill_due"} == due
    tight = {m.user_id: m for m in messages if m.topic == "banking.low_safe_to_spend"}
    assert set(tight) == set(low)
    for user_id, sts in low.items():
        period = (sts.payday or date(2026, 12, 1)).isoformat()
        assert tight[user_id].key == f"banking.low_sts:{period}"
        assert tight[user_id].title == "Money is tight until payday"
        assert tight[user_id].link == "/banking/safe-to-spend"
        assert f"for the next {sts.days} days" in tight[user_id].body
    rent = next(m for m in messages if m.user_id == ids[0] and m.topic == "banking.bill_due")
    assert rent.title == "Rent is due on Nov 14, 2026"
    assert rent.body == "€3,800.00 will leave your account."
    # the outbox follows each customer's channels: the default push, or what they chose
    channels = {(d.message_id, d.channel) for d in db.session.execute(select(Delivery)).scalars()}
    assert {c for m, c in channels if m == rent.id} == {"email", "sms"}
    assert all({c for m, c in channels if m == x.id} == {"push"} for x in tight.values())

    assert jobs.daily_alerts(NOW + timedelta(hours=3)) == 0  # a rerun sends nothing
    db.session.commit()
    assert len(list(db.session.execute(select(Message.id)).scalars())) == len(messages)


def _run_counted(query_counter) -> tuple[int, int]:
    """(queries, alerts) of one run of the job, rolled back afterwards."""
    with query_counter() as queries:
        sent = jobs.daily_alerts(NOW)
    counted = queries()
    db.session.rollback()
    return counted, sent


@pytest.mark.parametrize("app_config", [BANKING_ONLY])
def test_daily_alerts_runs_as_many_queries_for_30_customers_as_for_3(
    app, current_account, query_counter
):
    _population(3, current_account)
    small, sent_small = _run_counted(query_counter)
    _population(27, current_account, first=3)
    large, sent_large = _run_counted(query_counter)
    assert sent_small >= 2 and sent_large > 5 * sent_small  # both halves sent, ten times more
    assert small == large


@pytest.mark.parametrize("app_config", [BANKING_ONLY])
def test_another_verticals_obligations_are_asked_once_per_customer_and_counted(
    app, current_account, query_counter
):
    """The obligations contract is per customer: one call each, and nothing else grows."""
    calls: list[int] = []

    def car_instalment(user_id: int, start: date, end: date) -> list[Obligation]:
        calls.append(user_id)
        db.session.execute(select(BankingTransaction.id).limit(1))  # a hook's own query
        return [Obligation("cars", "Car instalment", TODAY + timedelta(days=2), 150_000, "EUR")]

    cars = Vertical(
        key="cars",
        title="Cars",
        story="",
        blueprint=app.blueprints["banking"],
        obligations=car_instalment,
    )
    app.extensions["dcx_verticals"] = VerticalRegistry([*app.extensions["dcx_verticals"], cars])
    ids = _population(3, current_account)
    small, _ = _run_counted(query_counter)
    assert sorted(calls) == sorted(ids)
    ids += _population(27, current_account, first=3)
    calls.clear()
    large, _ = _run_counted(query_counter)
    assert sorted(calls) == sorted(ids)
    assert large - small == 27  # the hook's one query per added customer, nothing more

    # ...and the instalment counts: the comfortable customer's figure drops by it
    comfortable = ids[1]
    sts = safe_to_spend.safe_to_spend_many([comfortable], TODAY)[comfortable]
    assert "Car instalment" in [d.title for d in sts.dues]
    assert sts == safe_to_spend.safe_to_spend(comfortable, TODAY)


def _add_vertical(app, **fields) -> Vertical:
    """Load one more (fake) vertical beside the configured ones."""
    vertical = Vertical(
        title=fields["key"].title(), story="", blueprint=app.blueprints["banking"], **fields
    )
    app.extensions["dcx_verticals"] = VerticalRegistry([*app.extensions["dcx_verticals"], vertical])
    return vertical


def test_daily_alerts_with_automotive_run_as_many_queries_for_3n_customers_as_for_n(
    app, current_account, query_counter
):
    """Automotive's bills come in one batch: the job's queries do not grow with customers."""
    assert registry().get("automotive").obligations_many is not None
    ids = _population(PROFILES, current_account)
    small, sent_small = _run_counted(query_counter)
    ids += _population(2 * PROFILES, current_account, first=PROFILES)
    large, sent_large = _run_counted(query_counter)
    assert sent_small >= 2 and sent_large >= 3 * sent_small
    assert small == large

    # ...and the car bills are in the figures: every car customer, and only they, owe some
    answers = safe_to_spend.safe_to_spend_many(ids, TODAY)
    car_customers = {ids[i] for i in range(PROFILES - 1, 3 * PROFILES, PROFILES)}
    assert len(car_customers) == 3
    owing_cars = {u for u, s in answers.items() if any(d.source == "automotive" for d in s.dues)}
    assert owing_cars == car_customers
    assert all(answers[u] == safe_to_spend.safe_to_spend(u, TODAY) for u in ids)


LATE_FEE_ON = date(2026, 11, 28)  # after the 20 and 25 Nov paydays, before the 1 Dec one


@pytest.mark.parametrize("app_config", [BANKING_ONLY])
def test_a_batch_hook_is_asked_once_per_batch_and_each_customer_keeps_their_window(
    app, current_account, monkeypatch
):
    asked: list[tuple[list[int], date, date]] = []

    def late_fee(user_id: int, start: date, end: date) -> list[Obligation]:
        return late_fees([user_id], start, end)[user_id]

    def late_fees(user_ids, start: date, end: date) -> dict[int, list[Obligation]]:
        asked.append((list(user_ids), start, end))
        owed = start <= LATE_FEE_ON <= end
        fee = Obligation("fees", "Late fee", LATE_FEE_ON, 1_500, "EUR")
        return {user_id: [fee] if owed else [] for user_id in user_ids}

    _add_vertical(app, key="fees", obligations=late_fee, obligations_many=late_fees)
    ids = _population(PROFILES, current_account)
    asked.clear()
    answers = safe_to_spend.safe_to_spend_many(ids, TODAY)
    # once for everyone, up to the latest horizon (1 Dec, the day before counted)
    assert asked == [(ids, TODAY - timedelta(days=rules.OVERDUE_DAYS), date(2026, 11, 30))]
    # the fee counts only for those whose payday comes after it, as the pages say
    paid_later = {u for u, s in answers.items() if s.payday in (None, date(2026, 12, 1))}
    assert {u for u, s in answers.items() if "Late fee" in [d.title for d in s.dues]} == (
        paid_later
    )
    assert paid_later and len(paid_later) < len(ids)
    assert all(answers[u] == safe_to_spend.safe_to_spend(u, TODAY) for u in ids)

    monkeypatch.setattr(safe_to_spend, "SAFE_TO_SPEND_BATCH", 4)
    asked.clear()
    assert safe_to_spend.safe_to_spend_many(ids, TODAY) == answers
    assert [batch for batch, _, _ in asked] == [ids[:4], ids[4:]]


def test_a_vertical_with_only_the_per_customer_hook_still_counts_beside_automotive(
    app, current_account
):
    """A vertical from the extension kit may offer only ``obligations``: asked per customer."""
    calls: list[int] = []

    def tuition(user_id: int, start: date, end: date) -> list[Obligation]:
        calls.append(user_id)
        return [Obligation("school", "Tuition", TODAY + timedelta(days=3), 20_000, "EUR")]

    _add_vertical(app, key="school", obligations=tuition)
    ids = _population(PROFILES, current_account)
    answers = safe_to_spend.safe_to_spend_many(ids, TODAY)
    assert sorted(calls) == sorted(ids)
    for user_id, sts in answers.items():
        assert "Tuition" in [d.title for d in sts.dues]
        assert sts == safe_to_spend.safe_to_spend(user_id, TODAY)
    assert any(d.source == "automotive" for d in answers[ids[PROFILES - 1]].dues)


def test_a_hook_that_raises_is_logged_and_skipped(app, current_account, caplog, monkeypatch):
    # Alembic's logging config (the schema is stamped once per run) disables existing loggers
    monkeypatch.setattr(app.logger, "disabled", False)
    ids = _population(PROFILES, current_account)
    before = safe_to_spend.safe_to_spend_many(ids, TODAY)

    def offline(user_id, start, end):
        raise RuntimeError("ledger offline")

    def offline_many(user_ids, start, end):
        raise RuntimeError("ledger offline")

    def picky(user_id: int, start: date, end: date) -> list[Obligation]:
        if user_id == ids[0]:
            raise RuntimeError("one bad record")
        return [Obligation("picky", "Picky fee", TODAY + timedelta(days=2), 700, "EUR")]

    _add_vertical(app, key="offline", obligations=offline, obligations_many=offline_many)
    _add_vertical(app, key="picky", obligations=picky)
    answers = safe_to_spend.safe_to_spend_many(ids, TODAY)
    for user_id in ids:
        dues = answers[user_id].dues
        assert [d for d in dues if d.source != "picky"] == before[user_id].dues
        assert ("Picky fee" in [d.title for d in dues]) is (user_id != ids[0])
        assert answers[user_id] == safe_to_spend.safe_to_spend(user_id, TODAY)
    messages = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert "obligations_many of offline failed" in messages
    assert messages.count("obligations of picky failed") >= 1
    assert jobs.daily_alerts(NOW) > 0  # the job still runs and sends
