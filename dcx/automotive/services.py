"""Automotive domain rules: vehicle health, telemetry, service due dates, recalls, money.

Plain functions over the models; they take explicit arguments (never ``request``), add and
flush, and leave the commit to the view, job or command that called them.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from dcx.automotive import codes as dtc
from dcx.automotive.confirmations import confirm_booking
from dcx.automotive.models import (
    AutomotiveAppointment,
    AutomotiveBill,
    AutomotiveLoan,
    AutomotiveReading,
    AutomotiveRecall,
    AutomotiveRecallCoverage,
    AutomotiveTroubleCode,
    AutomotiveVehicle,
)
from dcx.database import insert_ignoring_duplicates
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.api.services import hash_token, new_token
from dcx.platform.links import link
from dcx.platform.notify.services import in_locale, notify_bulk, recipient_locales
from dcx.platform.timeline.services import record

KEY = "automotive"
VIN_FORMAT = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")  # I, O and Q are never used in a VIN
URGENCIES = ("not_urgent", "due_soon", "urgent", "overdue")
URGENCY_LABELS = {
    "not_urgent": _l("Not urgent"),
    "due_soon": _l("Due soon"),
    "urgent": _l("Urgent"),
    "overdue": _l("Overdue"),
}
HEALTH_LABELS = {"good": _l("Good"), "attention": _l("Needs attention"), "act_now": _l("Act now")}
DEALERS = (
    "DCX Motors City Centre",
    "DCX Motors North",
    "DCX Motors Airport",
)
SLOT_HOURS = (8, 10, 13, 15)
SLOT_FORMAT = "EEE d MMM y, HH:mm"  # a slot as people read it: "Tue 24 Nov 2026, 14:00" (UTC)
LOW_BATTERY_V = 12.0
LOW_TYRE_KPA = 200.0
LOW_OIL_LIFE_PCT = 15.0
DEFAULT_DAILY_KM = 35.0  # until a car has sent two weeks of readings


# --- vehicles and tokens -------------------------------------------------------------------


def normalise_vin(vin: str) -> str:
    """Upper-case a VIN and drop spaces."""
    return re.sub(r"\s+", "", vin or "").upper()


def is_valid_vin(vin: str) -> bool:
    """A VIN is 17 letters and digits, never I, O or Q."""
    return bool(VIN_FORMAT.match(normalise_vin(vin)))


def vehicles_of(user_id: int) -> list[AutomotiveVehicle]:
    """The customer's vehicles, oldest first."""
    return list(
        db.session.execute(
            select(AutomotiveVehicle)
            .where(AutomotiveVehicle.user_id == user_id)
            .order_by(AutomotiveVehicle.id)
        ).scalars()
    )


def add_vehicle(
    user_id: int,
    vin: str,
    make: str,
    model: str,
    year: int,
    plate: str = "",
    colour: str = "",
    fuel_type: str = "petrol",
    last_service_on: date | None = None,
    last_service_km: int = 0,
) -> AutomotiveVehicle:
    """Register a car for its owner; ValueError if the VIN is malformed or already taken."""
    vin = normalise_vin(vin)
    if not is_valid_vin(vin):
        raise ValueError("invalid VIN")
    if db.session.execute(select(AutomotiveVehicle.id).where(AutomotiveVehicle.vin == vin)).first():
        raise ValueError("VIN already registered")
    vehicle = AutomotiveVehicle(
        user_id=user_id,
        vin=vin,
        make=make.strip(),
        model=model.strip(),
        year=year,
        plate=plate.strip().upper(),
        colour=colour.strip(),
        fuel_type=fuel_type,
        last_service_on=last_service_on or clock.today(),
        last_service_km=last_service_km,
    )
    db.session.add(vehicle)
    db.session.flush()
    record(
        user_id,
        KEY,
        "vehicle_added",
        _l("%(name)s added", name=vehicle.name),
        link=link("automotive.vehicle", vehicle_id=vehicle.id),
        key=f"automotive.vehicle:{vehicle.id}",
    )
    return vehicle


def connect_vehicle(vehicle: AutomotiveVehicle) -> str:
    """Issue a new telematics token (replacing any old one); returns it, to show once."""
    token, token_hash = new_token("car")
    vehicle.token_hash = token_hash
    vehicle.token_issued_at = clock.now()
    vehicle.token_revoked_at = None
    db.session.flush()
    return token


