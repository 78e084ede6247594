"""The FHIR export, read as a health system reads it: parsed by fhir.resources (R4B models)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from fhir.resources.R4B.bundle import Bundle

from dcx.extensions import db
from dcx.health import care_team, export, goals, medication, vitals
from dcx.platform import clock

UUID_URN = re.compile(
    r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)


def _record(patient, clinician):
    care_team.profile_for(patient.id).height_cm = 170
    vitals.log_observation(patient.id, "bp", 132, 84)
    vitals.log_observation(patient.id, "weight", 72.3)
    vitals.log_observation(patient.id, "heart_rate", 64)
    due = clock.today() + timedelta(days=90)
    goals.set_goal(patient.id, "systolic", 125, due)
    goals.set_goal(patient.id, "exercise_minutes", 150, due, status="proposed", baseline=60)
    medication.prescribe(patient.id, clinician.id, "Lisinopril", "10 mg tablet", "08:00,20:00")
    stopped = medication.prescribe(patient.id, clinician.id, "Amlodipine", "5 mg", "09:00")
    stopped.active = False
    db.session.commit()


def _by_type(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _references(node) -> list[str]:
    """Every ``reference`` value anywhere in a resource."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                found.append(value)
            else:
                found += _references(value)
    elif isinstance(node, list):
        for item in node:
            found += _references(item)
    return found


def test_bundle_parses_as_fhir_r4b_with_every_reference_inside(app, patient, clinician):
    _record(patient, clinician)
    bundle = export.fhir_bundle(patient.id)
    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    kinds = [e.resource.get_resource_type() for e in parsed.entry]
    assert kinds.count("Patient") == 1
    assert kinds.count("Observation") == 4  # bp, weight, its BMI, heart rate
    assert kinds.count("Goal") == 2 and kinds.count("MedicationStatement") == 2
    full_urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(full_urls)) == len(full_urls)
    for entry in bundle["entry"]:
        assert UUID_URN.match(entry["fullUrl"]), entry["fullUrl"]
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    references = _references([e["resource"] for e in bundle["entry"]])
    assert references and set(references) <= set(full_urls)
    patient_url = bundle["entry"][0]["fullUrl"]
    for entry in bundle["entry"][1:]:
        assert entry["resource"]["subject"] == {"reference": patient_url}


def test_full_urls_are_stable_uuid5_per_record(app, patient, clinician):
    _record(patient, clinician)
    first = [e["fullUrl"] for e in export.fhir_bundle(patient.id)["entry"]]
    assert first == [e["fullUrl"] for e in export.fhir_bundle(patient.id)["entry"]]
    assert first[0] == f"urn:uuid:{uuid.uuid5(export.NAMESPACE, f'patient/{patient.id}')}"


def test_patient_observation_goal_and_medication_codes(app, patient, clinician):
    _record(patient, clinician)
    bundle = export.fhir_bundle(patient.id)
    (person,) = _by_type(bundle, "Patient")
    assert person["name"] == [{"text": "Pat Patient"}]
    observations = _by_type(bundle, "Observation")
    codes = [o["code"]["coding"][0] for o in observations]
    assert {c["system"] for c in codes} == {"http://loinc.org"}
    assert [c["code"] for c in codes] == ["85354-9", "29463-7", "39156-5", "8867-4"]
    bp, weight, bmi, pulse = observations
    assert [c["code"]["coding"][0]["code"] for c in bp["component"]] == ["8480-6", "8462-4"]
    assert bp["component"][1]["valueQuantity"] == {
        "value": 84,
        "unit": "mm[Hg]",
        "system": "http://unitsofmeasure.org",
        "code": "mm[Hg]",
    }
    assert weight["valueQuantity"]["code"] == "kg" and pulse["valueQuantity"]["code"] == "/min"
    assert bmi["valueQuantity"]["code"] == "kg/m2"
    weight_url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is weight)
    assert bmi["derivedFrom"] == [{"reference": weight_url}]

    pressure, minutes = sorted(_by_type(bundle, "Goal"), key=lambda g: g["lifecycleStatus"])
    assert pressure["lifecycleStatus"] == "active"
    assert pressure["achievementStatus"]["coding"][0]["code"] == "in-progress"
    (target,) = pressure["target"]
    assert target["measure"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "8480-6",
        "display": "Systolic blood pressure",
    }
    assert target["detailQuantity"]["value"] == 125
    assert target["detailQuantity"]["code"] == "mm[Hg]"
    assert target["dueDate"] == (clock.today() + timedelta(days=90)).isoformat()
    assert minutes["lifecycleStatus"] == "proposed" and "achievementStatus" not in minutes
    assert minutes["target"][0]["detailQuantity"]["code"] == "min"

    meds = {
        m["medicationCodeableConcept"]["text"]: m for m in _by_type(bundle, "MedicationStatement")
    }
    assert meds["Lisinopril"]["status"] == "active" and meds["Amlodipine"]["status"] == "stopped"
    (dosage,) = meds["Lisinopril"]["dosage"]
    assert dosage["text"] == "10 mg tablet"
    assert dosage["timing"]["repeat"]["timeOfDay"] == ["08:00:00", "20:00:00"]


def test_an_achieved_goal_is_completed(app, patient, clinician):
    vitals.log_observation(patient.id, "weight", 80)
    goal = goals.set_goal(patient.id, "weight", 75, clock.today() + timedelta(days=30))
    goals.set_goal_status(goal, "achieved")
    db.session.commit()
    (fhir_goal,) = _by_type(export.fhir_bundle(patient.id), "Goal")
    assert fhir_goal["lifecycleStatus"] == "completed"
    assert fhir_goal["achievementStatus"]["coding"][0]["code"] == "achieved"
    Bundle.model_validate(export.fhir_bundle(patient.id))


def test_another_patients_record_stays_out(app, patient, clinician):
    _record(patient, clinician)
    from tests.conftest import make_user

    other = make_user("other@example.com", "Other Person")
    db.session.commit()
    bundle = export.fhir_bundle(other.id)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
    Bundle.model_validate(bundle)
