"""The life of a health period: doses taken (or not), vitals on their way, exercise and meals
logged.

Every patient carries on from where their record stops: doses after the last one marked,
readings after the last reading, workouts after the last workout. A patient takes their
medicines with their own adherence (the showcase file's ``adherence`` for a persona, María
about 85 %; a synthetic patient's drawn between 60 and 95 %): on a day they slip, one dose
is skipped or never marked, and about one dose in eight is taken late. Blood pressure moves
a little each day toward the goal the doctor set, with the noise of a home monitor.

Natural keys keep it idempotent: a dose by (medicine, time), a reading by its external id
``seed:<kind>:<day>`` (the seed's own), a workout by the day after the patient's last one.
Set-based: one query each for medicines, last doses, last readings, goals and workouts, and
one insert per batch of rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from dcx.extensions import db
from dcx.health import medication
from dcx.health.food_and_exercise import foods
from dcx.health.models import (
    GoalStatus,
    HealthDose,
    HealthExercise,
    HealthGoal,
    HealthMeal,
    HealthMealItem,
    HealthMedication,
    HealthObservation,
)
from dcx.platform.simulation import insert_batches
from dcx.verticals import SimulationContext

READING_AT = time(7, 30)
# Each day, a reading closes this share of the gap to the goal (about a third in a month).
DAILY_PULL = 0.013
# The share of days a synthetic patient takes a reading (the personas read every day).
SYNTHETIC_READING_DAYS = 0.35


def _days(start: datetime, end: datetime) -> list[date]:
    day, days = start.date(), []
    while day <= end.date():
        days.append(day)
        day += timedelta(days=1)
    return days


def _reading_days(start: datetime, end: datetime, at: time) -> list[tuple[date, str, datetime]]:
    """Each day of the period once: the day, its text (what a draw is about), ``at`` on it."""
    return [(day, str(day), datetime.combine(day, at, tzinfo=UTC)) for day in _days(start, end)]


def period(ctx: SimulationContext, start: datetime, end: datetime) -> int:
    """Live ``[start, end)`` for every patient; returns how many rows it wrote."""
    return (
        _doses(ctx, start, end)
        + _vitals(ctx, start, end)
        + _exercise(ctx, start, end)
        + _meals(ctx, start, end)
    )


def adherence_of(ctx: SimulationContext) -> dict[int, float]:
    """The personas' adherence from the showcase file, by account id."""
    found = {}
    for spec in ctx.data.get("patients", []):
        user_id = ctx.users.get(spec.get("persona", ""))
        if user_id is not None and spec.get("adherence") is not None:
            found[user_id] = float(spec["adherence"])
    return found


def _doses(ctx: SimulationContext, start: datetime, end: datetime) -> int:
    meds = list(
        db.session.execute(
            select(HealthMedication).where(HealthMedication.active.is_(True))
        ).scalars()
    )
    last = dict(
        db.session.execute(
            select(HealthDose.medication_id, func.max(HealthDose.scheduled_at)).group_by(
                HealthDose.medication_id
            )
        ).all()
    )
    personas = adherence_of(ctx)
    days = [(day, str(day)) for day in _days(start, end)]
    due: dict[tuple[int, str], list[tuple[datetime, int]]] = defaultdict(list)
    times: dict[tuple[str, ...], list[time]] = {}  # each schedule's times, parsed once
    for med in meds:
        after = last.get(med.id)
        if isinstance(after, str):  # SQLite's max() of a decorated column comes back raw
            after = datetime.fromisoformat(after)
        if after is not None and after.tzinfo is None:
            after = after.replace(tzinfo=UTC)
        schedule = tuple(med.time_list)
        if schedule not in times:
            times[schedule] = [medication.dose_time(t) for t in schedule]
        for day, day_text in days:
            if day < med.start_on:
                continue  # as medication.slots_on: none before it starts
            for at in times[schedule]:
                slot = datetime.combine(day, at, tzinfo=UTC)
                if start <= slot < end and (after is None or slot > after):
                    due[(med.patient_id, day_text)].append((slot, med.id))
    rows = []
    adherence_of_patient: dict[int, float] = {}
    for (patient_id, day_text), slots in due.items():
        adherence = adherence_of_patient.get(patient_id)
        if adherence is None:
            adherence = personas.get(patient_id)
            if adherence is None:
                adherence = 0.6 + 0.35 * ctx.draw("adherence", patient_id)
            adherence_of_patient[patient_id] = adherence
        slipped = -1
        if ctx.draw("slip", patient_id, day_text) > adherence:
            slipped = int(ctx.draw("which", patient_id, day_text) * len(slots))
        for n, (slot, med_id) in enumerate(sorted(slots, key=lambda s: s[0])):
            status = "taken"
            if n == slipped:
                if ctx.draw("unmarked", med_id, slot) < 0.5:
                    continue  # never marked: the missed-dose reminder will notice
                status = "skipped"
            elif ctx.draw("late", med_id, slot) < 0.12:
                status = "late"
            delay = {"taken": 10, "late": 95, "skipped": 30}[status]
            rows.append(
                {
                    "medication_id": med_id,
                    "patient_id": patient_id,
                    "scheduled_at": slot,
                    "status": status,
                    "recorded_at": slot + timedelta(minutes=delay),
                }
            )
    return insert_batches(HealthDose, rows)


