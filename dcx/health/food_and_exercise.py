"""Food and exercise: meals and their items, activity minutes against the week's goal."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dcx.database import rows_where
from dcx.extensions import db
from dcx.health import goals, vitals
from dcx.health.models import (
    HealthExercise,
    HealthMeal,
    HealthMealItem,
    MealKind,
)
from dcx.health.rules import HealthError
from dcx.platform import clock

FOODS_FILE = Path(__file__).parent / "data" / "foods.csv"
MEAL_KINDS = tuple(member.value for member in MealKind)
SODIUM_PLAN_MG = 2300


@dataclass(frozen=True)
class Food:
    """A row of the bundled food table: nutrients per 100 g."""

    code: str
    name: str
    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float
    sodium_mg: float


@cache
def foods() -> dict[str, Food]:
    """The bundled food table, by code."""
    with FOODS_FILE.open(encoding="utf-8") as fh:
        return {
            row["code"]: Food(
                row["code"],
                row["name"],
                float(row["kcal"]),
                float(row["protein_g"]),
                float(row["carbs_g"]),
                float(row["fat_g"]),
                float(row["sodium_mg"]),
            )
            for row in csv.DictReader(fh)
        }


def log_meal(
    patient_id: int, eaten_on: date, kind: str, items: Sequence[tuple[str, int]]
) -> HealthMeal:
    """Log a meal of (food code, grams) items; nutrients are worked out from the table."""
    if kind not in MEAL_KINDS:
        raise HealthError(_l("Unknown meal."))
    table = foods()
    if not items:
        raise HealthError(_l("Add at least one food."))
    meal = HealthMeal(patient_id=patient_id, eaten_on=eaten_on, kind=kind)
    for code, grams in items:
        food = table.get(code)
        if food is None or not 1 <= grams <= 2000:
            raise HealthError(_l("Choose a food from the list and a portion of 1 to 2000 g."))
        factor = grams / 100
        meal.items.append(
            HealthMealItem(
                food_code=code,
                grams=grams,
                kcal=round(food.kcal * factor, 1),
                protein_g=round(food.protein_g * factor, 1),
                carbs_g=round(food.carbs_g * factor, 1),
                fat_g=round(food.fat_g * factor, 1),
                sodium_mg=round(food.sodium_mg * factor, 1),
            )
        )
    db.session.add(meal)
    db.session.flush()
    return meal


def meals_on(patient_id: int, day: date) -> list[HealthMeal]:
    """The patient's meals of one day."""
    return rows_where(
        HealthMeal,
        HealthMeal.patient_id == patient_id,
        HealthMeal.eaten_on == day,
        order_by=(HealthMeal.id,),
    )


def daily_totals(patient_id: int, day: date) -> dict[str, float]:
    """The day's energy and nutrients (one query)."""
    row = db.session.execute(
        select(
            func.coalesce(func.sum(HealthMealItem.kcal), 0),
            func.coalesce(func.sum(HealthMealItem.protein_g), 0),
            func.coalesce(func.sum(HealthMealItem.carbs_g), 0),
            func.coalesce(func.sum(HealthMealItem.fat_g), 0),
            func.coalesce(func.sum(HealthMealItem.sodium_mg), 0),
        )
        .join(HealthMeal, HealthMeal.id == HealthMealItem.meal_id)
        .where(HealthMeal.patient_id == patient_id, HealthMeal.eaten_on == day)
    ).one()
    return dict(
        zip(("kcal", "protein_g", "carbs_g", "fat_g", "sodium_mg"), map(float, row), strict=True)
    )


def nutrition_plan(calorie_plan: int) -> dict[str, float]:
    """A day's plan: calories as agreed, macros at 20/50/30 % of energy, sodium 2,300 mg."""
    return {
        "kcal": float(calorie_plan),
        "protein_g": round(calorie_plan * 0.20 / 4),
        "carbs_g": round(calorie_plan * 0.50 / 4),
        "fat_g": round(calorie_plan * 0.30 / 9),
        "sodium_mg": float(SODIUM_PLAN_MG),
    }


INTENSITIES = ("light", "moderate", "vigorous")
INTENSITY_WEIGHT = {"light": 0, "moderate": 1, "vigorous": 2}


def log_exercise(
    patient_id: int, performed_on: date, activity: str, minutes: int, intensity: str
) -> HealthExercise:
    """Log an activity."""
    if intensity not in INTENSITIES or not 1 <= minutes <= 600:
        raise HealthError(_l("Minutes from 1 to 600 and a known intensity, please."))
    item = HealthExercise(
        patient_id=patient_id,
        performed_on=performed_on,
        activity=activity.strip()[:60],
        minutes=minutes,
        intensity=intensity,
    )
    db.session.add(item)
    db.session.flush()
    goals.refresh_goals(patient_id)
    return item


def weekly_minutes(patient_id: int, ending_on: date) -> int:
    """Active minutes in the 7 days ending on ``ending_on``: moderate once, vigorous twice.

    Light activity is good for you but does not count toward the 150-minute guideline.
    """
    rows = db.session.execute(
        select(HealthExercise.intensity, func.sum(HealthExercise.minutes))
        .where(
            HealthExercise.patient_id == patient_id,
            HealthExercise.performed_on > ending_on - timedelta(days=7),
            HealthExercise.performed_on <= ending_on,
        )
        .group_by(HealthExercise.intensity)
    ).all()
    return int(sum(INTENSITY_WEIGHT.get(i, 0) * (m or 0) for i, m in rows))


def weekly_minutes_many(
    patient_ids: Iterable[int], endings: Iterable[date]
) -> dict[int, dict[date, int]]:
    """:func:`weekly_minutes` for many patients and weeks in one query: id -> end -> minutes."""
    ids, ends = vitals._unique_ids(patient_ids), sorted(set(endings))
    daily: dict[int, dict[date, int]] = {pid: defaultdict(int) for pid in ids}
    if ids and ends:
        rows = db.session.execute(
            select(
                HealthExercise.patient_id,
                HealthExercise.performed_on,
                HealthExercise.intensity,
                func.sum(HealthExercise.minutes),
            )
            .where(
                HealthExercise.patient_id.in_(ids),
                HealthExercise.performed_on > ends[0] - timedelta(days=7),
                HealthExercise.performed_on <= ends[-1],
            )
            .group_by(
                HealthExercise.patient_id, HealthExercise.performed_on, HealthExercise.intensity
            )
        )
        for pid, day, intensity, minutes in rows:
            daily[pid][day] += INTENSITY_WEIGHT.get(intensity, 0) * (minutes or 0)
    return {
        pid: {
            end: int(
                sum(m for day, m in daily[pid].items() if end - timedelta(days=7) < day <= end)
            )
            for end in ends
        }
        for pid in ids
    }


def exercises_of(patient_id: int, days: int = 28) -> list[HealthExercise]:
    """The patient's recent activities, newest first."""
    return rows_where(
        HealthExercise,
        HealthExercise.patient_id == patient_id,
        HealthExercise.performed_on > clock.today() - timedelta(days=days),
        order_by=(HealthExercise.performed_on.desc(), HealthExercise.id.desc()),
    )
