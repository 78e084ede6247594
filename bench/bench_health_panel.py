"""Benchmark: the health clinician's panel for 50, 200 and 1,000 patients with two months of care.

Builds a throwaway SQLite database (bulk inserts): one clinician and N patients, each with
daily blood pressure and heart rate, weight every three days, glucose for some, an occasional
crisis or out-of-range reading, goals (some drifting the wrong way), medicines with doses
taken, late, skipped or never marked, and exercise. For each N it times
  1. ``services.panel``: the set-based panel (a fixed number of queries),
  2. ``panel_per_patient``: the panel as it was, six or more queries per patient (kept here
     verbatim, for comparison),
and prints each one's time and query count, and whether both gave the same rows. A script,
not a test:

    .venv/bin/python bench/bench_health_panel.py [--sizes 50,200,1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select, text

CLINICIAN_ID = 1
HISTORY_DAYS = 60
NO_SIGN_IN = "!"  # not a password hash: nobody signs in to the bench's accounts


def panel_per_patient(clinician_id: int) -> list[Any]:
    """The panel as it was before it became set-based: the helpers called patient by patient."""
    from dcx.health.care_team import patients_of
    from dcx.health.goals import goal_view, goals_of
    from dcx.health.medication import PDC_MARK, adherence, missed_doses
    from dcx.health.panel import PanelFlag, PanelRow
    from dcx.health.vitals import (
        is_crisis,
        latest_by_kind,
        out_of_range,
        recent_observations,
    )

    rows = []
    for patient in patients_of(clinician_id):
        flags, need = [], 0
        for obs in recent_observations(patient.id, days=7):
            reason = out_of_range(obs.kind, obs.value, obs.value2)
            if reason:
                crisis = is_crisis(obs)
                flags.append(PanelFlag(reason, obs.observed_at, crisis))
                need += 100 if crisis else 20
        missed = missed_doses(patient.id)
        need += 5 * missed
        wrong = [
            view.measure.label
            for view in map(goal_view, goals_of(patient.id, ("proposed", "active")))
            if view.wrong_way
        ]
        need += 15 * len(wrong)
        pdc = adherence(patient.id)
        if pdc is not None and pdc < PDC_MARK:
            need += 10
        bp = latest_by_kind(patient.id).get("bp")
        last_bp = f"{int(bp.value)}/{int(bp.value2 or 0)}" if bp else ""
        rows.append(PanelRow(patient, flags, missed, pdc, wrong, last_bp, need))
    return sorted(rows, key=lambda r: (-r.need, r.patient.name))


def comparable(rows: list[Any]) -> list[tuple]:
    """A panel's rows as plain values (lazy strings rendered), to compare two panels."""
    return [
        (
            r.patient.id,
            [(str(f.reason), f.observed_at, f.crisis) for f in r.flags],
            r.missed,
            r.adherence,
            [str(w) for w in r.wrong_way],
            r.last_bp,
            r.need,
        )
        for r in rows
    ]


def _reading(patient_id: int, kind: str, value: float, at: datetime, value2=None) -> dict:

    from dcx.health.vitals import VITALS

    spec = VITALS[kind]
    return {
        "patient_id": patient_id,
        "kind": kind,
        "code": spec.code,
        "value": float(value),
        "unit": spec.unit,
        "code2": spec.code2,
        "value2": None if value2 is None else float(value2),
        "observed_at": at,
        "source": "device",
    }


