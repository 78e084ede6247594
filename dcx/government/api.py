"""The government ingest API: sensors post observations, crews post positions (bearer tokens)."""

from __future__ import annotations

import math

from flask import Blueprint, jsonify
from sqlalchemy.exc import IntegrityError

from dcx.extensions import db
from dcx.government import crews, districts, sensors
from dcx.government.models import CREW_STATUSES, GovernmentCrew
from dcx.platform.api.services import api_error, bearer_token, ingest_route

bp = Blueprint("government_api", __name__)

_TIME = {"type": "string", "minLength": 10, "maxLength": 40}

OBSERVATIONS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["observations"],
    "properties": {
        "observations": {
            "type": "array",
            "minItems": 1,
            "maxItems": 200,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["interval_start", "interval_end"],
                "properties": {
                    "interval_start": _TIME,
                    "interval_end": _TIME,
                    "vehicle_count": {"type": "integer", "minimum": 0, "maximum": 100000},
                    "pedestrian_count": {"type": "integer", "minimum": 0, "maximum": 100000},
                    "average_speed_kmh": {"type": "number", "minimum": 0, "maximum": 250},
                    "travel_times": {
                        "type": "array",
                        "maxItems": 20,
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["to", "seconds"],
                            "properties": {
                                "to": {"type": "string", "minLength": 1, "maxLength": 32},
                                "seconds": {
                                    "type": "number",
                                    "exclusiveMinimum": 0,
                                    "maximum": 86400,
                                },
                            },
                        },
                    },
                    "devices": {
                        "description": "Device addresses seen; only salted daily hashes are kept.",
                        "type": "array",
                        "maxItems": 500,
                        "items": {"type": "string", "maxLength": 64},
                    },
                },
            },
        }
    },
}

POSITION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["x", "y", "status"],
    "properties": {
        "x": {"type": "number", "minimum": 0, "maximum": districts.CITY_WIDTH},
        "y": {"type": "number", "minimum": 0, "maximum": districts.CITY_HEIGHT},
        "status": {"enum": list(CREW_STATUSES)},
    },
}


@ingest_route(
    bp,
    "/observations",
    summary="A sensor posts a batch of traffic observations",
    success_status=201,
    conflict="The same interval is being stored by another request at this moment; send it again",
    request_schema=OBSERVATIONS_SCHEMA,
    max_bytes=64 * 1024,
)
def observations(body):
    """Store a sensor's observations; congestion opens an incident."""
    sensor = sensors.sensor_by_token(bearer_token())
    if sensor is None:
        return api_error(401, "missing or wrong sensor token")
    sensor_id = sensor.id
    for attempt in (1, 2):
        try:
            stored, travel, raised = sensors.ingest_observations(sensor, body["observations"])
            db.session.commit()
            break
        except sensors.IngestError as exc:
            db.session.rollback()
            return api_error(400, str(exc))
        except IntegrityError:
            # Two identical posts raced to insert the same interval: the second one now finds
            # the first one's row and replaces it, as a resend does.
            db.session.rollback()
            if attempt == 2:
                return api_error(409, "the same interval is being stored by another request")
            sensor = db.session.get(type(sensor), sensor_id)
    return jsonify(sensor=sensor.code, stored=stored, travel_times=travel, congestion=raised), 201


@ingest_route(
    bp,
    "/crews/<int:crew_id>/position",
    summary="A crew posts its position and status",
    request_schema=POSITION_SCHEMA,
    max_bytes=4 * 1024,
)
def crew_position(body, crew_id: int):
    """Move a crew on the map; ``on_site`` and ``done`` move its repair along."""
    token = bearer_token()
    # Ids beyond a 64-bit integer cannot exist (and would overflow the database driver).
    crew = db.session.get(GovernmentCrew, crew_id) if token and 0 < crew_id < 2**63 else None
    if crew is None or not crews.crew_token_matches(crew, token):
        # The same answer for an unknown crew and a wrong token: ids reveal nothing.
        return api_error(401, "missing or wrong crew token")
    x, y = float(body["x"]), float(body["y"])
    if not (math.isfinite(x) and math.isfinite(y)):
        return api_error(400, "x and y must be finite numbers")
    result = crews.report_position(crew, x, y, body["status"])
    db.session.commit()
    return jsonify(result), 200