def revoke_token(vehicle: AutomotiveVehicle) -> None:
    """Stop accepting the car's token at once."""
    vehicle.token_hash = None
    vehicle.token_revoked_at = clock.now()
    db.session.flush()


def vehicle_for_token(token: str | None) -> AutomotiveVehicle | None:
    """The vehicle whose active token this is, or None."""
    if not token:
        return None
    return db.session.execute(
        select(AutomotiveVehicle).where(AutomotiveVehicle.token_hash == hash_token(token))
    ).scalar_one_or_none()


# --- telemetry -----------------------------------------------------------------------------


@dataclass
class IngestResult:
    """What one batch of readings did."""

    accepted: int = 0
    duplicates: int = 0
    new_codes: list[str] = field(default_factory=list)
    confirmed_codes: list[str] = field(default_factory=list)
    cleared_codes: list[str] = field(default_factory=list)


def _parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def ingest_readings(
    vehicle: AutomotiveVehicle, readings: Sequence[Mapping[str, Any]]
) -> IngestResult:
    """Store a batch of readings and update the car's trouble codes.

    Readings are keyed by (vehicle, time), so a car that resends a batch adds nothing twice.
    A code seen for the first time opens a pending or confirmed row; a pending code reported
    as confirmed is upgraded; codes listed under ``cleared_codes`` are closed.
    """
    result = IngestResult()
    now = clock.now()
    rows = []
    events: list[tuple[datetime, Mapping[str, Any]]] = []
    for item in readings:
        recorded_at = _parse_time(item["recorded_at"]) if item.get("recorded_at") else now
        if recorded_at > now + timedelta(minutes=10):
            raise ValueError(f"reading time {recorded_at.isoformat()} is in the future")
        tyres = item.get("tyres_kpa") or {}
        location = item.get("location") or {}
        rows.append(
            {
                "vehicle_id": vehicle.id,
                "recorded_at": recorded_at,
                "odometer_km": int(item["odometer_km"]),
                "energy_pct": item.get("energy_pct"),
                "battery_v": item.get("battery_v"),
                "oil_life_pct": item.get("oil_life_pct"),
                "tyre_fl_kpa": tyres.get("fl"),
                "tyre_fr_kpa": tyres.get("fr"),
                "tyre_rl_kpa": tyres.get("rl"),
                "tyre_rr_kpa": tyres.get("rr"),
                "latitude": location.get("lat"),
                "longitude": location.get("lon"),
            }
        )
        events.append((recorded_at, item))
    before = _reading_count(vehicle.id)
    for start in range(0, len(rows), 500):
        db.session.execute(insert_ignoring_duplicates(AutomotiveReading), rows[start : start + 500])
    result.accepted = _reading_count(vehicle.id) - before
    result.duplicates = len(rows) - result.accepted
    events.sort(key=lambda pair: pair[0])
    for recorded_at, item in events:
        _apply_codes(vehicle, recorded_at, item, result)
    db.session.flush()
    return result


def _reading_count(vehicle_id: int) -> int:
    return db.session.execute(
        select(func.count()).where(AutomotiveReading.vehicle_id == vehicle_id)
    ).scalar_one()


def _apply_codes(
    vehicle: AutomotiveVehicle, seen_at: datetime, item: Mapping[str, Any], result: IngestResult
) -> None:
    reported = item.get("codes") or []
    cleared = {dtc.normalise(c) for c in item.get("cleared_codes") or []}
    if not reported and not cleared:
        return
    active = {
        row.code: row
        for row in db.session.execute(
            select(AutomotiveTroubleCode).where(
                AutomotiveTroubleCode.vehicle_id == vehicle.id,
                AutomotiveTroubleCode.cleared_at.is_(None),
            )
        ).scalars()
    }
    for entry in reported:
        code = dtc.normalise(entry["code"])
        status = entry.get("status", "confirmed")
        row = active.get(code)
        if row is None:
            row = AutomotiveTroubleCode(
                vehicle_id=vehicle.id,
                code=code,
                status=status,
                first_seen_at=seen_at,
                last_seen_at=seen_at,
                confirmed_at=seen_at if status == "confirmed" else None,
            )
            db.session.add(row)
            db.session.flush()
            active[code] = row
            result.new_codes.append(code)
            info = dtc.explain(code)
            record(
                vehicle.user_id,
                KEY,
                "code_reported",
                # The code's title and advice too are rendered in the owner's language (the
                # car, not the owner, sends the readings).
                _l(
                    "%(car)s: %(code)s %(title)s",
                    car=vehicle.name,
                    code=code,
                    title=LazyString(lambda code=code: dtc.explain(code).title),
                ),
                summary=LazyString(lambda code=code: dtc.explain(code).drive_advice),
                data={"code": code, "severity": info.severity, "status": status},
                link=link("automotive.vehicle", vehicle_id=vehicle.id, _anchor="codes"),
                key=f"automotive.code:{row.id}",
                occurred_at=seen_at,
            )
            continue
        if seen_at > row.last_seen_at:
            row.last_seen_at = seen_at
        if status == "confirmed" and row.status == "pending":
            row.status = "confirmed"
            row.confirmed_at = seen_at
            result.confirmed_codes.append(code)
    for code in cleared:
        row = active.get(code)
        if row is not None:
            row.cleared_at = seen_at
            result.cleared_codes.append(code)