def _latest(kind: str) -> dict[int, HealthObservation]:
    """Each patient's latest reading of ``kind`` (one query)."""
    newest = (
        select(HealthObservation.patient_id, func.max(HealthObservation.observed_at).label("at"))
        .where(HealthObservation.kind == kind)
        .group_by(HealthObservation.patient_id)
        .subquery()
    )
    rows = db.session.execute(
        select(HealthObservation)
        .join(
            newest,
            (newest.c.patient_id == HealthObservation.patient_id)
            & (newest.c.at == HealthObservation.observed_at),
        )
        .where(HealthObservation.kind == kind)
    ).scalars()
    return {row.patient_id: row for row in rows}


def _targets(measure: str) -> dict[int, float]:
    rows = db.session.execute(
        select(HealthGoal.patient_id, HealthGoal.target).where(
            HealthGoal.measure == measure, HealthGoal.status == GoalStatus.ACTIVE
        )
    ).all()
    return {patient_id: float(target) for patient_id, target in rows}


def _vitals(ctx: SimulationContext, start: datetime, end: datetime) -> int:
    rows: list[dict[str, Any]] = []
    systolic_goal = _targets("systolic")
    weight_goal = _targets("weight")
    personas = set(ctx.users.values())
    # each day of the period once: its text (what a draw is about) and its reading time
    days = [
        (day, text, at)
        for day, text, at in _reading_days(start, end, READING_AT)
        if start <= at < end
    ]
    for patient_id, last in _latest("bp").items():
        target = systolic_goal.get(patient_id, last.value)
        # the personas measure every morning; others on about one day in three
        habit = 1.0 if patient_id in personas else SYNTHETIC_READING_DAYS
        since, last_day = last.observed_at, last.observed_at.date()
        for day, day_text, at in days:
            if at <= since:
                continue
            if ctx.draw("measures", patient_id, day_text) >= habit:
                continue
            k = (day - last_day).days
            pull = 1 - (1 - DAILY_PULL) ** k
            noise = (ctx.draw("bp", patient_id, day_text) - 0.5) * 6
            systolic = last.value + (target - last.value) * pull
            diastolic = (last.value2 or 80) + (target - last.value) * pull * 0.6
            rows.append(
                {
                    "patient_id": patient_id,
                    "kind": "bp",
                    "code": "8480-6",
                    "value": round(systolic + noise),
                    "unit": "mm[Hg]",
                    "code2": "8462-4",
                    "value2": round(diastolic + noise / 2),
                    "observed_at": at,
                    "source": "device",
                    "external_id": f"seed:bp:{day_text}",
                }
            )
            rows.append(
                {
                    "patient_id": patient_id,
                    "kind": "heart_rate",
                    "code": "8867-4",
                    "value": round(72 + noise),
                    "unit": "/min",
                    "code2": None,
                    "value2": None,
                    "observed_at": at,
                    "source": "device",
                    "external_id": f"seed:hr:{day_text}",
                }
            )
    for patient_id, last in _latest("weight").items():
        target = weight_goal.get(patient_id, last.value - 1.5)
        since, last_day = last.observed_at, last.observed_at.date()
        for day, day_text, at in days:
            k = (day - last_day).days
            if at <= since or k % 3:
                continue
            pull = 1 - (1 - DAILY_PULL / 2) ** k
            noise = (ctx.draw("weight", patient_id, day_text) - 0.5) * 0.6
            rows.append(
                {
                    "patient_id": patient_id,
                    "kind": "weight",
                    "code": "29463-7",
                    "value": round(last.value + (target - last.value) * pull + noise, 1),
                    "unit": "kg",
                    "code2": None,
                    "value2": None,
                    "observed_at": at,
                    "source": "device",
                    "external_id": f"seed:weight:{day_text}",
                }
            )
    return insert_batches(HealthObservation, rows)


