"""Street sensors and their observations: ingest, travel times per segment, sensors' health."""

from __future__ import annotations

import hmac
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, insert, select
from sqlalchemy.orm import InstrumentedAttribute

from dcx.extensions import db
from dcx.government import congestion
from dcx.government.models import (
    GovernmentDeviceSighting,
    GovernmentIncident,
    GovernmentObservation,
    GovernmentSegment,
    GovernmentSensor,
    GovernmentTravelTime,
    IncidentStatus,
)
from dcx.platform import clock
from dcx.platform.api.services import hash_token, new_token
from dcx.platform.inputs import check_reading_time, parse_timestamp

# the rows kept per interval: a sensor's observations, a segment's travel times
Interval = TypeVar("Interval", GovernmentObservation, GovernmentTravelTime)


_TIME = {"type": "string", "minLength": 10, "maxLength": 40}

# The sensor's own format (the API validates bodies against it, the FIWARE mapping its result).
OBSERVATIONS_SCHEMA: dict[str, Any] = {
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


class IngestError(ValueError):
    """An observation batch was refused (bad timestamps, unknown sensor pair)."""


def issue_sensor_token(sensor: GovernmentSensor) -> str:
    """Give a sensor a new token; returns the raw token (shown once, only its hash kept)."""
    raw, hashed = new_token("gov-sensor")
    sensor.token_hash = hashed
    db.session.flush()
    return raw


def sensor_by_token(token: str | None) -> GovernmentSensor | None:
    """The sensor whose token this is, or None."""
    if not token:
        return None
    return db.session.execute(
        select(GovernmentSensor).where(GovernmentSensor.token_hash == hash_token(token))
    ).scalar_one_or_none()


def daily_salt(day: date) -> bytes:
    """The salt for device hashes on ``day``: derived from the secret key, never stored."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"government-devices:{day.isoformat()}".encode(), "sha256").digest()


def device_hash(device_id: str, day: date) -> str:
    """A device address hashed with the day's salt; the raw address is never stored."""
    return hmac.new(daily_salt(day), device_id.strip().lower().encode(), "sha256").hexdigest()


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 timestamp with a zone into aware UTC; IngestError otherwise."""
    try:
        if datetime.fromisoformat(value[:40].replace("Z", "+00:00")).tzinfo is None:
            raise IngestError(f"time without a zone: {value[:40]!r}")
        return parse_timestamp(value)
    except ValueError as exc:
        raise IngestError(str(exc)) from None


def ingest_observations(
    sensor: GovernmentSensor,
    observations: Iterable[Mapping[str, Any]],
    now: datetime | None = None,
):
    """Store a batch of a sensor's observations; resending an interval replaces it.

    With ``now`` (what a device posts), an interval ending in the future or starting more
    than a year before ``now`` is refused, as every device reading is; the simulation, which
    lives a period before the clock reaches it, passes none.
    Returns (observations stored, travel times stored, incidents opened or raised).
    """
    items = list(observations)
    segments = {
        s.to_sensor.code: s
        for s in db.session.execute(
            select(GovernmentSegment).where(GovernmentSegment.from_sensor_id == sensor.id)
        ).scalars()
    }
    parsed = []
    for item in items:
        start, end = parse_time(item["interval_start"]), parse_time(item["interval_end"])
        if end <= start or end - start > timedelta(hours=2):
            raise IngestError("interval_end must be after interval_start, at most 2 hours")
        if now is not None:
            try:
                check_reading_time(start, now)
                check_reading_time(end, now)
            except ValueError as exc:
                raise IngestError(str(exc)) from None
        speed = item.get("average_speed_kmh")
        if speed is not None and not math.isfinite(speed):
            raise IngestError("average_speed_kmh must be a finite number")
        for tt in item.get("travel_times", []):
            if not math.isfinite(tt["seconds"]):
                raise IngestError("travel time seconds must be a finite number")
            if tt["to"] not in segments:
                raise IngestError(f"no segment from {sensor.code} to {tt['to']}")
        parsed.append((start, end, item))

    if not parsed:
        return 0, 0, 0
    stored = travel = raised = 0
    latest = sensor.last_seen_at
    # What the batch may replace, read in one query per table (never one per observation):
    # the sensor's intervals, its segments' travel times, the day's devices already seen and
    # the segments' open incidents.
    starts = {start for start, _end, _item in parsed}
    observed = {
        obs.interval_start: obs
        for obs in db.session.execute(
            select(GovernmentObservation).where(
                GovernmentObservation.sensor_id == sensor.id,
                GovernmentObservation.interval_start.in_(starts),
            )
        ).scalars()
    }
    segment_ids = [segment.id for segment in segments.values()]
    timed = {
        (row.segment_id, row.interval_start): row
        for row in db.session.execute(
            select(GovernmentTravelTime).where(
                GovernmentTravelTime.segment_id.in_(segment_ids or [0]),
                GovernmentTravelTime.interval_start.in_(starts),
            )
        ).scalars()
    }
    sighted = _devices_sighted(sensor, parsed)
    incidents = _open_incidents(segment_ids)
    # New rows go in one INSERT per table at the end; rows the batch resends are updated.
    new_observations: dict[datetime, dict[str, Any]] = {}
    new_times: dict[tuple[int, datetime], dict[str, Any]] = {}
    new_sightings: list[dict[str, Any]] = []
    for start, end, item in parsed:
        devices = {device_hash(d, start.date()) for d in item.get("devices", []) if d.strip()}
        values = {
            "interval_end": end,
            "vehicle_count": item.get("vehicle_count", 0),
            "pedestrian_count": item.get("pedestrian_count", 0),
            "average_speed_kmh": item.get("average_speed_kmh"),
            "unique_devices": len(devices),
        }
        _store(observed.get(start), new_observations, start, values)
        if start not in observed:
            new_observations[start].update(sensor_id=sensor.id, interval_start=start)
        stored += 1
        for h in sorted(d for d in devices if (start.date(), d) not in sighted):
            sighted.add((start.date(), h))
            new_sightings.append(
                {"sensor_id": sensor.id, "seen_on": start.date(), "device_hash": h}
            )
        for tt in item.get("travel_times", []):
            segment = segments[tt["to"]]
            index = congestion.travel_time_index(float(tt["seconds"]), segment.free_flow_seconds)
            key = (segment.id, start)
            _store(
                timed.get(key),
                new_times,
                key,
                {
                    "interval_end": end,
                    "travel_seconds": float(tt["seconds"]),
                    "travel_time_index": round(index, 3),
                },
            )
            if key not in timed:
                new_times[key].update(segment_id=segment.id, interval_start=start)
            travel += 1
            if detect_congestion(segment, index, incidents) is not None:
                raised += 1
        if latest is None or end > latest:
            latest = end
    for model, rows in (
        (GovernmentObservation, list(new_observations.values())),
        (GovernmentTravelTime, list(new_times.values())),
        (GovernmentDeviceSighting, new_sightings),
    ):
        if rows:
            db.session.execute(insert(model), rows)
    sensor.last_seen_at = latest
    db.session.flush()
    return stored, travel, raised


def _store(row: Any, new: dict[Any, dict[str, Any]], key: Any, values: dict[str, Any]) -> None:
    """Set ``values`` on the stored ``row`` the batch resends, else on the new row of ``key``
    (an interval sent twice in one batch keeps its last values, as a resend would)."""
    if row is not None:
        for name, value in values.items():
            setattr(row, name, value)
    else:
        new.setdefault(key, {}).update(values)


def _devices_sighted(sensor: GovernmentSensor, parsed: list) -> set[tuple[date, str]]:
    """(day, device hash) pairs of the batch the sensor had already seen (one query)."""
    wanted = {
        (start.date(), device_hash(d, start.date()))
        for start, _end, item in parsed
        for d in item.get("devices", [])
        if d.strip()
    }
    if not wanted:
        return set()
    rows = db.session.execute(
        select(GovernmentDeviceSighting.seen_on, GovernmentDeviceSighting.device_hash).where(
            GovernmentDeviceSighting.sensor_id == sensor.id,
            GovernmentDeviceSighting.seen_on.in_({day for day, _h in wanted}),
            GovernmentDeviceSighting.device_hash.in_({h for _day, h in wanted}),
        )
    ).all()
    return {(day, h) for day, h in rows}


def _open_incidents(segment_ids: list[int]) -> dict[int, GovernmentIncident]:
    """The open congestion incident of each of these segments, by segment (one query)."""
    if not segment_ids:
        return {}
    return {
        incident.segment_id: incident
        for incident in db.session.execute(
            select(GovernmentIncident).where(
                GovernmentIncident.segment_id.in_(segment_ids),
                GovernmentIncident.status == IncidentStatus.OPEN,
            )
        ).scalars()
        if incident.segment_id is not None
    }


def detect_congestion(
    segment: GovernmentSegment,
    index: float,
    open_incidents: dict[int, GovernmentIncident] | None = None,
) -> GovernmentIncident | None:
    """Open (or raise) the segment's congestion incident when its index crosses a threshold.

    ``open_incidents`` (segment id -> its open incident), when given, is what a batch already
    read: it is asked instead of the database, and learns of an incident opened here."""
    level = congestion.congestion_level(index)
    if level == "free":
        return None
    if open_incidents is not None:
        incident = open_incidents.get(segment.id)
    else:
        incident = db.session.execute(
            select(GovernmentIncident).where(
                GovernmentIncident.segment_id == segment.id,
                GovernmentIncident.status == IncidentStatus.OPEN,
            )
        ).scalar_one_or_none()
    if incident is None:
        a, b = segment.from_sensor, segment.to_sensor
        incident = GovernmentIncident(
            # Stored once, in the locale in force: the showcase's when a job or the seed
            # simulates traffic, the request's when a sensor posts.
            title=gettext("Congestion on %(segment)s", segment=segment.name)[:160],
            segment_id=segment.id,
            severity=level,
            department="transport",
            x=(a.x + b.x) / 2,
            y=(a.y + b.y) / 2,
            travel_time_index=round(index, 2),
            created_at=clock.now(),
        )
        db.session.add(incident)
        db.session.flush()
        if open_incidents is not None:
            open_incidents[segment.id] = incident
        return incident
    incident.travel_time_index = round(index, 2)
    if level == "severe":
        incident.severity = "severe"
    return incident


def _latest_per(model: type[Interval], key: InstrumentedAttribute[int]) -> dict[int, Interval]:
    """Each ``key``'s latest row of ``model`` (its greatest ``interval_start``), in one query."""
    latest = (
        select(key.label("key"), func.max(model.interval_start).label("start"))
        .group_by(key)
        .subquery()
    )
    rows = db.session.execute(
        select(model).join(latest, (latest.c.key == key) & (latest.c.start == model.interval_start))
    ).scalars()
    return {getattr(row, key.key): row for row in rows}


def sensor_overview(now: datetime) -> list[dict[str, Any]]:
    """Every sensor with its latest counts and online status (two queries)."""
    sensors = list(
        db.session.execute(select(GovernmentSensor).order_by(GovernmentSensor.code)).scalars()
    )
    by_sensor = _latest_per(GovernmentObservation, GovernmentObservation.sensor_id)
    result = []
    for s in sensors:
        obs = by_sensor.get(s.id)
        result.append(
            {
                "id": s.id,
                "code": s.code,
                "name": s.name,
                "kind": s.kind,
                "x": s.x,
                "y": s.y,
                "online": congestion.sensor_online(s, now),
                "vehicles": obs.vehicle_count if obs else None,
                "pedestrians": obs.pedestrian_count if obs else None,
                "speed": obs.average_speed_kmh if obs else None,
                "at": obs.interval_end.isoformat() if obs else None,
            }
        )
    return result


def segment_overview() -> list[dict[str, Any]]:
    """Every segment with its latest travel-time index and congestion level."""
    segments = list(
        db.session.execute(select(GovernmentSegment).order_by(GovernmentSegment.id)).scalars()
    )
    by_segment = _latest_per(GovernmentTravelTime, GovernmentTravelTime.segment_id)
    sensors = {s.id: s for s in db.session.execute(select(GovernmentSensor)).scalars()}
    result = []
    for seg in segments:
        tt = by_segment.get(seg.id)
        index = tt.travel_time_index if tt else None
        a, b = sensors[seg.from_sensor_id], sensors[seg.to_sensor_id]
        result.append(
            {
                "id": seg.id,
                "name": seg.name,
                "x1": a.x,
                "y1": a.y,
                "x2": b.x,
                "y2": b.y,
                "index": index,
                "level": congestion.congestion_level(index),
                "travel_seconds": tt.travel_seconds if tt else None,
                "free_flow_seconds": seg.free_flow_seconds,
            }
        )
    return result


def _last_hours(now: datetime, hours: int) -> tuple[datetime, list[str]]:
    """The start of the last ``hours`` whole hours up to ``now``, and each hour's label."""
    start = (now - timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    return start, [(start + timedelta(hours=i)).strftime("%H:00") for i in range(hours)]


def _hour_of(at: datetime, start: datetime, hours: int) -> int | None:
    """Which of the ``hours`` from ``start`` holds ``at``; None outside them."""
    slot = int((at - start).total_seconds() // 3600)
    return slot if 0 <= slot < hours else None


def traffic_series(now: datetime, hours: int = 12) -> tuple[list[str], dict[str, list]]:
    """Vehicles per hour for each sensor over the last ``hours`` hours (for a line chart)."""
    start, labels = _last_hours(now, hours)
    rows = db.session.execute(
        select(
            GovernmentSensor.code,
            GovernmentObservation.interval_start,
            GovernmentObservation.vehicle_count,
        )
        .join(GovernmentSensor, GovernmentSensor.id == GovernmentObservation.sensor_id)
        .where(GovernmentObservation.interval_start >= start)
    ).all()
    series: dict[str, list] = defaultdict(lambda: [0] * hours)
    for code, at, vehicles in rows:
        if (slot := _hour_of(at, start, hours)) is not None:
            series[code][slot] += vehicles
    return labels, dict(sorted(series.items()))


def index_series(now: datetime, hours: int = 12) -> tuple[list[str], dict[str, list]]:
    """The highest travel-time index per hour for each segment over the last ``hours``."""
    start, labels = _last_hours(now, hours)
    rows = db.session.execute(
        select(
            GovernmentSegment.name,
            GovernmentTravelTime.interval_start,
            GovernmentTravelTime.travel_time_index,
        )
        .join(GovernmentSegment, GovernmentSegment.id == GovernmentTravelTime.segment_id)
        .where(GovernmentTravelTime.interval_start >= start)
    ).all()
    series: dict[str, list] = defaultdict(lambda: [None] * hours)
    for name, at, index in rows:
        if (slot := _hour_of(at, start, hours)) is not None:
            current = series[name][slot]
            series[name][slot] = index if current is None else max(current, index)
    return labels, dict(sorted(series.items()))
