"""Synthetic customers' care histories for ``flask dcx seed --scale N``: set-based inserts,
deterministic for a seed."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from dcx.database import ids_in
from dcx.extensions import db
from dcx.health import goals as health_goals
from dcx.health import medication, rules
from dcx.health.learning import MODULES
from dcx.health.models import (
    HealthCareTeamMember,
    HealthDose,
    HealthExercise,
    HealthGoal,
    HealthMedication,
    HealthModuleProgress,
    HealthObservation,
    HealthPatientProfile,
    HealthVisit,
)
from dcx.health.seed import _ACTIVITIES, _BP_MEDICINES, _GLUCOSE_MEDICINES
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.timeline.services import record_bulk
from dcx.verticals import SeedContext


def scale(ctx: SeedContext, customers: list) -> None:
    """Give synthetic customers a care history like the personas', varied by ``ctx.random``.

    Each customer gets a profile, a clinician on the care team, a visit, goals, readings,
    usually a medicine with its doses, exercise and learning modules. Their (private)
    timeline shows the visit, the goals agreed, the medicine prescribed and the modules
    completed, as the app records them. Customers who already have a visit are skipped, so
    running it twice adds nothing. Rows are built in Python and added in bulk: a few queries
    per batch, none per customer.
    """
    clinicians = sorted(
        (
            u
            for u in ctx.users.values()
            if getattr(u, "role", None) == "staff" and getattr(u, "department", None) == "health"
        ),
        key=lambda u: u.id,
    )
    ids = [c.id for c in customers]
    if not clinicians or not ids:
        return
    seen = ids_in(HealthVisit.patient_id, ids)
    patients = [c for c in customers if c.id not in seen]
    if not patients:
        return
    profiles = ids_in(HealthPatientProfile.user_id, ids)
    teams = {
        (row.patient_id, row.clinician_id)
        for row in db.session.execute(
            select(HealthCareTeamMember.patient_id, HealthCareTeamMember.clinician_id).where(
                HealthCareTeamMember.patient_id.in_(ids)
            )
        )
    }
    rnd = ctx.random
    today = clock.today()
    plans = []
    for patient in patients:
        clinician = rnd.choice(clinicians)
        days = rnd.randint(10, 30)
        plan = {
            "patient": patient,
            "clinician": clinician,
            "days": days,
            "first_day": today - timedelta(days=days),
            "condition": rnd.choices(("bp", "glucose", "fitness"), weights=(6, 2, 2))[0],
        }
        plans.append(plan)
        if patient.id not in profiles:
            db.session.add(
                HealthPatientProfile(
                    user_id=patient.id,
                    height_cm=float(rnd.randint(150, 195)),
                    calorie_plan=rnd.choice((1800, 2000, 2200, 2500)),
                    weekly_minutes_goal=150,
                    display_name=f"Member{patient.id}",
                )
            )
        if (patient.id, clinician.id) not in teams:
            db.session.add(HealthCareTeamMember(patient_id=patient.id, clinician_id=clinician.id))
        plan["visit"] = HealthVisit(
            patient_id=patient.id,
            clinician_id=clinician.id,
            occurred_at=datetime.combine(plan["first_day"], time(rnd.randint(9, 16)), tzinfo=UTC),
            notes=str(_VISIT_NOTES[plan["condition"]]),
            next_visit_on=today + timedelta(days=rnd.choice((30, 42, 60, 90, 120))),
        )
    db.session.add_all(p["visit"] for p in plans)
    db.session.flush()  # visit ids, for goals and prescriptions

    meds: list[HealthMedication] = []
    goals: list[dict[str, Any]] = []
    modules: list[dict[str, Any]] = []
    observations: list[dict[str, Any]] = []
    exercises: list[dict[str, Any]] = []
    for plan in plans:
        _scale_plan(rnd, today, plan, goals, meds, modules, observations, exercises)
    db.session.add_all(meds)
    db.session.flush()  # medication ids, for doses
    doses = []
    for med in meds:
        for i in range((today - med.start_on).days):
            for slot in medication.slots_on(med, med.start_on + timedelta(days=i)):
                roll = rnd.random()
                if roll > 0.9:
                    continue  # about one dose in ten is never marked
                late = roll > 0.8
                doses.append(
                    {
                        "medication_id": med.id,
                        "patient_id": med.patient_id,
                        "scheduled_at": slot,
                        "status": "late" if late else "taken",
                        "recorded_at": slot + timedelta(minutes=90 if late else rnd.randint(0, 20)),
                    }
                )
    goal_ids = {}
    if goals:
        # by (patient, measure), a synthetic patient's natural key of a goal: RETURNING in the
        # rows' order would make SQLAlchemy send one INSERT per row on SQLite
        stmt = insert(HealthGoal).returning(
            HealthGoal.id, HealthGoal.patient_id, HealthGoal.measure
        )
        goal_ids = {(p, m): i for i, p, m in db.session.execute(stmt, goals)}
    for model, rows in (
        (HealthModuleProgress, modules),
        (HealthObservation, observations),
        (HealthExercise, exercises),
        (HealthDose, doses),
    ):
        if rows:
            db.session.execute(insert(model), rows)
    db.session.flush()
    visits = {p["visit"].id: p["visit"] for p in plans}
    now = clock.now()
    events = [_visit_event(visit) for visit in visits.values()]
    events += [_goal_event(g, goal_ids[(g["patient_id"], g["measure"])]) for g in goals]
    events += [_medication_event(med, visits[med.visit_id].occurred_at) for med in meds]
    events += [_module_event(m, min(now, m["completed_at"])) for m in modules if m["completed_at"]]
    record_bulk(events)


# The timeline entries of a synthetic patient's care: the texts, links and keys the services
# record for the same events (record_visit, set_goal, prescribe, submit_quiz). The registry
# makes them private, as every health event is.


def _visit_event(visit: HealthVisit) -> dict[str, Any]:
    return {
        "user_id": visit.patient_id,
        "vertical": rules.KEY,
        "kind": "visit",
        "subject": _l("Visit with your care team"),
        "summary": visit.notes[:200],
        "data": {"visit_id": visit.id},
        "link": link("health.index"),
        "key": f"health.visit:{visit.id}",
        "occurred_at": visit.occurred_at,
    }


def _goal_event(goal: dict[str, Any], goal_id: int) -> dict[str, Any]:
    measure = health_goals.MEASURES[goal["measure"]]
    return {
        "user_id": goal["patient_id"],
        "vertical": rules.KEY,
        "kind": "goal_set",
        "subject": _l(
            "New goal: %(m)s to %(t)s", m=measure.label, t=health_goals.lazy_value(goal["target"])
        ),
        "data": {"goal_id": goal_id},
        "link": link("health.goals"),
        "key": f"health.goal_set:{goal_id}",
        "occurred_at": goal["created_at"],
    }


def _medication_event(med: HealthMedication, prescribed_at: datetime) -> dict[str, Any]:
    return {
        "user_id": med.patient_id,
        "vertical": rules.KEY,
        "kind": "medication_prescribed",
        "subject": _l("Medication: %(n)s", n=med.name),
        "summary": _l("At %(t)s", t=", ".join(med.time_list)),
        "data": {"medication_id": med.id},
        "link": link("health.medications"),
        "key": f"health.medication:{med.id}",
        "occurred_at": prescribed_at,
    }


def _module_event(progress: dict[str, Any], completed_at: datetime) -> dict[str, Any]:
    slug = progress["module"]
    module = MODULES[slug]
    return {
        "user_id": progress["patient_id"],
        "vertical": rules.KEY,
        "kind": "module_completed",
        "subject": _l("Completed: %(t)s", t=module.title),
        "summary": _l("%(s)s of %(n)s right", s=progress["score"], n=len(module.quiz)),
        "data": {"module": slug},
        "link": link("health.module", slug=slug),
        "key": f"health.module:{slug}",
        "occurred_at": completed_at,
    }


_VISIT_NOTES = {
    "bp": _l(
        "First visit. Agreed to lower blood pressure with medication, less salt and daily walks."
    ),
    "glucose": _l("Glucose above target. Started metformin; agreed on meal swaps and walks."),
    "fitness": _l("Check-up. Numbers fine; agreed to move more and keep an eye on weight."),
}


def _scale_plan(rnd, today, plan, goals, meds, modules, observations, exercises) -> None:
    """Build one synthetic patient's goals, medicines, modules, readings and exercise rows."""
    patient_id, visit = plan["patient"].id, plan["visit"]
    condition, days, first_day = plan["condition"], plan["days"], plan["first_day"]
    created = visit.occurred_at
    minutes_now = rnd.choice((40, 60, 90, 120))
    goals.append(
        {
            "patient_id": patient_id,
            "visit_id": visit.id,
            "measure": "exercise_minutes",
            "baseline": float(minutes_now),
            "target": 150.0,
            "due_on": today + timedelta(days=rnd.choice((45, 60, 90))),
            "status": "active",
            "created_at": created,
        }
    )
    if condition == "bp":
        systolic = rnd.randint(138, 165)
        diastolic = rnd.randint(85, 100)
        drop = rnd.uniform(-2, 15)  # most improve, a few drift the wrong way
        goals.append(
            {
                "patient_id": patient_id,
                "visit_id": visit.id,
                "measure": "systolic",
                "baseline": float(systolic),
                "target": 130.0,
                "due_on": today + timedelta(days=90),
                "status": "active",
                "created_at": created,
            }
        )
        medicine = rnd.choice(_BP_MEDICINES)
        slugs = ["blood-pressure-basics", "salt-and-your-plate", "medicines-on-time"]
    elif condition == "glucose":
        systolic, diastolic, drop = rnd.randint(118, 135), rnd.randint(75, 85), rnd.uniform(0, 4)
        glucose = rnd.randint(150, 200)
        goals.append(
            {
                "patient_id": patient_id,
                "visit_id": visit.id,
                "measure": "glucose",
                "baseline": float(glucose),
                "target": 120.0,
                "due_on": today + timedelta(days=90),
                "status": "active",
                "created_at": created,
            }
        )
        medicine = rnd.choice(_GLUCOSE_MEDICINES)
        slugs = ["glucose-steady", "medicines-on-time"]
    else:
        systolic, diastolic, drop = rnd.randint(112, 128), rnd.randint(70, 82), rnd.uniform(0, 5)
        medicine = None
        slugs = ["move-more"]
    if medicine is not None:
        name, dose, times = medicine
        meds.append(
            HealthMedication(
                patient_id=patient_id,
                prescribed_by=plan["clinician"].id,
                visit_id=visit.id,
                name=name,
                dose=str(dose),
                times=times,
                start_on=first_day,
                review_on=today + timedelta(days=rnd.choice((30, 60, 90))),
                active=True,
            )
        )
    for slug in rnd.sample(slugs, rnd.randint(1, len(slugs))):
        pages = len(MODULES[slug].pages)
        seen = rnd.randint(0, pages)
        done = seen == pages and rnd.random() < 0.7
        modules.append(
            {
                "patient_id": patient_id,
                "module": slug,
                "assigned_by": plan["clinician"].id,
                "pages_seen": seen,
                "score": len(MODULES[slug].quiz) if done else None,
                "completed_at": created + timedelta(days=rnd.randint(1, days)) if done else None,
                "created_at": created,
            }
        )

    weight = rnd.uniform(58, 105)
    weight_loss = rnd.uniform(-0.5, 2.5)
    heart_rate = rnd.randint(60, 82)
    reading_time = time(rnd.randint(6, 9), rnd.choice((0, 15, 30, 45)))
    for i in range(days):
        day = first_day + timedelta(days=i)
        share = i / max(1, days - 1)
        at = datetime.combine(day, reading_time, tzinfo=UTC)
        if rnd.random() < 0.15:
            continue  # a day without readings
        noise = rnd.uniform(-4, 4)
        observations.append(
            _reading(
                patient_id,
                "bp",
                "8480-6",
                round(systolic - drop * share + noise),
                "mm[Hg]",
                at,
                f"seed:bp:{day}",
                code2="8462-4",
                value2=round(diastolic - drop / 2 * share + noise / 2),
            )
        )
        observations.append(
            _reading(
                patient_id,
                "heart_rate",
                "8867-4",
                round(heart_rate + noise),
                "/min",
                at,
                f"seed:hr:{day}",
            )
        )
        if condition == "glucose":
            value = round(glucose - (glucose - 125) * 0.6 * share + rnd.uniform(-15, 15))
            observations.append(
                _reading(patient_id, "glucose", "2339-0", value, "mg/dL", at, f"seed:glucose:{day}")
            )
        if i % 3 == 0:
            observations.append(
                _reading(
                    patient_id,
                    "weight",
                    "29463-7",
                    round(weight - weight_loss * share, 1),
                    "kg",
                    at,
                    f"seed:weight:{day}",
                )
            )
    activity, intensity = rnd.choice(_ACTIVITIES)
    every = rnd.randint(1, 3)
    for i in range(0, days + 1, every):
        if rnd.random() < 0.2:
            continue
        exercises.append(
            {
                "patient_id": patient_id,
                "performed_on": first_day + timedelta(days=i),
                "activity": str(activity),
                "minutes": rnd.choice((20, 25, 30, 40, 45, 60)),
                "intensity": intensity,
            }
        )


def _reading(patient_id, kind, code, value, unit, at, external_id, code2=None, value2=None):
    return {
        "patient_id": patient_id,
        "kind": kind,
        "code": code,
        "value": float(value),
        "unit": unit,
        "code2": code2,
        "value2": None if value2 is None else float(value2),
        "observed_at": at,
        "source": "manual",
        "external_id": external_id,
    }