def simulate_drive(
    vehicle_id: int,
    readings: int,
    rng: Any,
    step: timedelta = timedelta(hours=1),
    start: datetime | None = None,
    fault: str | None = None,
) -> IngestResult:
    """Drive a car for ``readings`` steps from its last reading and ingest what it "sends".

    The drive ends now (or starts at ``start``). The same service the API calls does the
    storing, so the dashboard moves exactly as it does for a real car. ``fault`` (a J2012 code) is reported, pending, in the last reading.
    """
    vehicle = db.session.get(AutomotiveVehicle, vehicle_id)
    if vehicle is None:
        raise ValueError(f"no vehicle {vehicle_id}")
    last = latest_readings([vehicle_id]).get(vehicle_id)
    now = clock.now()
    moment = start or now - step * max(readings - 1, 0)
    if start is None and last is not None and moment <= last.recorded_at:
        # Squeeze the drive between the last reading and now: a car never reports the future.
        step = (now - last.recorded_at) / readings
        moment = last.recorded_at + step
    odometer = last.odometer_km if last else vehicle.last_service_km
    energy = last.energy_pct if last and last.energy_pct is not None else 80.0
    battery = last.battery_v if last and last.battery_v is not None else 12.6
    oil = last.oil_life_pct if last and last.oil_life_pct is not None else 90.0
    tyres = [t if t is not None else 240.0 for t in (last.tyres if last else [None] * 4)]
    lat, lon = (
        (last.latitude, last.longitude) if last and last.latitude is not None else (44.43, 26.10)
    )
    batch = []
    for n in range(readings):
        distance = rng.uniform(0, 2.5) * step.total_seconds() / 3600 * 20
        odometer += int(distance)
        energy -= distance / 6
        if energy < 12:
            energy = rng.uniform(85, 100)  # refuelled or recharged
        oil = max(0.0, oil - distance / 150)
        battery = min(12.8, max(11.2, battery + rng.uniform(-0.05, 0.05)))
        tyres = [max(150.0, t - rng.uniform(0, 0.3)) for t in tyres]
        lat += rng.uniform(-0.01, 0.01)
        lon += rng.uniform(-0.01, 0.01)
        reading = {
            "recorded_at": moment.isoformat(),
            "odometer_km": odometer,
            "energy_pct": round(energy, 1),
            "battery_v": round(battery, 2),
            "oil_life_pct": round(oil, 1),
            "tyres_kpa": dict(
                zip(("fl", "fr", "rl", "rr"), (round(t, 1) for t in tyres), strict=True)
            ),
            "location": {"lat": round(lat, 5), "lon": round(lon, 5)},
        }
        if fault and n == readings - 1:
            reading["codes"] = [{"code": fault, "status": "pending"}]
        batch.append(reading)
        moment += step
    return ingest_readings(vehicle, batch)


# --- fleet status (constant number of queries for any number of cars) ---------------------


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
                AutomotiveRecallCoverage.status != "remedied",
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


# --- appointments --------------------------------------------------------------------------


