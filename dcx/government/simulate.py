"""The life of a city period: sensors stream their counts, and congestion eases.

Every sensor reports each 15-minute interval up to the clock's now, with the city's rhythm
(rush hours, quiet nights, calmer weekends), so the dashboard is live whenever the presenter
looks; each segment's travel time follows the same rhythm. Only the last week of a long
period is streamed (older counts would not be read by any chart). A congestion incident whose
segment flows freely again is closed.

Idempotent by the natural keys (sensor, interval) and (segment, interval) with INSERT ... ON
CONFLICT DO NOTHING. Set-based: a query for sensors and one for segments, one insert per
batch of rows, one update for the sensors' last report and one for the incidents it closes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from dcx.database import rows_changed
from dcx.extensions import db
from dcx.government import congestion
from dcx.government.models import (
    GovernmentIncident,
    GovernmentObservation,
    GovernmentSegment,
    GovernmentSensor,
    GovernmentTravelTime,
)
from dcx.government.simulation import rush_factor
from dcx.platform.simulation import insert_batches
from dcx.verticals import SimulationContext

STEP = timedelta(minutes=15)
STREAMED = timedelta(days=7)


def city_rhythm(at: datetime) -> float:
    """How busy the streets are at ``at``: the daily rush, calmer on Saturdays and Sundays."""
    rush = rush_factor(at)
    return rush * 0.55 if at.weekday() >= 5 else rush


def intervals(start: datetime, end: datetime) -> list[datetime]:
    """The starts of the 15-minute intervals whose report falls within ``[start, end)``.

    A sensor reports an interval when it ends, so an interval belongs to the one period its
    end falls in: one that straddles two clock moves is reported by the second (it used to
    be lost, and the sensors fell silent until the clock moved a whole interval more).
    """
    report = start.replace(second=0, microsecond=0)
    if report < start:
        report += timedelta(minutes=1)
    report += timedelta(minutes=-report.minute % 15)
    found = []
    while report < end:
        found.append(report - STEP)
        report += STEP
    return found


def period(ctx: SimulationContext, start: datetime, end: datetime) -> int:
    """Stream every sensor's counts through ``[start, end)``; returns the rows written."""
    times = intervals(max(start, end - STREAMED), end)
    sensors = list(db.session.execute(select(GovernmentSensor)).scalars())
    if not times or not sensors:
        return 0
    segments = list(db.session.execute(select(GovernmentSegment)).scalars())
    observations, travel = [], []
    for at in times:
        busy = city_rhythm(at)
        for sensor in sensors:
            base = 40 + 260 * busy
            noise = 0.85 + 0.3 * ctx.draw("count", sensor.id, at)
            observations.append(
                {
                    "sensor_id": sensor.id,
                    "interval_start": at,
                    "interval_end": at + STEP,
                    "vehicle_count": 0 if sensor.kind == "pedestrian" else int(base * noise),
                    "pedestrian_count": 0 if sensor.kind == "vehicle" else int(base * 0.6 * noise),
                    "average_speed_kmh": round(45 - 20 * busy + (noise - 1) * 20, 1),
                    "unique_devices": 0,
                }
            )
        for segment in segments:
            factor = 1 + 0.22 * busy + 0.05 * ctx.draw("travel", segment.id, at)
            travel.append(
                {
                    "segment_id": segment.id,
                    "interval_start": at,
                    "interval_end": at + STEP,
                    "travel_seconds": round(segment.free_flow_seconds * factor, 1),
                    "travel_time_index": round(factor, 3),
                }
            )
    insert_batches(GovernmentObservation, observations)
    insert_batches(GovernmentTravelTime, travel)
    last = times[-1] + STEP
    db.session.execute(
        update(GovernmentSensor)
        .where((GovernmentSensor.last_seen_at.is_(None)) | (GovernmentSensor.last_seen_at < last))
        .values(last_seen_at=last)
    )
    closed = 0 if ctx.history else _close_eased_congestion()
    return len(observations) + len(travel) + closed


def _close_eased_congestion() -> int:
    """Close the open congestion incidents whose segment's latest index is free flow again."""
    newest = (
        select(
            GovernmentTravelTime.segment_id,
            func.max(GovernmentTravelTime.interval_start).label("at"),
        )
        .group_by(GovernmentTravelTime.segment_id)
        .subquery()
    )
    free_below = min(threshold for _level, threshold in congestion.CONGESTION_THRESHOLDS)
    eased = (
        select(GovernmentTravelTime.segment_id)
        .join(
            newest,
            (newest.c.segment_id == GovernmentTravelTime.segment_id)
            & (newest.c.at == GovernmentTravelTime.interval_start),
        )
        .where(GovernmentTravelTime.travel_time_index < free_below)
    )
    result = db.session.execute(
        update(GovernmentIncident)
        .where(GovernmentIncident.status == "open", GovernmentIncident.segment_id.in_(eased))
        .values(status="closed")
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result)
