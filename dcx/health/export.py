"""Export: a patient's own record to take elsewhere, as a FHIR bundle or a CSV of readings."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select

from dcx.extensions import db
from dcx.health import care_team, vitals
from dcx.health.models import (
    HealthObservation,
)
from dcx.platform import clock


def _coding(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": "http://loinc.org", "code": code, "display": display}]}


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}


def fhir_bundle(patient_id: int) -> dict[str, Any]:
    """The patient's readings as a FHIR R4 collection Bundle of vital-signs Observations."""
    rows = db.session.execute(
        select(HealthObservation)
        .where(HealthObservation.patient_id == patient_id)
        .order_by(HealthObservation.observed_at, HealthObservation.id)
    ).scalars()
    profile = care_team.profile_for(patient_id)
    entries = []
    category = [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "vital-signs",
                }
            ]
        }
    ]
    for obs in rows:
        spec = vitals.VITALS[obs.kind]
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": f"obs-{obs.id}",
            "status": "final",
            "category": category,
            "subject": {"reference": f"Patient/{patient_id}"},
            "effectiveDateTime": obs.observed_at.isoformat(),
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
        entries.append({"fullUrl": f"urn:uuid:dcx-health-obs-{obs.id}", "resource": resource})
        if obs.kind == "weight":
            bmi = vitals.body_mass_index(obs.value, profile.height_cm)
            if bmi is not None:
                entries.append(
                    {
                        "fullUrl": f"urn:uuid:dcx-health-bmi-{obs.id}",
                        "resource": {
                            **resource,
                            "id": f"bmi-{obs.id}",
                            "code": _coding(vitals.BMI_CODE, "Body mass index"),
                            "valueQuantity": _quantity(bmi, "kg/m2"),
                        },
                    }
                )
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": clock.now().isoformat(),
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
