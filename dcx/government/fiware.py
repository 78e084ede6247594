"""FIWARE in: ``TrafficFlowObserved`` entities (NGSI-LD, normalized form) as a sensor's counts.

A street sensor that speaks FIWARE's Smart Data Models posts one entity or an array of them
(``application/ld+json`` or ``application/json``). Each entity is mapped onto the observation
shape :func:`dcx.government.sensors.ingest_observations` stores, and checked against the very
schema and rules of the sensor's own format (bounds, time plausibility, a resend replaces its
interval), so the two formats cannot disagree. Anything we cannot map is refused with the
entity and the reason, so the gateway's operator can see what to fix.

What is mapped: ``intensity`` (vehicles in the period) -> vehicle count; ``averageVehicleSpeed``
(km/h) -> average speed; the period from ``dateObservedFrom``/``dateObservedTo`` or an ISO 8601
interval in ``dateObserved`` (times without a zone are UTC, as the data model states). Lanes of
one period (entities with different ``laneId``) are one observation: their intensities add up
and their speeds are averaged, weighted by intensity. ``occupancy`` and the other attributes
are accepted and not kept (the sensor's observation has no place for them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from dcx.extensions import db
from dcx.government.models import GovernmentSegment, GovernmentSensor
from dcx.government.sensors import OBSERVATIONS_SCHEMA, IngestError
from dcx.platform.inputs import parse_timestamp

ENTITY_TYPE = "TrafficFlowObserved"
MEDIA_TYPES = ("application/ld+json", "application/json")
MAX_ENTITIES = 200

_TEXT = {"type": "string", "minLength": 1, "maxLength": 64}
_DATE_TIME = {
    "description": "An ISO 8601 time, or an interval start/end in dateObserved; "
    "as a plain string or a JSON-LD typed value {'@type': 'DateTime', '@value': ...}.",
    "anyOf": [
        _TEXT,
        {
            "type": "object",
            "required": ["@value"],
            "properties": {"@type": {"const": "DateTime"}, "@value": _TEXT},
        },
    ],
}


def _property(value: Mapping[str, Any], description: str) -> dict[str, Any]:
    """The schema of an NGSI-LD Property in normalized form: ``{"type": "Property", "value"}``."""
    return {
        "type": "object",
        "description": description,
        "required": ["type", "value"],
        "properties": {"type": {"const": "Property"}, "value": value},
    }


def _relationship(description: str) -> dict[str, Any]:
    """The schema of an NGSI-LD Relationship: ``{"type": "Relationship", "object": URN}``."""
    return {
        "type": "object",
        "description": description,
        "required": ["type", "object"],
        "properties": {
            "type": {"const": "Relationship"},
            "object": {"type": "string", "minLength": 1, "maxLength": 256},
        },
    }


ENTITY_PROPERTIES: dict[str, Any] = {
    "id": {"type": "string", "minLength": 1, "maxLength": 256},
    "type": {"const": ENTITY_TYPE},
    "dateObserved": _property(_DATE_TIME, "A time, or the period as start/end"),
    "dateObservedFrom": _property(_DATE_TIME, "The period's start"),
    "dateObservedTo": _property(_DATE_TIME, "The period's end"),
    "intensity": _property(
        {"type": "number", "minimum": 0, "maximum": 100000}, "Vehicles in the period (whole)"
    ),
    "averageVehicleSpeed": _property(
        {"type": "number", "minimum": 0, "maximum": 250}, "Average speed, km/h"
    ),
    "occupancy": _property({"type": "number", "minimum": 0, "maximum": 1}, "Accepted, not kept"),
    "laneId": _property({"type": "integer", "minimum": 0}, "Lanes of one period add up"),
    "refDevice": _relationship("The sensor: urn:ngsi-ld:Device:<sensor code>"),
    "refRoadSegment": _relationship(
        "A road segment at the sensor: urn:ngsi-ld:RoadSegment:<from code>-<to code>"
    ),
}
# One schema for both shapes (JSON Schema applies object keywords only to objects and array
# keywords only to arrays), so a refusal names the entity and attribute at fault instead of
# "not valid under any of the given schemas".
REQUEST_SCHEMA: dict[str, Any] = {
    "description": f"One NGSI-LD {ENTITY_TYPE} entity in normalized form, or an array of "
    f"them (at most {MAX_ENTITIES}), from the sensor whose token is sent. The period is "
    "dateObservedFrom and dateObservedTo, or an ISO 8601 interval (start/end) in dateObserved; "
    "it ends after it starts, lasts at most 2 hours, ends no later than 10 minutes from now "
    "and starts less than 366 days ago. refDevice, when sent, names this sensor; "
    "refRoadSegment, a segment that starts or ends at it. Resending a period replaces it. "
    "Other attributes (location, address, @context ...) are accepted and not kept.",
    "type": ["object", "array"],
    "required": ["id", "type"],
    "properties": ENTITY_PROPERTIES,
    "minItems": 1,
    "maxItems": MAX_ENTITIES,
    "items": {"type": "object", "required": ["id", "type"], "properties": ENTITY_PROPERTIES},
}


def _value(entity: Mapping[str, Any], name: str) -> Any:
    """A Property's value (a JSON-LD typed value unwrapped), or None when it is absent."""
    attribute = entity.get(name)
    if attribute is None:
        return None
    value = attribute["value"]
    return value["@value"] if isinstance(value, Mapping) else value