def available_slots(dealer: str, today: date, days: int = 10) -> list[datetime]:
    """Free slots at ``dealer`` on the next working days (the day after ``today`` onwards)."""
    candidates: list[datetime] = []
    day = today
    while len(candidates) < days * len(SLOT_HOURS):
        day += timedelta(days=1)
        if day.weekday() >= 5:
            continue
        candidates.extend(datetime.combine(day, time(hour), tzinfo=UTC) for hour in SLOT_HOURS)
    taken = set(
        db.session.execute(
            select(AutomotiveAppointment.starts_at).where(
                AutomotiveAppointment.dealer == dealer,
                AutomotiveAppointment.status == "booked",
                AutomotiveAppointment.starts_at >= candidates[0],
            )
        ).scalars()
    )
    return [slot for slot in candidates if slot not in taken]


def book_appointment(
    vehicle: AutomotiveVehicle,
    dealer: str,
    starts_at: datetime,
    reason: str,
    code: str = "",
    recall_id: int | None = None,
) -> AutomotiveAppointment:
    """Book a service visit; ValueError if the dealer or slot is not available."""
    if dealer not in DEALERS:
        raise ValueError("unknown dealer")
    if starts_at not in available_slots(dealer, clock.today()):
        raise ValueError("slot not available")
    code = dtc.normalise(code)
    if code and not dtc.is_valid(code):
        code = ""
    appointment = AutomotiveAppointment(
        user_id=vehicle.user_id,
        vehicle_id=vehicle.id,
        dealer=dealer,
        starts_at=starts_at,
        reason=reason.strip()[:300],
        code=code,
        recall_id=recall_id,
    )
    db.session.add(appointment)
    if recall_id is not None:
        coverage = db.session.execute(
            select(AutomotiveRecallCoverage).where(
                AutomotiveRecallCoverage.recall_id == recall_id,
                AutomotiveRecallCoverage.vehicle_id == vehicle.id,
            )
        ).scalar_one_or_none()
        if coverage is not None and coverage.status == "notified":
            coverage.status = "booked"
    db.session.flush()
    record(
        vehicle.user_id,
        KEY,
        "service_booked",
        _l("Service booked for %(name)s", name=vehicle.name),
        # Slots are UTC and say so; the date is written in the owner's language.
        summary=LazyString(
            lambda: (
                f"{dealer} · {format_datetime(starts_at, SLOT_FORMAT, rebase=False)} UTC"
                f" · {appointment.reason}"
            )
        ),
        link=link("automotive.vehicle", vehicle_id=vehicle.id),
        key=f"automotive.appointment:{appointment.id}",
    )
    confirm_booking(
        appointment, vehicle, link("automotive.vehicle", vehicle_id=vehicle.id), SLOT_FORMAT
    )
    return appointment


def complete_appointment(appointment: AutomotiveAppointment) -> None:
    """The dealer finished the visit: what it was for is done.

    A recall visit remedies the recall; a visit about a code clears that code; a scheduled
    service restarts the service interval from today's date and odometer.
    """
    if appointment.status != "booked":
        return
    appointment.status = "done"
    vehicle = appointment.vehicle
    now = clock.now()
    if appointment.recall_id is not None:
        coverage = db.session.execute(
            select(AutomotiveRecallCoverage).where(
                AutomotiveRecallCoverage.recall_id == appointment.recall_id,
                AutomotiveRecallCoverage.vehicle_id == vehicle.id,
            )
        ).scalar_one_or_none()
        if coverage is not None:
            mark_remedied(coverage)
    elif appointment.code:
        for row in active_codes([vehicle.id])[vehicle.id]:
            if row.code == appointment.code:
                row.cleared_at = now
    else:
        reading = latest_readings([vehicle.id]).get(vehicle.id)
        vehicle.last_service_on = clock.today()
        if reading is not None:
            vehicle.last_service_km = reading.odometer_km
    db.session.flush()
    record(
        vehicle.user_id,
        KEY,
        "service_done",
        _l("Visit completed for %(name)s", name=vehicle.name),
        summary=appointment.reason,
        link=link("automotive.vehicle", vehicle_id=vehicle.id),
        key=f"automotive.appointment_done:{appointment.id}",
    )


def booked_appointments() -> list[AutomotiveAppointment]:
    """Every booked visit at the dealers, soonest first (the service advisor's list)."""
    return list(
        db.session.execute(
            select(AutomotiveAppointment)
            .options(joinedload(AutomotiveAppointment.vehicle))
            .where(AutomotiveAppointment.status == "booked")
            .order_by(AutomotiveAppointment.starts_at)
            .limit(200)
        ).scalars()
    )


