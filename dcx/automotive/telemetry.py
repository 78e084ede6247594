"""Telemetry: readings a car sends through the API, trouble codes raised from them, the latest values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from dcx.automotive import codes as dtc
from dcx.automotive import fleet_status
from dcx.automotive.models import (
    AutomotiveReading,
    AutomotiveTroubleCode,
    AutomotiveVehicle,
    CodeStatus,
)
from dcx.automotive.rules import KEY
from dcx.database import insert_ignoring_duplicates
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.inputs import check_reading_time, parse_timestamp
from dcx.platform.links import link
from dcx.platform.timeline.services import record


@dataclass
class IngestResult:
    """What one batch of readings did."""

    accepted: int = 0
    duplicates: int = 0
    new_codes: list[str] = field(default_factory=list)
    confirmed_codes: list[str] = field(default_factory=list)
    cleared_codes: list[str] = field(default_factory=list)


def _parse_time(value: Any) -> datetime:
    return parse_timestamp(value)


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
        check_reading_time(recorded_at, now)
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
    # The rows a batch added are those the insert returns: counting the car's readings before
    # and after made each reading cost more the longer the car's history.
    insert = insert_ignoring_duplicates(AutomotiveReading).returning(AutomotiveReading.id)
    for start in range(0, len(rows), 500):
        added = db.session.execute(insert, rows[start : start + 500]).scalars().all()
        result.accepted += len(added)
    result.duplicates = len(rows) - result.accepted
    events.sort(key=lambda pair: pair[0])
    for recorded_at, item in events:
        _apply_codes(vehicle, recorded_at, item, result)
    db.session.flush()
    return result


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
        if status == CodeStatus.CONFIRMED and row.status == CodeStatus.PENDING:
            row.status = CodeStatus.CONFIRMED.value
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
    last = fleet_status.latest_readings([vehicle_id]).get(vehicle_id)
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
