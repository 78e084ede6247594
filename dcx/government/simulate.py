"""The life of a city period: sensors stream their counts, congestion eases, residents report.

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

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from dcx.database import rows_changed
from dcx.extensions import db
from dcx.government import congestion
from dcx.government.labels import CATEGORY_LABELS
from dcx.government.models import (
    GovernmentIncident,
    GovernmentObservation,
    GovernmentRepair,
    GovernmentRepairEvent,
    GovernmentSegment,
    GovernmentSensor,
    GovernmentStreet,
    GovernmentTravelTime,
    IncidentStatus,
    SensorKind,
)
from dcx.government.simulation import rush_factor
from dcx.platform.accounts.models import User
from dcx.platform.links import link
from dcx.platform.simulation import insert_batches
from dcx.platform.timeline.services import record_bulk
from dcx.verticals import SimulationContext

STEP = timedelta(minutes=15)
STREAMED = timedelta(days=7)
# What residents report, and in their words (written in the showcase's language).
REPORT_TEXTS = {
    "streetlight": _l("The streetlight is out after dark."),
    "pothole": _l("A pothole is opening in the road."),
    "traffic_signal": _l("The pedestrian signal does not change."),
    "sign": _l("A road sign is bent and hard to read."),
    "pavement": _l("Loose paving stones on the footpath."),
}
REPORTED = tuple(REPORT_TEXTS)


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
        return _street_reports(ctx, start, end)
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
                    "vehicle_count": 0
                    if sensor.kind == SensorKind.PEDESTRIAN
                    else int(base * noise),
                    "pedestrian_count": 0
                    if sensor.kind == SensorKind.VEHICLE
                    else int(base * 0.6 * noise),
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
    return len(observations) + len(travel) + closed + _street_reports(ctx, start, end)


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
        .where(
            GovernmentIncident.status == IncidentStatus.OPEN,
            GovernmentIncident.segment_id.in_(eased),
        )
        .values(status=IncidentStatus.CLOSED.value)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result)


def _street_reports(ctx: SimulationContext, start: datetime, end: datetime) -> int:
    """Residents file street reports: none, one or two a day across the city, each by a
    resident drawn for it, about a street and a category drawn for it.

    Carries on after the latest resident's report (reports are filed in time order), so a
    period lived again files nothing twice. The seeded past is the seed's."""
    if ctx.history:
        return 0
    streets = list(
        db.session.execute(select(GovernmentStreet).order_by(GovernmentStreet.id)).scalars()
    )
    residents = list(
        db.session.execute(
            select(User.id).where(User.role == "customer").order_by(User.id)
        ).scalars()
    )
    if not streets or not residents:
        return 0
    latest = db.session.execute(
        select(func.max(GovernmentRepair.created_at)).where(
            GovernmentRepair.reporter_id.is_not(None)
        )
    ).scalar()
    after = _aware(latest) if latest is not None else None
    reports: list[dict[str, Any]] = []
    day = start.date()
    while day <= end.date():
        count = 0 if ctx.draw("reports", day) < 0.4 else (1 if ctx.draw("two", day) < 0.67 else 2)
        for n in range(count):
            at = datetime.combine(day, time(7), tzinfo=UTC) + timedelta(
                minutes=int(840 * ctx.draw("report-at", day, n))
            )
            if not start <= at < end or (after is not None and at <= after):
                continue
            street = streets[int(ctx.draw("street", day, n) * len(streets))]
            category = REPORTED[int(ctx.draw("category", day, n) * len(REPORTED))]
            reports.append(
                {
                    "category": category,
                    "location": street.name[:160],
                    "description": str(REPORT_TEXTS[category]),
                    "x": (street.x1 + street.x2) / 2,
                    "y": (street.y1 + street.y2) / 2,
                    "status": "reported",
                    "reporter_id": residents[int(ctx.draw("who", day, n) * len(residents))],
                    "created_at": at,
                }
            )
        day += timedelta(days=1)
    if not reports:
        return 0
    # a day's second report may be drawn earlier than its first: file them in time order, so
    # the first of them is the earliest and the read below finds every one
    reports.sort(key=lambda r: r["created_at"])
    insert_batches(GovernmentRepair, reports)
    filed = db.session.execute(
        select(
            GovernmentRepair.id,
            GovernmentRepair.reporter_id,
            GovernmentRepair.category,
            GovernmentRepair.location,
            GovernmentRepair.created_at,
        ).where(
            GovernmentRepair.reporter_id.is_not(None),
            GovernmentRepair.created_at >= reports[0]["created_at"],
            GovernmentRepair.created_at < end,
        )
    ).all()
    steps, events = [], []
    for repair_id, reporter_id, category, location, created_at in filed:
        steps.append(
            {
                "repair_id": repair_id,
                "from_status": "",
                "to_status": "reported",
                "actor_id": reporter_id,
                "note": "",
                "at": created_at,
            }
        )
        events.append(
            {
                "user_id": reporter_id,
                "vertical": "government",
                "kind": "report_submitted",
                "subject": _l(
                    "Report #%(number)s: %(category)s",
                    number=repair_id,
                    category=CATEGORY_LABELS.get(category, category),
                ),
                "summary": location,
                "link": link("government.citizen_report", repair_id=repair_id),
                "key": f"government.report_submitted:{repair_id}",
                "occurred_at": created_at,
            }
        )
    return len(reports) + insert_batches(GovernmentRepairEvent, steps) + record_bulk(events)


def _aware(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite's max() of a decorated column comes back raw
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