def upcoming_appointments(user_id: int) -> list[AutomotiveAppointment]:
    """The customer's booked visits from today on, soonest first."""
    start = datetime.combine(clock.today(), time(0), tzinfo=UTC)
    return list(
        db.session.execute(
            select(AutomotiveAppointment)
            .where(
                AutomotiveAppointment.user_id == user_id,
                AutomotiveAppointment.status == "booked",
                AutomotiveAppointment.starts_at >= start,
            )
            .order_by(AutomotiveAppointment.starts_at)
        ).scalars()
    )


# --- recalls -------------------------------------------------------------------------------


def publish_recall(**fields: Any) -> AutomotiveRecall:
    """Publish (or find, by campaign number) a maker's recall and notify affected owners."""
    recall = db.session.execute(
        select(AutomotiveRecall).where(
            AutomotiveRecall.campaign_number == fields["campaign_number"]
        )
    ).scalar_one_or_none()
    if recall is None:
        recall = AutomotiveRecall(**fields)
        db.session.add(recall)
        db.session.flush()
    match_recalls()
    return recall


def match_recalls() -> int:
    """Cover every vehicle a recall affects and notify its owner; returns new notices.

    Set-based and idempotent: the coverage rows are inserted from a select that skips
    vehicles already covered, and the notice key is per (recall, vehicle).
    """
    missing = (
        select(
            AutomotiveRecall.id,
            AutomotiveVehicle.id,
            AutomotiveVehicle.user_id,
            AutomotiveRecall.campaign_number,
            AutomotiveRecall.component,
            AutomotiveRecall.do_not_drive,
            AutomotiveVehicle.make,
            AutomotiveVehicle.model,
        )
        .join(
            AutomotiveVehicle,
            and_(
                func.lower(AutomotiveVehicle.make) == func.lower(AutomotiveRecall.make),
                func.lower(AutomotiveVehicle.model) == func.lower(AutomotiveRecall.model),
                AutomotiveVehicle.year.between(
                    AutomotiveRecall.year_from, AutomotiveRecall.year_to
                ),
            ),
        )
        .outerjoin(
            AutomotiveRecallCoverage,
            and_(
                AutomotiveRecallCoverage.recall_id == AutomotiveRecall.id,
                AutomotiveRecallCoverage.vehicle_id == AutomotiveVehicle.id,
            ),
        )
        .where(AutomotiveRecallCoverage.id.is_(None))
    )
    rows = db.session.execute(missing).all()
    if not rows:
        return 0
    now = clock.now()
    db.session.execute(
        insert_ignoring_duplicates(AutomotiveRecallCoverage),
        [
            {"recall_id": r[0], "vehicle_id": r[1], "status": "notified", "notified_at": now}
            for r in rows
        ],
    )
    recalls_link = link("automotive.recalls")
    locales = recipient_locales(row[2] for row in rows)
    notices = []
    for recall_id, vehicle_id, user_id, number, component, stop, make, model in rows:
        with in_locale(locales[user_id]):
            title = str(
                _l(
                    "Recall %(number)s affects your %(car)s",
                    number=number,
                    car=f"{make} {model}",
                )
            )
            body = str(
                _l(
                    "Do not drive the car until it is repaired: %(component)s.",
                    component=component,
                )
                if stop
                else _l(
                    "Component: %(component)s. The repair is free; book a visit.",
                    component=component,
                )
            )
        notices.append(
            {
                "user_id": user_id,
                "title": title,
                "body": body,
                "link": recalls_link,
                "key": f"automotive.recall:{recall_id}:{vehicle_id}",
            }
        )
    notify_bulk("automotive.recall", notices)
    for recall_id, _vehicle_id, user_id, number, component, _stop, make, model in rows:
        record(
            user_id,
            KEY,
            "recall_notice",
            _l("Recall %(number)s for your %(car)s", number=number, car=f"{make} {model}"),
            summary=component,
            link=recalls_link,
            key=f"automotive.recall:{recall_id}:{_vehicle_id}",
        )
    return len(rows)


def recalls_of(
    user_id: int,
) -> list[tuple[AutomotiveRecallCoverage, AutomotiveRecall, AutomotiveVehicle]]:
    """Every recall covering the customer's vehicles, open ones first."""
    return list(
        db.session.execute(
            select(AutomotiveRecallCoverage, AutomotiveRecall, AutomotiveVehicle)
            .join(AutomotiveRecall, AutomotiveRecall.id == AutomotiveRecallCoverage.recall_id)
            .join(AutomotiveVehicle, AutomotiveVehicle.id == AutomotiveRecallCoverage.vehicle_id)
            .where(AutomotiveVehicle.user_id == user_id)
            .order_by(
                AutomotiveRecallCoverage.status == "remedied", AutomotiveRecall.published_at.desc()
            )
        ).all()
    )


