"""The health ingest API: wearables post readings with the patient's device token."""

from __future__ import annotations

from flask import Blueprint, jsonify

from dcx.extensions import db
from dcx.health import devices, fhir_ingest, rules, vitals
from dcx.platform.api.services import api_error, bearer_token, ingest_route

bp = Blueprint("health_api", __name__)

_NUMBER = {"type": "number"}
READING_SCHEMA = {
    "type": "object",
    "required": ["type", "observed_at"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "minLength": 1, "maxLength": 80},
        "type": {"enum": list(vitals.VITALS)},
        "observed_at": {
            "type": "string",
            "format": "date-time",
            "maxLength": 40,
            "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}",
        },
        "value": _NUMBER,
        "systolic": _NUMBER,
        "diastolic": _NUMBER,
    },
    "if": {"properties": {"type": {"const": "bp"}}},
    "then": {"required": ["systolic", "diastolic"]},
    "else": {"required": ["value"]},
}
OBSERVATIONS_SCHEMA = {
    "type": "object",
    "required": ["readings"],
    "additionalProperties": False,
    "properties": {
        "readings": {"type": "array", "minItems": 1, "maxItems": 200, "items": READING_SCHEMA}
    },
}
RESPONSE_SCHEMA = {
    "type": "object",
    "properties": {"accepted": {"type": "integer"}, "duplicates": {"type": "integer"}},
}


@ingest_route(
    bp,
    "/observations",
    success_status=201,
    summary="A wearable sends vital-sign readings (blood pressure, heart rate, weight, "
    "glucose, SpO2, temperature) for the patient whose device token it holds.",
    request_schema=OBSERVATIONS_SCHEMA,
    response_schema=RESPONSE_SCHEMA,
    max_bytes=64 * 1024,
)
def observations(body):
    """Store the readings; 401 without a valid token, 400 for a value out of range."""
    patient_id = devices.patient_for_token(bearer_token())
    if patient_id is None:
        return api_error(401, "missing, wrong or revoked device token")
    return _store(patient_id, lambda: body["readings"])


def _store(patient_id: int, readings_of) -> tuple:
    """Store what ``readings_of()`` reads for the patient: 201 with the counts, or 400 with
    the reason (a value out of range, a code we do not know) and nothing stored."""
    try:
        result = devices.ingest(patient_id, readings_of())
    except (rules.HealthError, ValueError) as exc:
        db.session.rollback()
        return api_error(400, str(exc))
    db.session.commit()
    return jsonify(result), 201


@ingest_route(
    bp,
    "/fhir",
    success_status=201,
    summary="A device gateway sends HL7 FHIR R4 vital-sign Observations, one Observation or a "
    "transaction Bundle of them (Content-Type application/fhir+json or application/json), "
    "for the patient whose device token it holds. Codes are LOINC, units UCUM; an Observation "
    "whose code or unit is not one listed is refused with 400 and the reason, and nothing of "
    "that request is stored.",
    request_schema=fhir_ingest.FHIR_SCHEMA,
    response_schema=RESPONSE_SCHEMA,
    max_bytes=256 * 1024,
)
def fhir_observations(body):
    """Store FHIR Observations; 401 without a valid token, 400 for a code we do not know."""
    patient_id = devices.patient_for_token(bearer_token())
    if patient_id is None:
        return api_error(401, "missing, wrong or revoked device token")
    return _store(patient_id, lambda: fhir_ingest.readings_from_fhir(body))