def _time(text: str, where: str, name: str) -> str:
    try:
        return parse_timestamp(text).isoformat()
    except ValueError as exc:
        raise IngestError(f"{where}: {name}: {exc}") from None


def _period(entity: Mapping[str, Any], where: str) -> tuple[str, str]:
    """The entity's (start, end) as ISO 8601 with their zone."""
    start, end = _value(entity, "dateObservedFrom"), _value(entity, "dateObservedTo")
    if start is not None and end is not None:
        return (
            _time(start, where, "dateObservedFrom"),
            _time(end, where, "dateObservedTo"),
        )
    observed = _value(entity, "dateObserved")
    if observed is not None and "/" in observed:
        start, _, end = observed.partition("/")
        return _time(start, where, "dateObserved"), _time(end, where, "dateObserved")
    raise IngestError(
        f"{where}: the period is missing: send dateObservedFrom and dateObservedTo, or "
        "dateObserved as an ISO 8601 interval (start/end)"
    )


def _last_part(urn: str) -> str:
    return urn.rsplit(":", 1)[-1]


def _segments_at(sensor: GovernmentSensor) -> set[str]:
    """``FROM-TO`` codes of the segments that start or end at the sensor (one query)."""
    start, end = aliased(GovernmentSensor), aliased(GovernmentSensor)
    rows = db.session.execute(
        select(start.code, end.code)
        .select_from(GovernmentSegment)
        .join(start, start.id == GovernmentSegment.from_sensor_id)
        .join(end, end.id == GovernmentSegment.to_sensor_id)
        .where(or_(start.id == sensor.id, end.id == sensor.id))
    ).all()
    return {f"{a}-{b}" for a, b in rows}


def _check_references(
    entity: Mapping[str, Any], where: str, sensor: GovernmentSensor, segments: set[str]
) -> None:
    device = entity.get("refDevice")
    if device is not None and _last_part(device["object"]) != sensor.code:
        raise IngestError(
            f"{where}: refDevice {device['object'][:80]} is not the sensor of this token "
            f"({sensor.code})"
        )
    road = entity.get("refRoadSegment")
    if road is not None and _last_part(road["object"]) not in segments:
        raise IngestError(
            f"{where}: refRoadSegment {road['object'][:80]} is not a segment at sensor "
            f"{sensor.code} (known: {', '.join(sorted(segments)) or 'none'})"
        )


def observations_from_entities(body: Any, sensor: GovernmentSensor) -> list[dict[str, Any]]:
    """The sensor's observations in one entity or an array of them (the request's body,
    already valid against :data:`REQUEST_SCHEMA`); IngestError naming the entity otherwise.

    Entities of one period are lanes of one road: different ``laneId`` add up, and the same
    lane (or none) sent twice keeps the later one, as a resend would.
    """
    entities = body if isinstance(body, list) else [body]
    segments = _segments_at(sensor)
    lanes: dict[tuple[str, str], dict[Any, tuple[int, float | None]]] = {}
    for n, entity in enumerate(entities):
        where = f"entity {n} ({str(entity['id'])[:80]})"
        _check_references(entity, where, sensor, segments)
        intensity = _value(entity, "intensity")
        if intensity is not None and not float(intensity).is_integer():
            raise IngestError(f"{where}: intensity counts vehicles: a whole number")
        speed = _value(entity, "averageVehicleSpeed")
        lanes.setdefault(_period(entity, where), {})[_value(entity, "laneId")] = (
            int(intensity or 0),
            None if speed is None else float(speed),
        )
    observations = []
    for (start, end), by_lane in lanes.items():
        vehicles = sum(count for count, _speed in by_lane.values())
        observation: dict[str, Any] = {
            "interval_start": start,
            "interval_end": end,
            "vehicle_count": vehicles,
        }
        speeds = [(count, speed) for count, speed in by_lane.values() if speed is not None]
        if speeds:
            weight = sum(count for count, _speed in speeds)
            observation["average_speed_kmh"] = round(
                sum(count * speed for count, speed in speeds) / weight
                if weight
                else sum(speed for _count, speed in speeds) / len(speeds),
                1,
            )
        observations.append(observation)
    _check_native(observations)
    return observations


def _check_native(observations: list[dict[str, Any]]) -> None:
    """The mapped observations pass the sensor's own format's schema (its bounds, its batch
    size), so a FIWARE sensor is held to the same rules; IngestError with the first problem."""
    body = {"observations": observations}
    error = next(iter(Draft202012Validator(OBSERVATIONS_SCHEMA).iter_errors(body)), None)
    if error is not None:
        field = "/".join(str(p) for p in error.path)
        raise IngestError(
            f"the entities make an observation out of bounds: {field}: {error.message[:200]}"
        )
