"""When the clock moves, the world moves with it: each vertical lives the time that passed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.platform import clock, simulation
from dcx.platform.jobs.runner import run_due_jobs
from dcx.platform.showcase import presenter
from dcx.platform.showcase.loader import scale_showcase, seed_showcase
from dcx.verticals import registry

LIVING = ("automotive", "banking", "education", "government", "health", "retail")


def _rows() -> int:
    """Every row of every table, simulation records aside."""
    total = 0
    for table in db.metadata.sorted_tables:
        if table.name == "simulation_period":
            continue
        total += db.session.execute(select(func.count()).select_from(table)).scalar_one()
    return total


def _persona(key: str) -> int:
    user = presenter.persona_user(key)
    assert user is not None
    return user.id


def _move_clock(days: int) -> None:
    before = clock.now()
    simulation.advance(before, clock.advance(timedelta(days=days)))
    db.session.commit()
    run_due_jobs()


@pytest.mark.parametrize("key", LIVING)
def test_living_a_period_twice_adds_nothing(app, key):
    with app.app_context():
        seed_showcase(registry(), "default", only=(key,))
        db.session.commit()
        vertical = registry().get(key)
        users = {p["key"]: p["user"].id for p in presenter.personas() if p["user"]}
        start = clock.now()
        end = start + timedelta(days=30)
        before = _rows()
        ctx = simulation._context(vertical, start, False, users)
        assert vertical.simulate(ctx, start, end) > 0
        db.session.flush()
        lived = _rows()
        assert lived > before
        vertical.simulate(simulation._context(vertical, start, False, users), start, end)
        db.session.flush()
        assert _rows() == lived


@pytest.mark.parametrize("key", LIVING)
def test_moving_the_clock_over_a_lived_period_adds_nothing(app, key):
    with app.app_context():
        seed_showcase(registry(), "default", only=(key,))
        db.session.commit()
        start = clock.now()
        end = start + timedelta(days=10)
        assert simulation.advance(start, end)[key] > 0
        lived = _rows()
        assert simulation.advance(start, end) == {}
        assert simulation.advance(start + timedelta(days=2), end) == {}
        assert _rows() == lived


def test_a_week_four_times_lives_the_same_days_as_four_weeks_at_once(app):
    with app.app_context():
        seed_showcase(registry(), "default", only=("banking",))
        db.session.commit()
        vertical = registry().get("banking")
        start = clock.now()
        ctx = simulation._context(vertical, start, False, {})
        vertical.simulate(ctx, start, start + timedelta(days=28))
        at_once = _rows()
        db.session.rollback()
        for week in range(4):
            vertical.simulate(
                ctx, start + timedelta(days=7 * week), start + timedelta(days=7 * (week + 1))
            )
        assert _rows() == at_once


def test_after_a_month_alex_has_a_report_with_income_and_a_comparison(app):
    from dcx.banking import amounts, reports

    with app.app_context():
        seed_showcase(registry(), "default", only=("banking",))
        db.session.commit()
        _move_clock(30)
        alex = _persona("alex")
        last = amounts.add_months(amounts.month_start(clock.today()), -1)
        report = reports.monthly_report(alex, last.year, last.month)
        assert report.income_minor > 0
        assert report.savings_rate is not None and 0 <= report.savings_rate <= 60
        lines = reports.comparison(report)
        assert len(lines) == 2
        assert "You saved" in lines[0] and "Your savings rate is" in lines[1]
        before = amounts.add_months(last, -1)
        assert lines[1].endswith(f" in {before:%B}.")  # the month's whole name, not "Nov"


def test_after_a_month_and_three_maria_takes_most_of_her_doses(app):
    from dcx.health import goals, medication

    with app.app_context():
        seed_showcase(registry(), "default", only=("health",))
        db.session.commit()
        maria = _persona("maria")
        for days in (30, 60):
            _move_clock(days)
            assert 0.6 <= medication.adherence(maria) <= 0.95
            readings = goals.measure_values(maria, "systolic", days=30)
            assert readings and readings[-1][0].date() >= clock.today() - timedelta(days=1)


def test_after_a_month_every_sensor_is_online_with_counts(app):
    from dcx.government import sensors

    with app.app_context():
        seed_showcase(registry(), "default", only=("government",))
        db.session.commit()
        _move_clock(30)
        now = clock.now()
        overview = sensors.sensor_overview(now)
        assert overview and all(sensor["online"] for sensor in overview)
        labels, series = sensors.traffic_series(now)
        assert labels and any(any(value for value in values) for values in series.values())


def test_the_cars_drive_and_the_service_falls_due_from_the_distance(app):
    from dcx.automotive import fleet_status
    from dcx.automotive.models import AutomotiveVehicle

    with app.app_context():
        seed_showcase(registry(), "default", only=("automotive",))
        db.session.commit()
        vehicles = list(db.session.execute(select(AutomotiveVehicle)).scalars())
        before = {
            r.vehicle_id: r.odometer_km
            for r in fleet_status.latest_readings([v.id for v in vehicles]).values()
        }
        _move_clock(30)
        after = fleet_status.latest_readings([v.id for v in vehicles])
        assert all(after[v].odometer_km > before[v] + 300 for v in before)


def _spread(moments) -> tuple[int, timedelta]:
    """How many distinct months ``moments`` fall in, and the days between the first and last."""
    days = sorted({m.date() if hasattr(m, "date") else m for m in moments})
    assert days, "nothing was written"
    return len({(d.year, d.month) for d in days}), days[-1] - days[0]


def test_the_seeded_past_has_months_of_life(app):
    """One seed (it is costly): Alex's timeline, and what education, retail and the food
    diary lived over the seeded history, each spread over at least three months."""
    from dcx.education.models import EducationOfficeHourSlot
    from dcx.health.models import HealthMeal
    from dcx.platform.timeline.models import Event
    from dcx.retail.models import RetailOrder

    with app.app_context():
        seed_showcase(registry(), "default")
        db.session.commit()
        alex = select(Event.occurred_at).where(Event.user_id == _persona("alex"))
        lived = {
            "alex's timeline": alex,
            "office hours held": select(EducationOfficeHourSlot.starts_at),
            "orders placed": select(RetailOrder.placed_at).where(
                RetailOrder.reference.like("SIM-%")
            ),
            "meals logged": select(HealthMeal.eaten_on),
        }
        for what, query in lived.items():
            months, span = _spread(db.session.execute(query).scalars())
            assert months >= 3 and span >= timedelta(days=85), (what, months, span)
        rows = _rows()
        seed_showcase(registry(), "default")  # seeded again: the past is not lived twice
        db.session.commit()
        assert _rows() == rows


def test_the_simulation_statements_do_not_grow_with_customers(app, query_counter):
    with app.app_context():
        seed_showcase(registry(), "default", only=LIVING)
        db.session.commit()
        start = clock.now()
        counted = []
        for customers in (10, 40):
            scale_showcase(registry(), "default", customers)  # commits
            with query_counter() as statements:
                written = simulation.advance(start, start + timedelta(days=30))
                counted.append(statements())
            assert set(written) == set(LIVING)
            db.session.rollback()  # the month is lived again with more customers
    few, many = counted
    # a batch insert with nothing to write is skipped: a chance code, a quiet week
    assert many <= few + 2, counted


def test_the_clock_command_lives_the_month_before_the_jobs(app, runner):
    from dcx.banking.models import BankingTransaction
    from dcx.platform.notify.models import Message

    with app.app_context():
        seed_showcase(registry(), "default", only=("banking",))
        db.session.commit()
        booked = db.session.execute(
            select(func.count()).select_from(BankingTransaction)
        ).scalar_one()
    result = runner.invoke(args=["dcx", "clock", "advance", "30d"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert (
            db.session.execute(select(func.count()).select_from(BankingTransaction)).scalar_one()
            > booked
        )
        alex = _persona("alex")
        report = db.session.execute(
            select(Message.body).where(
                Message.user_id == alex, Message.topic == "banking.monthly_summary"
            )
        ).scalar_one()
        assert "savings rate" in report  # the job saw the month's income


def test_a_failing_hook_leaves_the_clock_and_the_others_living(app, monkeypatch):
    import dataclasses

    with app.app_context():
        seed_showcase(registry(), "default", only=("banking", "health"))
        db.session.commit()
        verticals = app.extensions["dcx_verticals"]
        broken = dataclasses.replace(verticals.get("banking"), simulate=lambda *a: 1 / 0)
        monkeypatch.setitem(verticals._by_key, "banking", broken)
        start = clock.now()
        written = simulation.advance(start, start + timedelta(days=30))
        assert "banking" not in written and written["health"] > 0


def test_sensors_keep_reporting_as_real_time_passes_after_a_clock_move(app, monkeypatch):
    from dcx.government import sensors

    with app.app_context():
        seed_showcase(registry(), "default", only=("government",))
        db.session.commit()
        _move_clock(7)
        real = clock.real_now()
        # the presenter talks for twenty minutes: real time passes, the clock is not moved
        monkeypatch.setattr(clock, "real_now", lambda: real + timedelta(minutes=20))
        now = clock.now()
        assert not any(s["online"] for s in sensors.sensor_overview(now))  # nothing lived yet
        ran = {r.job_id for r in run_due_jobs()}
        assert "platform.live_on" in ran
        db.session.expire_all()
        overview = sensors.sensor_overview(clock.now())
        assert overview and all(sensor["online"] for sensor in overview)
        assert simulation.live_on(clock.now()) == 0  # the time is lived once


def test_living_on_leaves_a_world_that_never_lived_alone(app):
    with app.app_context():
        assert simulation.live_on(clock.now()) == 0
        assert (
            db.session.execute(select(func.count(simulation.SimulationPeriod.id))).scalar_one() == 0
        )
