"""The life of a motoring period: each car drives its daily distance and reports at 18:00.

A car carries on from its latest reading at its own pace (its average of the last month, or
its showcase ``daily_km``): the odometer climbs by a day's distance, more or less; fuel or
charge falls and is topped up; oil life wears with the kilometres; tyres lose a little
pressure until they are pumped again; the battery holds where it was. Now and then (about
once in four months of driving) a car reports a pending trouble code. The kilometres are what
makes the service reminder fall due: the job reads the odometer the simulator moved.

Idempotent by the natural keys (vehicle, reading time) and (vehicle, code, first seen);
readings start after each car's latest, so living a period twice adds nothing. Set-based: one
query for the cars, one for their latest readings, one for their pace, one insert per batch.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from dcx.automotive import fleet_status
from dcx.automotive.models import AutomotiveReading, AutomotiveTroubleCode, AutomotiveVehicle
from dcx.extensions import db
from dcx.platform.simulation import insert_batches
from dcx.verticals import SimulationContext

REPORTS_AT = time(18)
# Codes a healthy car may throw once in a while: none of them stops it.
OCCASIONAL_CODES = ("P0128", "P0171", "P0420")
CODE_CHANCE_PER_DAY = 1 / 120


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def period(ctx: SimulationContext, start: datetime, end: datetime) -> int:
    """Drive every car through ``[start, end)``; returns how many rows it wrote."""
    vehicles = list(db.session.execute(select(AutomotiveVehicle)).scalars())
    ids = [v.id for v in vehicles]
    latest = fleet_status.latest_readings(ids)
    pace = fleet_status.daily_distances(ids)
    declared = {
        spec.get("vin"): float(spec["daily_km"])
        for spec in ctx.data.get("vehicles", [])
        if spec.get("daily_km")
    }
    readings: list[dict[str, Any]] = []
    codes: list[dict[str, Any]] = []
    # each day once: its text (what a draw is about) and its report time
    days = [
        (str(day), datetime.combine(day, REPORTS_AT, tzinfo=UTC))
        for day in _days(start.date(), end.date())
    ]
    for vehicle in vehicles:
        last = latest.get(vehicle.id)
        if last is None:
            continue  # a car that never reported is not connected
        daily = pace.get(vehicle.id) or declared.get(vehicle.vin, 30.0)
        odometer, energy = last.odometer_km, last.energy_pct or 70.0
        oil = last.oil_life_pct if last.oil_life_pct is not None else 100.0
        tyres = [t if t is not None else 240.0 for t in last.tyres]
        vehicle_id, since = vehicle.id, last.recorded_at
        interval = max(1, vehicle.service_interval_km)
        for day, at in days:
            if not start <= at < end or at <= since:
                continue
            km = int(daily * (0.3 + 1.4 * ctx.draw("km", vehicle_id, day)))
            odometer += km
            energy -= km / 6
            if energy < 15:
                energy = 85 + 15 * ctx.draw("refill", vehicle_id, day)
            oil = max(5.0, oil - km / interval * 100)
            tyres = [round(t - 0.1, 1) for t in tyres]
            if min(tyres) < 225:
                tyres = [240.0] * 4
            readings.append(
                {
                    "vehicle_id": vehicle.id,
                    "recorded_at": at,
                    "odometer_km": odometer,
                    "energy_pct": round(energy, 1),
                    "battery_v": last.battery_v,
                    "oil_life_pct": round(oil, 1),
                    "tyre_fl_kpa": tyres[0],
                    "tyre_fr_kpa": tyres[1],
                    "tyre_rl_kpa": tyres[2],
                    "tyre_rr_kpa": tyres[3],
                    "latitude": last.latitude,
                    "longitude": last.longitude,
                }
            )
            if ctx.draw("code", vehicle_id, day) < CODE_CHANCE_PER_DAY:
                code = OCCASIONAL_CODES[int(ctx.draw("which", vehicle_id, day) * 3)]
                codes.append(
                    {
                        "vehicle_id": vehicle.id,
                        "code": code,
                        "status": "pending",
                        "first_seen_at": at,
                        "last_seen_at": at,
                    }
                )
    insert_batches(AutomotiveReading, readings)
    insert_batches(AutomotiveTroubleCode, codes)
    return len(readings) + len(codes)
