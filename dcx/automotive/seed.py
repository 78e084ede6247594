"""Turn ``seeds/<showcase>/automotive.yaml`` into cars, months of telemetry, a recall and a loan.

Idempotent: vehicles by VIN, recalls by campaign number, loans and bills by reference. A
car's telemetry history is generated only when it has no readings yet, so seeding twice
changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from dcx.automotive import services
from dcx.automotive.models import Bill, Loan, Reading, Vehicle
from dcx.extensions import db
from dcx.platform import clock
from dcx.verticals import SeedContext


def _minor(amount: Any) -> int:
    return round(float(amount) * 100)


def load(ctx: SeedContext) -> None:
    """The seed hook: get-or-create every car, recall, loan and bill of the showcase."""
    vehicles = {}
    for spec in ctx.data.get("vehicles", []):
        vehicles[spec["vin"]] = _vehicle(ctx, spec)
    for spec in ctx.data.get("recalls", []):
        _recall(spec)
    for spec in ctx.data.get("loans", []):
        _loan(ctx, spec, vehicles[spec["vin"]])
    for spec in ctx.data.get("bills", []):
        _bill(ctx, spec, vehicles.get(spec.get("vin")))
    db.session.flush()


def _vehicle(ctx: SeedContext, spec: dict[str, Any]) -> Vehicle:
    owner = ctx.user(spec["owner"])
    vin = services.normalise_vin(spec["vin"])
    vehicle = db.session.execute(select(Vehicle).where(Vehicle.vin == vin)).scalar_one_or_none()
    today = clock.today()
    if vehicle is None:
        vehicle = services.add_vehicle(
            owner.id,
            vin=vin,
            make=spec["make"],
            model=spec["model"],
            year=int(spec["year"]),
            plate=spec.get("plate", ""),
            colour=spec.get("colour", ""),
            fuel_type=spec.get("fuel_type", "petrol"),
            last_service_on=today - timedelta(days=int(spec.get("last_service_days_ago", 0))),
            last_service_km=int(spec.get("last_service_km", 0)),
        )
    has_history = db.session.execute(
        select(func.count()).where(Reading.vehicle_id == vehicle.id)
    ).scalar_one()
    if not has_history:
        services.ingest_readings(vehicle, _history(ctx, spec))
    return vehicle


def _history(ctx: SeedContext, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """One reading a day at 18:00 UTC, ending today, with the car's developing fault."""
    rng = ctx.random
    days = int(spec.get("history_days", 90))
    daily = float(spec.get("daily_km", 30))
    end_km = int(spec["odometer_km"])
    battery = spec.get("battery", {})
    decline_days = int(battery.get("decline_days", 0))
    fault = spec.get("fault")
    puncture = spec.get("slow_puncture")
    now = clock.now()
    today = clock.today()
    odometers = [end_km]
    for _ in range(days):
        odometers.append(odometers[-1] - int(daily * rng.uniform(0.3, 1.7)))
    odometers.reverse()
    readings = []
    energy = 70.0
    for index, days_ago in enumerate(range(days, -1, -1)):
        moment = datetime.combine(today - timedelta(days=days_ago), time(18), tzinfo=UTC)
        if moment > now:
            moment = now.replace(microsecond=0)
        start_v, end_v = float(battery.get("start", 12.6)), float(battery.get("end", 12.6))
        if decline_days and days_ago < decline_days:
            volts = end_v + (start_v - end_v) * days_ago / decline_days
        else:
            volts = start_v
        energy -= daily / 6 * rng.uniform(0.5, 1.5)
        if energy < 15:
            energy = rng.uniform(85, 100)
        tyres = {k: round(240 + rng.uniform(-3, 3), 1) for k in ("fl", "fr", "rl", "rr")}
        if puncture:
            tyres[puncture] = round(240 - (days - days_ago) * 0.2 + rng.uniform(-1, 1), 1)
        reading: dict[str, Any] = {
            "recorded_at": moment.isoformat(),
            "odometer_km": odometers[index],
            "energy_pct": round(energy, 1),
            "battery_v": round(volts + rng.uniform(-0.05, 0.05), 2),
            "oil_life_pct": round(max(5.0, 100 - (days - days_ago) * 0.45), 1),
            "tyres_kpa": tyres,
            "location": {
                "lat": round(44.43 + rng.uniform(-0.05, 0.05), 5),
                "lon": round(26.10 + rng.uniform(-0.05, 0.05), 5),
            },
        }
        if fault and days_ago == int(fault["pending_days_ago"]):
            reading["codes"] = [{"code": fault["code"], "status": "pending"}]
        if fault and days_ago == int(fault["confirmed_days_ago"]):
            reading["codes"] = [{"code": fault["code"], "status": "confirmed"}]
        readings.append(reading)
    return readings


def _recall(spec: dict[str, Any]) -> None:
    fields = {
        k: spec[k]
        for k in (
            "campaign_number",
            "make",
            "model",
            "year_from",
            "year_to",
            "component",
            "summary",
            "consequence",
            "remedy",
        )
    }
    fields["do_not_drive"] = bool(spec.get("do_not_drive", False))
    fields["published_at"] = clock.now() - timedelta(days=int(spec.get("published_days_ago", 0)))
    services.publish_recall(**fields)


def _loan(ctx: SeedContext, spec: dict[str, Any], vehicle: Vehicle) -> None:
    owner = ctx.user(spec["owner"])
    loan = db.session.execute(
        select(Loan).where(Loan.reference == spec["reference"])
    ).scalar_one_or_none()
    if loan is not None:
        return
    today = clock.today()
    due = int(spec.get("instalments_due", 1))
    latest_due = today - timedelta(days=int(spec.get("latest_due_days_ago", 0)))
    loan = Loan(
        user_id=owner.id,
        vehicle_id=vehicle.id,
        reference=spec["reference"],
        kind=spec.get("kind", "loan"),
        lender=spec["lender"],
        principal_minor=_minor(spec["principal"]),
        currency=spec.get("currency", "EUR"),
        rate_bp=round(float(spec["rate_pct"]) * 100),
        term_months=int(spec["term_months"]),
        first_due_on=services.add_months(latest_due, -(due - 1)),
    )
    db.session.add(loan)
    db.session.flush()
    services.issue_instalments(loan, latest_due)
    paid = due - int(spec.get("unpaid", 0))
    bills = db.session.execute(
        select(Bill).where(Bill.loan_id == loan.id).order_by(Bill.due_on).limit(paid)
    ).scalars()
    for bill in bills:
        bill.paid_at = datetime.combine(bill.due_on, time(9), tzinfo=UTC)


def _bill(ctx: SeedContext, spec: dict[str, Any], vehicle: Vehicle | None) -> None:
    if db.session.execute(select(Bill.id).where(Bill.reference == spec["reference"])).first():
        return
    due_on = clock.today() - timedelta(days=int(spec.get("due_days_ago", 0)))
    db.session.add(
        Bill(
            user_id=ctx.user(spec["owner"]).id,
            vehicle_id=vehicle.id if vehicle else None,
            reference=spec["reference"],
            kind=spec.get("kind", "service"),
            title=spec["title"],
            amount_minor=_minor(spec["amount"]),
            currency=spec.get("currency", "EUR"),
            due_on=due_on,
            paid_at=datetime.combine(due_on, time(9), tzinfo=UTC) if spec.get("paid") else None,
        )
    )
