"""Turn seeds/<showcase>/health.yaml into rows: groups, care teams, history and posts.

Idempotent: groups by slug, profiles and care teams by person, goals by measure, medicines
by name, readings by a natural external id, doses by (medicine, time), posts by body.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.extensions import db
from dcx.health import care_team, community, learning_progress, medication
from dcx.health.models import (
    HealthDose,
    HealthExercise,
    HealthGoal,
    HealthMedication,
    HealthObservation,
    HealthVisit,
)
from dcx.platform import clock
from dcx.platform.community.models import CommunityPost
from dcx.verticals import SeedContext


def seed(ctx: SeedContext) -> None:
    """Seed the health story from the showcase file."""
    groups = {g.slug: g for g in community.ensure_groups(ctx.data.get("groups", []))}
    for spec in ctx.data.get("patients", []):
        _seed_patient(ctx, spec)
    for spec in ctx.data.get("posts", []):
        author = ctx.user(spec["author"])
        group = groups.get(spec["group"])
        if group is None:
            continue
        exists = db.session.execute(
            select(CommunityPost.id).where(
                CommunityPost.space_id == group.id,
                CommunityPost.user_id == author.id,
                CommunityPost.body == spec["body"],
            )
        ).first()
        if not exists:
            db.session.add(
                CommunityPost(
                    space_id=group.id,
                    user_id=author.id,
                    body=spec["body"],
                    milestone=bool(spec.get("milestone")),
                    created_at=clock.now() - timedelta(days=ctx.random.randint(1, 5)),
                )
            )
    db.session.flush()


def _lerp(start: float, end: float, share: float) -> float:
    return start + (end - start) * share


def _seed_patient(ctx: SeedContext, spec) -> None:
    patient = ctx.user(spec["persona"])
    profile = care_team.profile_for(patient.id)
    if spec.get("height_cm") and not profile.height_cm:
        profile.height_cm = float(spec["height_cm"])
    if spec.get("display_name") and not profile.display_name:
        profile.display_name = spec["display_name"]
    if not spec.get("clinician"):
        return
    clinician = ctx.user(spec["clinician"])
    care_team.add_to_care_team(patient.id, clinician.id)
    today = clock.today()
    days = int(spec.get("history_days", 14))
    first_day = today - timedelta(days=days)

    visit = db.session.execute(
        select(HealthVisit).where(
            HealthVisit.patient_id == patient.id, HealthVisit.clinician_id == clinician.id
        )
    ).scalar_one_or_none()
    if visit is None:
        visit = HealthVisit(
            patient_id=patient.id,
            clinician_id=clinician.id,
            occurred_at=datetime.combine(first_day, time(10), tzinfo=UTC),
            notes=spec.get("visit_notes", ""),
            next_visit_on=today + timedelta(days=int(spec.get("next_visit_in_days", 30))),
        )
        db.session.add(visit)
        db.session.flush()

    for g in spec.get("goals", []):
        exists = db.session.execute(
            select(HealthGoal.id).where(
                HealthGoal.patient_id == patient.id, HealthGoal.measure == g["measure"]
            )
        ).first()
        if not exists:
            db.session.add(
                HealthGoal(
                    patient_id=patient.id,
                    visit_id=visit.id,
                    measure=g["measure"],
                    baseline=float(g["baseline"]),
                    target=float(g["target"]),
                    due_on=today + timedelta(days=int(g["due_in_days"])),
                    status=g.get("status", "active"),
                )
            )

    meds = []
    for m in spec.get("medications", []):
        med = db.session.execute(
            select(HealthMedication).where(
                HealthMedication.patient_id == patient.id, HealthMedication.name == m["name"]
            )
        ).scalar_one_or_none()
        if med is None:
            med = HealthMedication(
                patient_id=patient.id,
                prescribed_by=clinician.id,
                visit_id=visit.id,
                name=m["name"],
                dose=m.get("dose", ""),
                times=medication.parse_times(m["times"]),
                start_on=first_day,
                review_on=today + timedelta(days=int(m.get("review_in_days", 60))),
                active=True,
            )
            db.session.add(med)
            db.session.flush()
        meds.append(med)

    for slug in spec.get("modules", []):
        learning_progress.assign_module(patient.id, slug, clinician.id)

    _seed_history(ctx, spec, patient.id, first_day, days, meds)


def _seed_history(ctx: SeedContext, spec, patient_id: int, first_day, days: int, meds) -> None:
    known = set(
        db.session.execute(
            select(HealthObservation.external_id).where(
                HealthObservation.patient_id == patient_id,
                HealthObservation.external_id.like("seed:%"),
            )
        ).scalars()
    )
    bp_start, bp_end = spec.get("bp_start"), spec.get("bp_end")
    w_start, w_end = spec.get("weight_start"), spec.get("weight_end")
    for i in range(days):
        day = first_day + timedelta(days=i)
        share = i / max(1, days - 1)
        at = datetime.combine(day, time(7, 30), tzinfo=UTC)
        noise = ctx.random.uniform(-3, 3)
        if bp_start and bp_end and f"seed:bp:{day}" not in known:
            db.session.add(
                HealthObservation(
                    patient_id=patient_id,
                    kind="bp",
                    code="8480-6",
                    value=round(_lerp(bp_start[0], bp_end[0], share) + noise),
                    unit="mm[Hg]",
                    code2="8462-4",
                    value2=round(_lerp(bp_start[1], bp_end[1], share) + noise / 2),
                    observed_at=at,
                    external_id=f"seed:bp:{day}",
                )
            )
            db.session.add(
                HealthObservation(
                    patient_id=patient_id,
                    kind="heart_rate",
                    code="8867-4",
                    value=round(72 + noise),
                    unit="/min",
                    observed_at=at,
                    external_id=f"seed:hr:{day}",
                )
            )
        if w_start and w_end and i % 3 == 0 and f"seed:weight:{day}" not in known:
            db.session.add(
                HealthObservation(
                    patient_id=patient_id,
                    kind="weight",
                    code="29463-7",
                    value=round(_lerp(w_start, w_end, share), 1),
                    unit="kg",
                    observed_at=at,
                    external_id=f"seed:weight:{day}",
                )
            )
    for med in meds:
        recorded = set(
            db.session.execute(
                select(HealthDose.scheduled_at).where(HealthDose.medication_id == med.id)
            ).scalars()
        )
        for i in range(days):
            for slot in medication.slots_on(med, first_day + timedelta(days=i)):
                roll = ctx.random.random()
                if slot in recorded or roll > 0.9:
                    continue  # about one dose in ten is never marked
                db.session.add(
                    HealthDose(
                        medication_id=med.id,
                        patient_id=patient_id,
                        scheduled_at=slot,
                        status="late" if roll > 0.8 else "taken",
                        recorded_at=slot + timedelta(minutes=90 if roll > 0.8 else 10),
                    )
                )
    existing_ex = set(
        db.session.execute(
            select(HealthExercise.performed_on).where(HealthExercise.patient_id == patient_id)
        ).scalars()
    )
    for ex in spec.get("exercise", []):
        for i in range(0, days + 1, int(ex.get("every_days", 2))):
            day = first_day + timedelta(days=i)
            if day in existing_ex:
                continue
            db.session.add(
                HealthExercise(
                    patient_id=patient_id,
                    performed_on=day,
                    activity=ex["activity"],
                    minutes=int(ex["minutes"]),
                    intensity=ex["intensity"],
                )
            )
    db.session.flush()


_BP_MEDICINES = (
    ("Lisinopril", _l("10 mg tablet"), "08:00"),
    ("Amlodipine", _l("5 mg tablet"), "08:00"),
    ("Losartan", _l("50 mg tablet"), "08:00,20:00"),
)
_GLUCOSE_MEDICINES = (("Metformin", _l("500 mg tablet"), "08:00,20:00"),)
_ACTIVITIES = (
    (_l("Brisk walk"), "moderate"),
    (_l("Cycling"), "moderate"),
    (_l("Swimming"), "moderate"),
    (_l("Yoga"), "light"),
    (_l("Jogging"), "vigorous"),
    (_l("Stairs"), "vigorous"),
)
