"""Meals are logged between visits: the food diary lives with the clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.health import food_and_exercise
from dcx.health.models import HealthMeal, HealthMealItem
from dcx.platform import clock, simulation
from dcx.platform.showcase import presenter
from dcx.platform.showcase.loader import seed_showcase
from dcx.verticals import registry


def _meals() -> list[tuple[int, date, str]]:
    return [
        tuple(row)
        for row in db.session.execute(
            select(HealthMeal.patient_id, HealthMeal.eaten_on, HealthMeal.kind).order_by(
                HealthMeal.patient_id, HealthMeal.eaten_on, HealthMeal.kind
            )
        ).all()
    ]


def test_after_a_month_maria_has_logged_most_of_her_meals(app):
    with app.app_context():
        seed_showcase(registry(), "default", only=("health",))
        db.session.commit()
        maria = presenter.persona_user("maria")
        assert maria is not None
        start = clock.now()
        simulation.advance(start, clock.advance(timedelta(days=30)))
        db.session.commit()
        days = {day for patient, day, _kind in _meals() if patient == maria.id}
        assert 25 <= len(days) <= 31
        logged = sum(1 for patient, _d, _k in _meals() if patient == maria.id)
        assert 0.6 * 90 <= logged <= 0.9 * 90  # three meals a day, three in four logged
        yesterday = clock.today() - timedelta(days=1)
        totals = food_and_exercise.daily_totals(maria.id, yesterday)
        meals_yesterday = food_and_exercise.meals_on(maria.id, yesterday)
        assert (totals["kcal"] > 0) == bool(meals_yesterday)


def test_meals_lived_twice_or_in_four_weeks_are_the_same(app):
    with app.app_context():
        seed_showcase(registry(), "default", only=("health",))
        db.session.commit()
        vertical = registry().get("health")
        users = {p["key"]: p["user"].id for p in presenter.personas() if p["user"]}
        start = clock.now()
        ctx = simulation._context(vertical, start, False, users)
        vertical.simulate(ctx, start, start + timedelta(days=28))
        at_once = _meals()
        items = db.session.execute(select(func.count()).select_from(HealthMealItem)).scalar_one()
        assert at_once and items > len(at_once)
        vertical.simulate(ctx, start, start + timedelta(days=28))
        assert _meals() == at_once
        db.session.rollback()
        for week in range(4):
            vertical.simulate(
                ctx, start + timedelta(days=7 * week), start + timedelta(days=7 * (week + 1))
            )
        assert _meals() == at_once
        assert (
            db.session.execute(select(func.count()).select_from(HealthMealItem)).scalar_one()
            == items
        )


def test_a_patient_who_keeps_a_food_diary_sees_the_days_meals(app, patient, patient_client):
    food_and_exercise.log_meal(patient.id, clock.today(), "snack", [("apple", 150)])
    db.session.commit()
    now = clock.now()
    # to ten at night a month on, so the day's three meals are behind
    target = datetime.combine(now.date() + timedelta(days=30), datetime.min.time(), now.tzinfo)
    simulation.advance(now, clock.advance(target + timedelta(hours=22) - now))
    db.session.commit()
    while not food_and_exercise.meals_on(patient.id, clock.today()):
        before = clock.now()
        simulation.advance(before, clock.advance(timedelta(days=1)))
        db.session.commit()
    meals = food_and_exercise.meals_on(patient.id, clock.today())
    page = patient_client.get("/health/food").get_data(as_text=True)
    assert "No meals logged today." not in page
    for meal in meals:
        for item in meal.items:
            name = food_and_exercise.foods()[item.food_code].name
            assert f"{name} · {item.grams} g" in page
