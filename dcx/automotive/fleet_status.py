"""Fleet status: each car's health, service due date and alerts, in a constant number of queries
for any number of cars."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from dcx.automotive import codes as dtc
from dcx.automotive.models import (
    AutomotiveReading,
    AutomotiveRecall,
    AutomotiveRecallCoverage,
    AutomotiveTroubleCode,
    AutomotiveVehicle,
    CoverageStatus,
)
from dcx.automotive.rules import (
    DEFAULT_DAILY_KM,
    HEALTH_LABELS,
    LOW_BATTERY_V,
    LOW_OIL_LIFE_PCT,
    LOW_TYRE_KPA,
    URGENCY_LABELS,
)
from dcx.extensions import db
from dcx.platform import clock


def latest_readings(vehicle_ids: Sequence[int]) -> dict[int, AutomotiveReading]:
    """Each vehicle's most recent reading, in one grouped query."""
    if not vehicle_ids:
        return {}
    newest = (
        select(AutomotiveReading.vehicle_id, func.max(AutomotiveReading.recorded_at).label("at"))
        .where(AutomotiveReading.vehicle_id.in_(vehicle_ids))
        .group_by(AutomotiveReading.vehicle_id)
        .subquery()
    )
    rows = db.session.execute(
        select(AutomotiveReading).join(
            newest,
            and_(
                AutomotiveReading.vehicle_id == newest.c.vehicle_id,
                AutomotiveReading.recorded_at == newest.c.at,
            ),
        )
    ).scalars()
    return {r.vehicle_id: r for r in rows}


def daily_distances(vehicle_ids: Sequence[int], days: int = 30) -> dict[int, float]:
    """Average km per day over the last ``days`` days, per vehicle, in one grouped query."""
    if not vehicle_ids:
        return {}
    since = clock.now() - timedelta(days=days)
    rows = db.session.execute(
        select(
            AutomotiveReading.vehicle_id,
            func.min(AutomotiveReading.odometer_km),
            func.max(AutomotiveReading.odometer_km),
            func.min(AutomotiveReading.recorded_at),
            func.max(AutomotiveReading.recorded_at),
        )
        .where(
            AutomotiveReading.vehicle_id.in_(vehicle_ids), AutomotiveReading.recorded_at >= since
        )
        .group_by(AutomotiveReading.vehicle_id)
    ).all()
    result = {}
    for vehicle_id, low, high, first, last in rows:
        first = first if first.tzinfo else first.replace(tzinfo=UTC)
        last = last if last.tzinfo else last.replace(tzinfo=UTC)
        span = (last - first).total_seconds() / 86400
        if span >= 7:
            result[vehicle_id] = (high - low) / span
    return result


def active_codes(vehicle_ids: Sequence[int]) -> dict[int, list[AutomotiveTroubleCode]]:
    """Each vehicle's uncleared trouble codes, confirmed first, in one query."""
    found: dict[int, list[AutomotiveTroubleCode]] = defaultdict(list)
    if vehicle_ids:
        rows = db.session.execute(
            select(AutomotiveTroubleCode)
            .where(
                AutomotiveTroubleCode.vehicle_id.in_(vehicle_ids),
                AutomotiveTroubleCode.cleared_at.is_(None),
            )
            .order_by(AutomotiveTroubleCode.status, AutomotiveTroubleCode.first_seen_at.desc())
        ).scalars()
        for row in rows:
            found[row.vehicle_id].append(row)
    return found


def open_recalls(vehicle_ids: Sequence[int]) -> dict[int, list[AutomotiveRecallCoverage]]:
    """Each vehicle's recalls not yet remedied, with the campaign, in one query."""
    found: dict[int, list[AutomotiveRecallCoverage]] = defaultdict(list)
    if vehicle_ids:
        rows = db.session.execute(
            select(AutomotiveRecallCoverage, AutomotiveRecall)
            .join(AutomotiveRecall, AutomotiveRecall.id == AutomotiveRecallCoverage.recall_id)
            .where(
                AutomotiveRecallCoverage.vehicle_id.in_(vehicle_ids),
                AutomotiveRecallCoverage.status != CoverageStatus.REMEDIED,
            )
            .order_by(AutomotiveRecall.published_at.desc())
        ).all()
        for coverage, _recall in rows:
            found[coverage.vehicle_id].append(coverage)
    return found


@dataclass(frozen=True)
class ServiceDue:
    """When the next service is due, by distance or time, whichever comes first."""

    due_on: date
    due_km: int
    km_left: int
    days_left: int
    by: str  # "distance" or "time"
    urgency: str
    daily_km: float

    @property
    def urgency_label(self) -> str:
        """The urgency in words."""
        return str(URGENCY_LABELS[self.urgency])


