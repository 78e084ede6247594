"""The telematics ingest API: a car posts batches of readings with its own bearer token."""

from __future__ import annotations

from flask import Blueprint, g

from dcx.automotive import telemetry as automotive_telemetry
from dcx.automotive import vehicles
from dcx.automotive.models import CodeStatus
from dcx.extensions import db
from dcx.platform.api.services import api_error, bearer_token, ingest_route

bp = Blueprint("automotive_api", __name__)

MAX_BYTES = 512 * 1024
MAX_READINGS = 1000

_pressure = {"type": "number", "minimum": 0, "maximum": 1000}
_code = {"type": "string", "pattern": "^[PCBU][0-3][0-9A-F]{3}$"}

READING_SCHEMA = {
    "type": "object",
    "required": ["odometer_km"],
    "additionalProperties": False,
    "properties": {
        "recorded_at": {
            "type": "string",
            "format": "date-time",
            "maxLength": 40,
            "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$",
        },
        "odometer_km": {"type": "integer", "minimum": 0, "maximum": 5_000_000},
        "energy_pct": {"type": "number", "minimum": 0, "maximum": 100},
        "battery_v": {"type": "number", "minimum": 0, "maximum": 1000},
        "oil_life_pct": {"type": "number", "minimum": 0, "maximum": 100},
        "tyres_kpa": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"fl": _pressure, "fr": _pressure, "rl": _pressure, "rr": _pressure},
        },
        "location": {
            "type": "object",
            "required": ["lat", "lon"],
            "additionalProperties": False,
            "properties": {
                "lat": {"type": "number", "minimum": -90, "maximum": 90},
                "lon": {"type": "number", "minimum": -180, "maximum": 180},
            },
        },
        "codes": {
            "type": "array",
            "maxItems": 50,
            "items": {
                "type": "object",
                "required": ["code"],
                "additionalProperties": False,
                "properties": {"code": _code, "status": {"enum": [str(s) for s in CodeStatus]}},
            },
        },
        "cleared_codes": {"type": "array", "maxItems": 50, "items": _code},
    },
}

TELEMETRY_SCHEMA = {
    "type": "object",
    "required": ["readings"],
    "additionalProperties": False,
    "properties": {
        "readings": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_READINGS,
            "items": READING_SCHEMA,
        }
    },
}

RESPONSE_SCHEMA = {
    "type": "object",
    "properties": {
        "vehicle": {"type": "string"},
        "accepted": {"type": "integer"},
        "duplicates": {"type": "integer"},
        "new_codes": {"type": "array", "items": {"type": "string"}},
        "confirmed_codes": {"type": "array", "items": {"type": "string"}},
        "cleared_codes": {"type": "array", "items": {"type": "string"}},
    },
}


@bp.before_request
def _authenticate():
    """Check the car's token before reading its body: a stranger's upload is never parsed."""
    vehicle = vehicles.vehicle_for_token(bearer_token())
    if vehicle is None:
        return api_error(401, "missing, wrong or revoked vehicle token")
    g.automotive_vehicle = vehicle
    return None


@ingest_route(
    bp,
    "/telemetry",
    summary="A car sends a batch of readings: odometer, energy, battery, oil, tyres, location, codes",
    success_status=201,
    request_schema=TELEMETRY_SCHEMA,
    response_schema=RESPONSE_SCHEMA,
    max_bytes=MAX_BYTES,
)
def telemetry(body):
    """Store the batch for the token's vehicle; resent readings are skipped."""
    vehicle = g.automotive_vehicle
    try:
        result = automotive_telemetry.ingest_readings(vehicle, body["readings"])
    except ValueError as error:
        db.session.rollback()
        return api_error(400, str(error))
    db.session.commit()
    return {
        "vehicle": vehicle.vin,
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "new_codes": result.new_codes,
        "confirmed_codes": result.confirmed_codes,
        "cleared_codes": result.cleared_codes,
    }, 201