def mark_remedied(coverage: AutomotiveRecallCoverage) -> None:
    """The dealer did the recall repair on this vehicle."""
    coverage.status = "remedied"
    coverage.remedied_at = clock.now()
    db.session.flush()


def recall_coverage_summary() -> list[dict[str, Any]]:
    """Per campaign: how many vehicles are at each step, notified (waiting to book), booked
    and remedied, and how many were told at all (``told``, the three together) (one query)."""
    rows = db.session.execute(
        select(
            AutomotiveRecall,
            AutomotiveRecallCoverage.status,
            func.count(AutomotiveRecallCoverage.id),
        )
        .outerjoin(
            AutomotiveRecallCoverage, AutomotiveRecallCoverage.recall_id == AutomotiveRecall.id
        )
        .group_by(AutomotiveRecall.id, AutomotiveRecallCoverage.status)
        .order_by(AutomotiveRecall.published_at.desc())
    ).all()
    summary: dict[int, dict[str, Any]] = {}
    for recall, status, count in rows:
        entry = summary.setdefault(
            recall.id, {"recall": recall, "notified": 0, "booked": 0, "remedied": 0}
        )
        if status:
            entry[status] = count
    for entry in summary.values():
        entry["told"] = entry["notified"] + entry["booked"] + entry["remedied"]
    return list(summary.values())