def build(first: int, last: int, now: datetime, next_medication_id: int) -> int:
    """Add patients ``first``..``last`` (user ids) with two months of history; next med id."""
    from dcx.extensions import db
    from dcx.health import food_and_exercise
    from dcx.health.models import (
        HealthCareTeamMember,
        HealthDose,
        HealthExercise,
        HealthGoal,
        HealthMedication,
        HealthObservation,
    )
    from dcx.platform.accounts.models import User

    rng = random.Random(first)
    today = now.date()
    start = today - timedelta(days=HISTORY_DAYS)
    users, team, goals, meds, readings, doses, exercise = [], [], [], [], [], [], []
    for pid in range(first, last + 1):
        users.append(
            {
                "id": pid,
                "email": f"patient{pid}@bench.example",
                "name": f"Patient {pid:05d}",
                "password_hash": NO_SIGN_IN,
                "role": "customer",
                "created_at": now,
            }
        )
        team.append({"patient_id": pid, "clinician_id": CLINICIAN_ID, "added_at": now})
        condition = rng.choices(("bp", "glucose", "fitness"), weights=(6, 2, 2))[0]
        systolic = rng.uniform(135, 165) if condition == "bp" else rng.uniform(112, 130)
        drift = rng.uniform(-0.4, 0.15)  # a day: most improve, some drift up (the wrong way)
        reading_time = dtime(rng.randint(6, 9), rng.choice((0, 15, 30, 45)))
        for i in range(HISTORY_DAYS):
            day = start + timedelta(days=i)
            at = datetime.combine(day, reading_time, tzinfo=UTC)
            s = systolic + drift * i + rng.uniform(-4, 4)
            readings.append(_reading(pid, "bp", round(s), at, round(s * 0.62)))
            readings.append(_reading(pid, "heart_rate", rng.randint(58, 96), at))
            if i % 3 == 0:
                readings.append(_reading(pid, "weight", round(80 - i * 0.02, 1), at))
            if condition == "glucose":
                readings.append(_reading(pid, "glucose", rng.randint(95, 200), at))
        if rng.random() < 0.05:  # a crisis reading this week
            at = now - timedelta(days=rng.randint(1, 6), hours=2)
            readings.append(_reading(pid, "bp", 186, at, 112))
        if rng.random() < 0.1:  # a fast pulse this week
            readings.append(_reading(pid, "heart_rate", 118, now - timedelta(hours=30)))
        created = datetime.combine(start, dtime(10), tzinfo=UTC)
        due = today + timedelta(days=90)
        goals.append(
            {
                "patient_id": pid,
                "measure": "exercise_minutes",
                "baseline": 60.0,
                "target": 150.0,
                "due_on": due,
                "status": "active",
                "created_at": created,
            }
        )
        if condition == "bp":
            for measure, baseline, target in (
                ("systolic", systolic, 130.0),
                ("diastolic", systolic * 0.62, 80.0),
            ):
                goals.append(
                    {
                        "patient_id": pid,
                        "measure": measure,
                        "baseline": round(baseline),
                        "target": target,
                        "due_on": due,
                        "status": rng.choice(("active", "active", "proposed", "achieved")),
                        "created_at": created,
                    }
                )
        if condition == "glucose":
            goals.append(
                {
                    "patient_id": pid,
                    "measure": "glucose",
                    "baseline": 170.0,
                    "target": 120.0,
                    "due_on": due,
                    "status": "active",
                    "created_at": created,
                }
            )
        if condition != "fitness":
            times = rng.choice(("08:00", "08:00,20:00"))
            med_id = next_medication_id
            next_medication_id += 1
            meds.append(
                {
                    "id": med_id,
                    "patient_id": pid,
                    "prescribed_by": CLINICIAN_ID,
                    "name": "Lisinopril" if condition == "bp" else "Metformin",
                    "dose": "1 tablet",
                    "times": times,
                    "start_on": start,
                    "active": True,
                }
            )
            taking = rng.uniform(0.55, 1.0)  # how reliably this patient takes it
            for i in range(HISTORY_DAYS + 1):
                day = start + timedelta(days=i)
                for t in times.split(","):
                    slot = datetime.combine(day, dtime.fromisoformat(t), tzinfo=UTC)
                    if slot > now:
                        continue
                    roll = rng.random()
                    if roll > taking:
                        if roll > (1 + taking) / 2:
                            continue  # never marked
                        status = "skipped"
                    else:
                        status = "late" if roll > taking * 0.9 else "taken"
                    doses.append(
                        {
                            "medication_id": med_id,
                            "patient_id": pid,
                            "scheduled_at": slot,
                            "status": status,
                            "recorded_at": slot + timedelta(minutes=20),
                        }
                    )
        for i in range(0, HISTORY_DAYS, rng.randint(2, 3)):
            exercise.append(
                {
                    "patient_id": pid,
                    "performed_on": start + timedelta(days=i),
                    "activity": "Brisk walk",
                    "minutes": rng.choice((20, 30, 45)),
                    "intensity": rng.choice(food_and_exercise.INTENSITIES),
                }
            )
    for model, rows in (
        (User, users),
        (HealthCareTeamMember, team),
        (HealthGoal, goals),
        (HealthMedication, meds),
        (HealthObservation, readings),
        (HealthDose, doses),
        (HealthExercise, exercise),
    ):
        if rows:
            db.session.execute(insert(model), rows)
    db.session.commit()
    return next_medication_id


def measure(fn: Callable[[int], list[Any]], repeat: int) -> tuple[float, int, list[Any]]:
    """The best time of ``repeat`` runs of ``fn(CLINICIAN_ID)``, its query count and rows."""
    from dcx.extensions import db

    statements: list[str] = []

    def _count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    best, rows, queries = float("inf"), [], 0
    for _ in range(repeat):
        db.session.expunge_all()  # each run loads its rows afresh, as a request would
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", _count)
        try:
            started = time.perf_counter()
            rows = fn(CLINICIAN_ID)
            best = min(best, time.perf_counter() - started)
        finally:
            event.remove(db.engine, "before_cursor_execute", _count)
        queries = len(statements)
    return best, queries, rows


def main() -> None:
    """Build the panels size by size, time both ways of computing them, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200,1000", help="patients on the panel")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is shown")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.sizes.split(","))

    from dcx import create_app
    from dcx.extensions import db
    from dcx.health import panel
    from dcx.health.models import HealthObservation
    from dcx.platform import clock
    from dcx.platform.accounts.models import User

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": str(Path(tmp) / "instance"),
                "DCX_VERTICALS": ("dcx.health",),
            }
        )
        with app.test_request_context():
            db.create_all()
            now = clock.now()  # also reads the demo clock's offset once, before any timing
            db.session.add(
                User(
                    id=CLINICIAN_ID,
                    email="clinician@bench.example",
                    name="Dr. Bench",
                    password_hash=NO_SIGN_IN,
                    role="staff",
                    department="health",
                )
            )
            db.session.commit()
            print(
                f"{'patients':>8} {'readings':>9} | {'set-based panel':>22} | "
                f"{'per-patient panel':>22} | same rows"
            )
            built, next_medication_id = 0, 1
            for size in sizes:
                next_medication_id = build(
                    CLINICIAN_ID + built + 1, CLINICIAN_ID + size, now, next_medication_id
                )
                built = size
                db.session.execute(text("ANALYZE"))
                readings = db.session.execute(
                    select(func.count()).select_from(HealthObservation)
                ).scalar()
                new_s, new_q, new_rows = measure(panel.panel, args.repeat)
                old_s, old_q, old_rows = measure(panel_per_patient, args.repeat)
                same = comparable(new_rows) == comparable(old_rows)
                print(
                    f"{size:>8,} {readings:>9,} | {new_s * 1000:>8.0f} ms {new_q:>6,} queries | "
                    f"{old_s * 1000:>8.0f} ms {old_q:>6,} queries | "
                    f"{'yes' if same else 'NO'}"
                )


if __name__ == "__main__":
    main()
