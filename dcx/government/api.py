"""The government ingest API: sensors post observations (their own format or FIWARE's), crews
post positions (bearer tokens)."""

from __future__ import annotations

import math
from collections.abc import Callable

from flask import Blueprint, jsonify
from sqlalchemy.exc import IntegrityError

from dcx.extensions import db
from dcx.government import crews, districts, fiware, sensors
from dcx.government.models import CREW_STATUSES, GovernmentCrew, GovernmentSensor
from dcx.platform import clock
from dcx.platform.api.services import api_error, bearer_token, ingest_route

bp = Blueprint("government_api", __name__)

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
    request_schema=sensors.OBSERVATIONS_SCHEMA,
    max_bytes=64 * 1024,
)
def observations(body):
    """Store a sensor's observations; congestion opens an incident."""
    return _store(lambda sensor: body["observations"])


@ingest_route(
    bp,
    "/traffic-flow-observed",
    summary="A sensor posts FIWARE TrafficFlowObserved entities (NGSI-LD, normalized form), "
    "one entity or an array of them (Content-Type application/ld+json or application/json), "
    "stored as its observations: intensity is the vehicle count, averageVehicleSpeed the "
    "average speed. An entity that cannot be mapped is refused with 400 naming it and the "
    "reason, and nothing of that request is stored.",
    success_status=201,
    conflict="The same interval is being stored by another request at this moment; send it again",
    request_schema=fiware.REQUEST_SCHEMA,
    max_bytes=256 * 1024,
    media_types=fiware.MEDIA_TYPES,
)
def traffic_flow_observed(body):
    """Store a FIWARE sensor's entities as its observations, as its own format is stored."""
    return _store(lambda sensor: fiware.observations_from_entities(body, sensor))


def _store(observations_of: Callable[[GovernmentSensor], list]):
    """Store what ``observations_of(sensor)`` reads for the token's sensor: 201 with the counts,
    401 without a valid token, 400 with the reason (and nothing stored) for what is refused."""
    sensor = sensors.sensor_by_token(bearer_token())
    if sensor is None:
        return api_error(401, "missing or wrong sensor token")
    sensor_id = sensor.id
    for attempt in (1, 2):
        try:
            stored, travel, raised = sensors.ingest_observations(
                sensor, observations_of(sensor), now=clock.now()
            )
            db.session.commit()
            break
        except sensors.IngestError as exc:
            db.session.rollback()
            return api_error(400, str(exc))
        except IntegrityError:
            # Two identical posts raced to insert the same interval: the second one now finds
            # the first one's row and replaces it, as a resend does.
            db.session.rollback()
            again = db.session.get(GovernmentSensor, sensor_id)
            if attempt == 2 or again is None:
                return api_error(409, "the same interval is being stored by another request")
            sensor = again
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
