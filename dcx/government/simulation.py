"""Simulated sensor traffic: a daily rhythm of travel times and the occasional severe incident."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from dcx.extensions import db
from dcx.government import sensors as government_sensors
from dcx.government.models import (
    GovernmentSegment,
    GovernmentSensor,
    SensorKind,
)


def rush_factor(at: datetime) -> float:
    """The city's daily rhythm: 0 at night, peaks near 1 at 08:00 and 17:30 (UTC)."""
    hour = at.hour + at.minute / 60
    morning = math.exp(-((hour - 8.0) ** 2) / 2.0)
    evening = math.exp(-((hour - 17.5) ** 2) / 3.0)
    daytime = 0.35 if 7 <= hour <= 20 else 0.05
    return min(1.0, max(morning, evening, daytime))


def simulate(
    now: datetime,
    rng: Any,
    hours: float = 12,
    step_minutes: int = 15,
    incident_segment: str | None = None,
    incident_hours: float = 1.0,
) -> dict[str, int]:
    """Drive every sensor through ``hours`` of the daily rhythm up to ``now``.

    Observations go through the same ingest rule as the API. ``incident_segment`` (a segment
    name) makes its last ``incident_hours`` slow enough to be severe congestion.
    Rerunning replaces the same intervals, so it never duplicates rows.
    """
    step = timedelta(minutes=step_minutes)
    end = now.replace(second=0, microsecond=0)
    end -= timedelta(minutes=end.minute % step_minutes)
    start = end - timedelta(hours=hours)
    sensors = list(db.session.execute(select(GovernmentSensor)).scalars())
    segments = list(db.session.execute(select(GovernmentSegment)).scalars())
    totals = {"observations": 0, "travel_times": 0, "congestion": 0}
    for sensor in sensors:
        outgoing = [s for s in segments if s.from_sensor_id == sensor.id]
        batch = []
        at = start
        while at < end:
            rush = rush_factor(at)
            base = 40 + 260 * rush
            item: dict[str, Any] = {
                "interval_start": at.isoformat(),
                "interval_end": (at + step).isoformat(),
                "vehicle_count": int(base * rng.uniform(0.85, 1.15))
                if sensor.kind != SensorKind.PEDESTRIAN
                else 0,
                "pedestrian_count": int(base * 0.6 * rng.uniform(0.8, 1.2))
                if sensor.kind != SensorKind.VEHICLE
                else 0,
                "average_speed_kmh": round(45 - 20 * rush + rng.uniform(-3, 3), 1),
                "travel_times": [],
            }
            for seg in outgoing:
                factor = 1 + 0.22 * rush + rng.uniform(0, 0.05)
                if (
                    incident_segment
                    and seg.name == incident_segment
                    and at >= end - timedelta(hours=incident_hours)
                ):
                    factor = 1.65 + rng.uniform(0, 0.1)
                item["travel_times"].append(
                    {"to": seg.to_sensor.code, "seconds": round(seg.free_flow_seconds * factor, 1)}
                )
            batch.append(item)
            at += step
        if batch:
            stored, travel, raised = government_sensors.ingest_observations(sensor, batch)
            totals["observations"] += stored
            totals["travel_times"] += travel
            totals["congestion"] += raised
    return totals