# --- financing and bills -------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clipped to the month's last day."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def monthly_payment(principal_minor: int, rate_bp: int, term_months: int) -> int:
    """The level monthly instalment that repays ``principal`` over the term (annuity)."""
    rate = rate_bp / 10000 / 12
    if rate == 0:
        return -(-principal_minor // term_months)
    return round(principal_minor * rate / (1 - (1 + rate) ** -term_months))


@dataclass(frozen=True)
class ScheduleRow:
    """One instalment of an amortisation table, in minor units."""

    number: int
    due_on: date
    payment: int
    interest: int
    principal: int
    balance: int


def amortisation(loan: AutomotiveLoan) -> list[ScheduleRow]:
    """The full repayment schedule; the last instalment absorbs the rounding."""
    rate = loan.rate_bp / 10000 / 12
    payment = monthly_payment(loan.principal_minor, loan.rate_bp, loan.term_months)
    balance = loan.principal_minor
    rows = []
    for n in range(1, loan.term_months + 1):
        interest = round(balance * rate)
        principal = payment - interest if n < loan.term_months else balance
        balance -= principal
        rows.append(
            ScheduleRow(
                n,
                add_months(loan.first_due_on, n - 1),
                principal + interest,
                interest,
                principal,
                balance,
            )
        )
    return rows


def instalment_reference(loan: AutomotiveLoan, number: int) -> str:
    """The natural key of a loan's n-th instalment bill."""
    return f"{loan.reference}-{number:03d}"


def issue_instalments(loan: AutomotiveLoan, through: date, locale: str | None = None) -> int:
    """Create the instalment bills due up to ``through`` that do not exist yet.

    A bill's title is stored text, written in the owner's ``locale`` (looked up when not
    given): the daily job that issues most of them runs in no one's language.
    """
    if locale is None:
        locale = recipient_locales([loan.user_id])[loan.user_id]
    with in_locale(locale):
        rows = [
            {
                "user_id": loan.user_id,
                "vehicle_id": loan.vehicle_id,
                "loan_id": loan.id,
                "reference": instalment_reference(loan, row.number),
                "kind": "instalment",
                "title": _(
                    "%(lender)s instalment %(n)s of %(term)s",
                    lender=loan.lender,
                    n=row.number,
                    term=loan.term_months,
                ),
                "amount_minor": row.payment,
                "currency": loan.currency,
                "due_on": row.due_on,
            }
            for row in amortisation(loan)
            if row.due_on <= through
        ]
    if not rows:
        return 0
    before = db.session.execute(
        select(func.count()).where(AutomotiveBill.loan_id == loan.id)
    ).scalar_one()
    db.session.execute(insert_ignoring_duplicates(AutomotiveBill), rows)
    after = db.session.execute(
        select(func.count()).where(AutomotiveBill.loan_id == loan.id)
    ).scalar_one()
    return after - before


@dataclass(frozen=True)
class LoanPosition:
    """Where a loan stands today: instalments paid, balance, next due date, payoff figure."""

    payment: int
    paid_count: int
    balance: int
    next_due_on: date | None
    payoff: int


def loan_position(loan: AutomotiveLoan, today: date) -> LoanPosition:
    """Balance after the instalments paid; the payoff adds the interest accrued since the last."""
    schedule = amortisation(loan)
    paid = db.session.execute(
        select(func.count()).where(
            AutomotiveBill.loan_id == loan.id, AutomotiveBill.paid_at.is_not(None)
        )
    ).scalar_one()
    balance = schedule[paid - 1].balance if paid else loan.principal_minor
    next_row = schedule[paid] if paid < len(schedule) else None
    last_due = schedule[paid - 1].due_on if paid else add_months(loan.first_due_on, -1)
    # Interest accrues day by day through the current instalment period, so on the due
    # date the payoff is exactly the balance plus that instalment's interest.
    period_end = next_row.due_on if next_row else last_due
    period_days = max(1, (period_end - last_due).days)
    days = min(max(0, (today - last_due).days), period_days)
    accrued = round(balance * loan.rate_bp / 10000 / 12 * days / period_days)
    return LoanPosition(
        payment=schedule[0].payment,
        paid_count=paid,
        balance=balance,
        next_due_on=next_row.due_on if next_row else None,
        payoff=balance + accrued if balance else 0,
    )


def loans_of(user_id: int) -> list[AutomotiveLoan]:
    """The customer's loans and leases."""
    return list(
        db.session.execute(
            select(AutomotiveLoan)
            .where(AutomotiveLoan.user_id == user_id)
            .order_by(AutomotiveLoan.id)
        ).scalars()
    )


def bills_of(user_id: int, unpaid_only: bool = False) -> list[AutomotiveBill]:
    """The customer's bills, unpaid and most urgent first."""
    stmt = select(AutomotiveBill).where(AutomotiveBill.user_id == user_id)
    if unpaid_only:
        stmt = stmt.where(AutomotiveBill.paid_at.is_(None))
    return list(
        db.session.execute(
            stmt.order_by(
                AutomotiveBill.paid_at.is_not(None),
                AutomotiveBill.due_on.desc() if not unpaid_only else AutomotiveBill.due_on,
            )
        ).scalars()
    )


def pay_bill(bill: AutomotiveBill) -> bool:
    """Record the payment of a bill; False if it was already paid."""
    if bill.paid_at is not None:
        return False
    bill.paid_at = clock.now()
    db.session.flush()
    record(
        bill.user_id,
        KEY,
        "bill_paid",
        _l("Paid: %(title)s", title=bill.title),
        data={"amount_minor": bill.amount_minor, "currency": bill.currency},
        link=link("automotive.financing"),
        key=f"automotive.bill_paid:{bill.id}",
    )
    return True


# --- staff ---------------------------------------------------------------------------------


def vehicles_needing_service(today: date | None = None) -> list[VehicleStatus]:
    """Every vehicle with an active code, an open recall or service due within two weeks."""
    today = today or clock.today()
    vehicles = list(
        db.session.execute(select(AutomotiveVehicle).order_by(AutomotiveVehicle.id)).scalars()
    )
    return [
        s
        for s in fleet_status(vehicles, today)
        if s.codes or s.recalls or s.due.urgency in ("urgent", "overdue")
    ]


def summary_card(user_id: int) -> dict[str, Any] | None:
    """The staff customer-360 card: the customer's cars, their health and money owed.

    Rendered now, in the language of the staff member reading the customer-360 page.
    """
    vehicles = vehicles_of(user_id)
    if not vehicles:
        return None
    today = clock.today()
    lines = [
        f"{s.vehicle.name}: {s.health_label}; {s.due.urgency_label}"
        for s in fleet_status(vehicles, today)
    ]
    overdue = [b for b in bills_of(user_id, unpaid_only=True) if b.due_on < today]
    if overdue:
        lines.append(ngettext("%(num)d overdue bill", "%(num)d overdue bills", len(overdue)))
    return {"title": _("Vehicles"), "lines": lines, "link": link("automotive.staff")}