def service_due(
    vehicle: AutomotiveVehicle, odometer_km: int | None, daily_km: float | None, today: date
):
    """Predict the next service from the interval, the odometer and the average daily distance.

    Time: last service date plus the interval. Distance: the km left divided by the car's
    average daily distance gives a date. The earlier of the two is the due date.
    """
    odometer = odometer_km if odometer_km is not None else vehicle.last_service_km
    daily = daily_km if daily_km and daily_km > 0 else DEFAULT_DAILY_KM
    due_km = vehicle.last_service_km + vehicle.service_interval_km
    km_left = due_km - odometer
    by_time = vehicle.last_service_on + timedelta(days=vehicle.service_interval_days)
    by_distance = today + timedelta(days=int(max(km_left, 0) / daily))
    due_on, by = (by_distance, "distance") if by_distance < by_time else (by_time, "time")
    days_left = (due_on - today).days
    if km_left <= 0 or days_left < 0:
        urgency = "overdue"
    elif km_left <= 500 or days_left <= 14:
        urgency = "urgent"
    elif km_left <= 1500 or days_left <= 45:
        urgency = "due_soon"
    else:
        urgency = "not_urgent"
    return ServiceDue(due_on, due_km, km_left, days_left, by, urgency, round(daily, 1))


@dataclass
class VehicleStatus:
    """Everything the dashboard shows about one car."""

    vehicle: AutomotiveVehicle
    reading: AutomotiveReading | None
    codes: list[AutomotiveTroubleCode]
    recalls: list[AutomotiveRecallCoverage]
    due: ServiceDue
    health: str
    reasons: list[str]

    @property
    def health_label(self) -> str:
        """The health in words."""
        return str(HEALTH_LABELS[self.health])


def assess_health(
    reading: AutomotiveReading | None,
    codes: Iterable[AutomotiveTroubleCode],
    recalls: Iterable[AutomotiveRecallCoverage],
    due: ServiceDue,
) -> tuple[str, list[str]]:
    """Good, attention or act now, with the reasons, from the latest state of a car."""
    act_now: list[str] = []
    attention: list[str] = []
    for row in codes:
        info = dtc.explain(row.code)
        # The card tells the driver to stop for such a code, pending or confirmed: so does this.
        if info.drive == "no":
            act_now.append(str(_l("%(code)s: %(title)s", code=row.code, title=info.title)))
        else:
            attention.append(str(_l("%(code)s: %(title)s", code=row.code, title=info.title)))
    for coverage in recalls:
        message = str(_l("Open recall %(number)s", number=coverage.recall.campaign_number))
        (act_now if coverage.recall.do_not_drive else attention).append(message)
    if due.urgency == "overdue":
        attention.append(str(_l("Service overdue")))
    elif due.urgency == "urgent":
        attention.append(str(_l("Service due within two weeks")))
    if reading is not None:
        if reading.battery_v is not None and reading.battery_v < LOW_BATTERY_V:
            attention.append(str(_l("Battery voltage low")))
        if any(t is not None and t < LOW_TYRE_KPA for t in reading.tyres):
            attention.append(str(_l("Tyre pressure low")))
        if reading.oil_life_pct is not None and reading.oil_life_pct < LOW_OIL_LIFE_PCT:
            attention.append(str(_l("Oil change needed soon")))
    if act_now:
        return "act_now", act_now + attention
    return ("attention", attention) if attention else ("good", [])


def fleet_status(
    vehicles: Sequence[AutomotiveVehicle], today: date | None = None
) -> list[VehicleStatus]:
    """The status of many cars in a fixed number of queries (no query per car)."""
    today = today or clock.today()
    ids = [v.id for v in vehicles]
    latest = latest_readings(ids)
    daily = daily_distances(ids)
    codes = active_codes(ids)
    recalls = open_recalls(ids)
    result = []
    for vehicle in vehicles:
        reading = latest.get(vehicle.id)
        due = service_due(
            vehicle, reading.odometer_km if reading else None, daily.get(vehicle.id), today
        )
        health, reasons = assess_health(reading, codes[vehicle.id], recalls[vehicle.id], due)
        result.append(
            VehicleStatus(
                vehicle, reading, codes[vehicle.id], recalls[vehicle.id], due, health, reasons
            )
        )
    return result


def reading_history(vehicle_id: int, days: int = 90) -> list[AutomotiveReading]:
    """One reading per day (the day's last) over the last ``days`` days, oldest first."""
    since = clock.now() - timedelta(days=days)
    day = func.date(AutomotiveReading.recorded_at)
    newest = (
        select(func.max(AutomotiveReading.id).label("id"))
        .where(AutomotiveReading.vehicle_id == vehicle_id, AutomotiveReading.recorded_at >= since)
        .group_by(day)
        .subquery()
    )
    return list(
        db.session.execute(
            select(AutomotiveReading)
            .join(newest, newest.c.id == AutomotiveReading.id)
            .order_by(AutomotiveReading.recorded_at)
        ).scalars()
    )