def _exercise(ctx: SimulationContext, start: datetime, end: datetime) -> int:
    newest = (
        select(HealthExercise.patient_id, func.max(HealthExercise.id).label("id"))
        .group_by(HealthExercise.patient_id)
        .subquery()
    )
    latest = db.session.execute(
        select(HealthExercise).join(newest, newest.c.id == HealthExercise.id)
    ).scalars()
    rows = []
    days = [
        (day, text) for day, text, at in _reading_days(start, end, time(18)) if start <= at < end
    ]
    for last in latest:
        patient_id, since = last.patient_id, last.performed_on
        for day, day_text in days:
            if day <= since:
                continue
            # about every other day, a little more or less than last time
            if ctx.draw("exercise", patient_id, day_text) < 0.45:
                continue
            minutes = last.minutes + int(ctx.draw("minutes", patient_id, day_text) * 11) - 5
            rows.append(
                {
                    "patient_id": patient_id,
                    "performed_on": day,
                    "activity": last.activity,
                    "minutes": max(10, minutes),
                    "intensity": last.intensity,
                }
            )
    # the table's own INSERT in batches: the ORM's bulk path costs a lot more per row
    return insert_batches(HealthExercise, rows)


# When each meal is eaten, and what goes into it (codes of the bundled food table, grams).
MEAL_TIMES = {"breakfast": time(8), "lunch": time(13), "dinner": time(19, 30)}
MENUS: dict[str, tuple[tuple[tuple[str, int], ...], ...]] = {
    "breakfast": (
        (("oats", 60), ("milk", 200), ("berries", 80)),
        (("wholegrain_bread", 70), ("egg", 100)),
        (("greek_yogurt", 150), ("banana", 120), ("almonds", 20)),
    ),
    "lunch": (
        (("chicken_breast", 140), ("brown_rice", 180), ("broccoli", 100)),
        (("lentils", 200), ("mixed_salad", 120), ("olive_oil", 10)),
        (("pasta", 200), ("tomato", 120), ("cheese", 30)),
    ),
    "dinner": (
        (("salmon", 140), ("potato", 200), ("spinach", 80)),
        (("tofu", 150), ("white_rice", 180), ("broccoli", 100)),
        (("pizza", 250), ("mixed_salad", 100)),
    ),
}
# The share of meals a persona logs (the food diary is kept, not perfectly).
MEALS_LOGGED = 0.75


def _meals(ctx: SimulationContext, start: datetime, end: datetime) -> int:
    """The personas, and every patient who logged a meal before, log their meals: carrying
    on after the latest meal logged, three a day, three in four of them (over the seeded
    past too, so the diary has months behind it on first look)."""
    newest = (
        select(HealthMeal.patient_id, func.max(HealthMeal.eaten_on).label("day"))
        .group_by(HealthMeal.patient_id)
        .subquery()
    )
    last: dict[int, datetime] = {}
    for patient_id, day, kind in db.session.execute(
        select(HealthMeal.patient_id, HealthMeal.eaten_on, HealthMeal.kind).join(
            newest,
            (newest.c.patient_id == HealthMeal.patient_id) & (newest.c.day == HealthMeal.eaten_on),
        )
    ):
        at = datetime.combine(day, MEAL_TIMES.get(kind, time(21)), tzinfo=UTC)
        last[patient_id] = max(last.get(patient_id, at), at)
    personas = {
        ctx.users[spec["persona"]]
        for spec in ctx.data.get("patients", [])
        if spec.get("persona") in ctx.users
    }
    table = foods()
    meals, items = [], []
    for patient_id in sorted(personas | set(last)):
        after = last.get(patient_id)
        for day in _days(start, end):
            for kind, when in MEAL_TIMES.items():
                at = datetime.combine(day, when, tzinfo=UTC)
                if not start <= at < end or (after is not None and at <= after):
                    continue
                if ctx.draw("meal", patient_id, day, kind) >= MEALS_LOGGED:
                    continue
                menu = MENUS[kind][int(ctx.draw("menu", patient_id, day, kind) * len(MENUS[kind]))]
                meals.append({"patient_id": patient_id, "eaten_on": day, "kind": kind})
                items.append(((patient_id, day, kind), menu))
    if not meals:
        return 0
    before = db.session.execute(select(func.coalesce(func.max(HealthMeal.id), 0))).scalar_one()
    db.session.execute(insert(HealthMeal), meals)
    ids = {
        (patient_id, day, kind): meal_id
        for meal_id, patient_id, day, kind in db.session.execute(
            select(
                HealthMeal.id, HealthMeal.patient_id, HealthMeal.eaten_on, HealthMeal.kind
            ).where(HealthMeal.id > before)
        )
    }
    rows = []
    for key, menu in items:
        for code, grams in menu:
            food = table[code]
            factor = grams / 100
            rows.append(
                {
                    "meal_id": ids[key],
                    "food_code": code,
                    "grams": grams,
                    "kcal": round(food.kcal * factor, 1),
                    "protein_g": round(food.protein_g * factor, 1),
                    "carbs_g": round(food.carbs_g * factor, 1),
                    "fat_g": round(food.fat_g * factor, 1),
                    "sodium_mg": round(food.sodium_mg * factor, 1),
                }
            )
    return len(meals) + insert_batches(HealthMealItem, rows)
