"""Export: a patient's own record to take elsewhere, as a FHIR R4 bundle or a CSV of readings.

The bundle holds the Patient, their vital-sign Observations (LOINC codes, UCUM units), their
Goals and their MedicationStatements. Every entry's ``fullUrl`` is a ``urn:uuid:`` made with
uuid5 from the record's kind and id, so the same record exports under the same UUID every time,
and every reference inside the bundle points at one of those fullUrls.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from dcx.extensions import db
from dcx.health import care_team, goals, medication, vitals
from dcx.health.models import HealthGoal, HealthMedication, HealthObservation
from dcx.platform import clock
from dcx.platform.accounts.models import User

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
# The namespace every exported UUID is made in: fixed, so UUIDs are stable across exports.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://dcx.example/health/fhir")

# Goal measures as FHIR sees them: LOINC code (None: described in text only) and UCUM unit.
GOAL_MEASURES: dict[str, tuple[str | None, str]] = {
    "systolic": ("8480-6", "mm[Hg]"),
    "diastolic": ("8462-4", "mm[Hg]"),
    "weight": ("29463-7", "kg"),
    "glucose": ("2339-0", "mg/dL"),
    "heart_rate": ("8867-4", "/min"),
    "exercise_minutes": (None, "min"),
}
# Our goal status -> FHIR Goal.lifecycleStatus and, when decided, achievementStatus.
GOAL_LIFECYCLE: dict[str, tuple[str, str | None]] = {
    "proposed": ("proposed", None),
    "active": ("active", "in-progress"),
    "achieved": ("completed", "achieved"),
    "not_achieved": ("completed", "not-achieved"),
}
_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
_CATEGORY = [
    {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "vital-signs",
            }
        ]
    }
]


def resource_uuid(kind: str, record_id: int) -> str:
    """The stable UUID of one exported record (``kind`` names the table, e.g. ``obs``)."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}/{record_id}"))


def _coding(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": LOINC, "code": code, "display": display}]}


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _instant(moment: datetime) -> str:
    """A FHIR dateTime with its zone (the database may hand back naive UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def _entry(kind: str, record_id: int, resource: dict[str, Any]) -> dict[str, Any]:
    rid = resource_uuid(kind, record_id)
    return {"fullUrl": f"urn:uuid:{rid}", "resource": {**resource, "id": rid}}


def _patient(patient_id: int) -> dict[str, Any]:
    user = db.session.get_one(User, patient_id)
    resource: dict[str, Any] = {"resourceType": "Patient", "active": True}
    if user.name:
        resource["name"] = [{"text": user.name}]
    if user.email:
        resource["telecom"] = [{"system": "email", "value": user.email}]
    if user.locale:
        resource["communication"] = [
            {
                "language": {
                    "coding": [{"system": "urn:ietf:bcp:47", "code": user.locale}],
                },
                "preferred": True,
            }
        ]
    return _entry("patient", patient_id, resource)


def _observations(patient_id: int, subject: dict[str, str]) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(HealthObservation)
        .where(HealthObservation.patient_id == patient_id)
        .order_by(HealthObservation.observed_at, HealthObservation.id)
    ).scalars()
    profile = care_team.profile_or_default(patient_id)
    entries = []
    for obs in rows:
        spec = vitals.VITALS[obs.kind]
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final",
            "category": _CATEGORY,
            "subject": subject,
            "effectiveDateTime": _instant(obs.observed_at),
        }
        if obs.kind == "bp":
            resource["code"] = _coding(vitals.BP_PANEL_CODE, "Blood pressure panel")
            resource["component"] = [
                {
                    "code": _coding(obs.code, "Systolic blood pressure"),
                    "valueQuantity": _quantity(obs.value, obs.unit),
                },
                {
                    "code": _coding(obs.code2 or "8462-4", "Diastolic blood pressure"),
                    "valueQuantity": _quantity(obs.value2 or 0, obs.unit),
                },
            ]
        else:
            resource["code"] = _coding(obs.code, str(spec.label))
            resource["valueQuantity"] = _quantity(obs.value, obs.unit)
        entry = _entry("obs", obs.id, resource)
        entries.append(entry)
        if obs.kind == "weight":
            bmi = vitals.body_mass_index(obs.value, profile.height_cm)
            if bmi is not None:
                bmi_resource = {
                    **resource,
                    "code": _coding(vitals.BMI_CODE, "Body mass index"),
                    "valueQuantity": _quantity(bmi, "kg/m2"),
                    "derivedFrom": [{"reference": entry["fullUrl"]}],
                }
                entries.append(_entry("bmi", obs.id, bmi_resource))
    return entries


def _goal(goal: HealthGoal, subject: dict[str, str]) -> dict[str, Any]:
    measure = goals.MEASURES[goal.measure]
    code, unit = GOAL_MEASURES[goal.measure]
    lifecycle, achievement = GOAL_LIFECYCLE[goal.status]
    label = str(measure.label)
    target: dict[str, Any] = {
        "measure": _coding(code, label) if code else {"text": label},
        "detailQuantity": _quantity(goal.target, unit),
        "dueDate": goal.due_on.isoformat(),
    }
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "lifecycleStatus": lifecycle,
        "description": {"text": f"{label}: {goals.format_value(goal.target)} {measure.unit}"},
        "subject": subject,
        "target": [target],
        "note": [{"text": f"Baseline {goals.format_value(goal.baseline)} {measure.unit}"}],
    }
    if achievement:
        resource["achievementStatus"] = {"coding": [{"system": _ACHIEVEMENT, "code": achievement}]}
    if goal.created_at:
        resource["startDate"] = goal.created_at.date().isoformat()
    return _entry("goal", goal.id, resource)


def _medication(med: HealthMedication, subject: dict[str, str]) -> dict[str, Any]:
    dosage: dict[str, Any] = {
        "timing": {"repeat": {"timeOfDay": [f"{t}:00" for t in med.time_list]}},
    }
    if med.dose:
        dosage["text"] = med.dose
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "status": "active" if med.active else "stopped",
        "medicationCodeableConcept": {"text": med.name},
        "subject": subject,
        "effectivePeriod": {"start": med.start_on.isoformat()},
        "dosage": [dosage],
    }
    return _entry("medication", med.id, resource)


def fhir_bundle(patient_id: int) -> dict[str, Any]:
    """The patient's record as a FHIR R4 collection Bundle, every reference inside it."""
    patient = _patient(patient_id)
    subject = {"reference": patient["fullUrl"]}
    entries = [patient, *_observations(patient_id, subject)]
    entries += [_goal(goal, subject) for goal in goals.goals_of(patient_id)]
    meds = medication.medications_of(patient_id, active_only=False)
    entries += [_medication(med, subject) for med in meds]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _instant(clock.now()),
        "entry": entries,
    }


def observations_csv(patient_id: int) -> str:
    """The patient's readings as CSV: one row per value, with LOINC code and unit."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["observed_at", "kind", "loinc", "value", "unit", "source"])
    rows = db.session.execute(
        select(HealthObservation)
        .where(HealthObservation.patient_id == patient_id)
        .order_by(HealthObservation.observed_at, HealthObservation.id)
    ).scalars()
    for obs in rows:
        writer.writerow(
            [obs.observed_at.isoformat(), obs.kind, obs.code, obs.value, obs.unit, obs.source]
        )
        if obs.code2:
            writer.writerow(
                [obs.observed_at.isoformat(), obs.kind, obs.code2, obs.value2, obs.unit, obs.source]
            )
    return out.getvalue()
