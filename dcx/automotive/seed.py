"""Turn ``seeds/<showcase>/automotive.yaml`` into cars, months of telemetry, a recall and a loan.

Idempotent: vehicles by VIN, recalls by campaign number, loans and bills by reference. A
car's telemetry history is generated only when it has no readings yet, so seeding twice
changes nothing.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from flask_babel import format_datetime, gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, insert, select

from dcx.automotive import appointments as automotive_appointments
from dcx.automotive import codes as dtc
from dcx.automotive import financing, recalls, rules, telemetry
from dcx.automotive import vehicles as automotive_vehicles
from dcx.automotive.models import (
    AutomotiveAppointment,
    AutomotiveBill,
    AutomotiveLoan,
    AutomotiveReading,
    AutomotiveTroubleCode,
    AutomotiveVehicle,
    BillKind,
)
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.timeline.services import record_bulk
from dcx.verticals import SeedContext


def _minor(amount: Any) -> int:
    """An amount in the seed file (major units, as YAML reads it) in minor units, exactly."""
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


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


def _vehicle(ctx: SeedContext, spec: dict[str, Any]) -> AutomotiveVehicle:
    owner = ctx.user(spec["owner"])
    vin = automotive_vehicles.normalise_vin(spec["vin"])
    vehicle = db.session.execute(
        select(AutomotiveVehicle).where(AutomotiveVehicle.vin == vin)
    ).scalar_one_or_none()
    today = clock.today()
    if vehicle is None:
        vehicle = automotive_vehicles.add_vehicle(
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
        select(func.count()).where(AutomotiveReading.vehicle_id == vehicle.id)
    ).scalar_one()
    if not has_history:
        telemetry.ingest_readings(vehicle, _history(ctx, spec))
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
    recalls.publish_recall(**fields)


def _loan(ctx: SeedContext, spec: dict[str, Any], vehicle: AutomotiveVehicle) -> None:
    owner = ctx.user(spec["owner"])
    loan = db.session.execute(
        select(AutomotiveLoan).where(AutomotiveLoan.reference == spec["reference"])
    ).scalar_one_or_none()
    if loan is not None:
        return
    today = clock.today()
    due = int(spec.get("instalments_due", 1))
    latest_due = _latest_due(spec, today)
    loan = AutomotiveLoan(
        user_id=owner.id,
        vehicle_id=vehicle.id,
        reference=spec["reference"],
        kind=spec.get("kind", "loan"),
        lender=spec["lender"],
        principal_minor=_minor(spec["principal"]),
        currency=spec.get("currency", "EUR"),
        rate_bp=_minor(spec["rate_pct"]),  # a percentage in hundredths: basis points
        term_months=int(spec["term_months"]),
        first_due_on=financing.add_months(latest_due, -(due - 1)),
    )
    db.session.add(loan)
    db.session.flush()
    financing.issue_instalments(loan, latest_due)
    paid = due - int(spec.get("unpaid", 0))
    bills = db.session.execute(
        select(AutomotiveBill)
        .where(AutomotiveBill.loan_id == loan.id)
        .order_by(AutomotiveBill.due_on)
        .limit(paid)
    ).scalars()
    for bill in bills:
        bill.paid_at = datetime.combine(bill.due_on, time(9), tzinfo=UTC)


def _latest_due(spec: dict[str, Any], today: date) -> date:
    """The latest instalment's date: the last ``due_day`` of a month before today (the day
    the bank sees the instalments paid), else ``latest_due_days_ago`` days ago."""
    if "due_day" not in spec:
        return today - timedelta(days=int(spec.get("latest_due_days_ago", 0)))
    due_day = int(spec["due_day"])
    month = today.replace(day=1)
    while True:
        last_day = calendar.monthrange(month.year, month.month)[1]
        due = month.replace(day=min(due_day, last_day))
        if due < today:
            return due
        month = financing.add_months(month, -1)


def _bill(ctx: SeedContext, spec: dict[str, Any], vehicle: AutomotiveVehicle | None) -> None:
    if db.session.execute(
        select(AutomotiveBill.id).where(AutomotiveBill.reference == spec["reference"])
    ).first():
        return
    due_on = clock.today() - timedelta(days=int(spec.get("due_days_ago", 0)))
    db.session.add(
        AutomotiveBill(
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


# --- synthetic customers (`flask dcx seed --scale N`) ---------------------------------------

SCALE_HISTORY_DAYS = 60
SCALE_CODES = ("P0171", "P0300", "P0420", "P0442", "P0128", "P0562")
SCALE_COLOURS = (
    _l("Black"),
    _l("White"),
    _l("Silver"),
    _l("Graphite"),
    _l("Racing red"),
    _l("Ocean blue"),
)
SCALE_LENDER = "DCX Motor Finance"


def scale_vin(user_id: int, index: int) -> str:
    """The natural key of a synthetic customer's ``index``-th car (a valid 17-character VIN)."""
    return f"DCXS{index}{user_id:012d}"


def scale(ctx: SeedContext, customers: list[Any]) -> None:
    """The scale hook: one or two connected cars per synthetic customer, with history.

    Each car gets two months of daily readings (some with a fading battery or a trouble
    code, a few with a visit booked for it), its last service invoice; some customers
    finance a car, with the instalments due so far (mostly paid). Models come from the
    showcase's own cars, recalls already published are matched to the new cars once per
    batch. The timeline tells it as the app would have: each car added, each code reported,
    each visit booked, each bill paid since the car was added. Customers who already own a
    car are skipped, so a rerun adds nothing. Rows are built in Python and inserted in bulk;
    a batch makes a fixed handful of queries.
    """
    rng = ctx.random
    catalogue = [
        (s["make"], s["model"], int(s["year"]), s.get("fuel_type", "petrol"))
        for s in ctx.data.get("vehicles", [])
    ]
    if not catalogue or not customers:
        return
    ids = [c.id for c in customers]
    owners = set(
        db.session.execute(
            select(AutomotiveVehicle.user_id).where(AutomotiveVehicle.user_id.in_(ids))
        ).scalars()
    )
    todo = [c for c in customers if c.id not in owners]
    if not todo:
        return
    today = clock.today()
    now = clock.now()

    plans: list[tuple[AutomotiveVehicle, dict[str, Any]]] = []
    for customer in todo:
        for index in range(1 if rng.random() < 0.75 else 2):
            make, model, base_year, fuel = rng.choice(catalogue)
            daily = rng.uniform(15, 60)
            service_days_ago = rng.randint(20, 420)
            end_km = rng.randint(8000, 95000)
            vehicle = AutomotiveVehicle(
                user_id=customer.id,
                vin=scale_vin(customer.id, index),
                make=make,
                model=model,
                year=min(today.year, base_year + rng.randint(-2, 1)),
                plate=f"SC-{customer.id:05d}-{index + 1}",
                colour=str(rng.choice(SCALE_COLOURS)),
                fuel_type=fuel,
                last_service_on=today - timedelta(days=service_days_ago),
                last_service_km=max(0, end_km - int(daily * service_days_ago)),
                created_at=now - timedelta(days=SCALE_HISTORY_DAYS + rng.randint(1, 300)),
            )
            roll = rng.random()
            plans.append(
                (
                    vehicle,
                    {
                        "daily": daily,
                        "end_km": end_km,
                        "fading_battery": roll < 0.1,
                        "code": rng.choice(SCALE_CODES) if 0.1 <= roll < 0.22 else None,
                        "code_days_ago": rng.randint(1, 30),
                        "puncture": rng.choice(("fl", "fr", "rl", "rr")) if roll > 0.95 else None,
                    },
                )
            )
    db.session.add_all([vehicle for vehicle, _ in plans])
    db.session.flush()

    readings: list[dict[str, Any]] = []
    codes: list[dict[str, Any]] = []
    bills: list[dict[str, Any]] = []
    booked: list[tuple[AutomotiveVehicle, str]] = []
    for vehicle, plan in plans:
        readings.extend(_scale_readings(rng, vehicle, plan, today, now))
        if plan["code"]:
            seen = datetime.combine(
                today - timedelta(days=plan["code_days_ago"]), time(18), tzinfo=UTC
            )
            confirmed = rng.random() < 0.6
            codes.append(
                {
                    "vehicle_id": vehicle.id,
                    "code": plan["code"],
                    "status": "confirmed" if confirmed else "pending",
                    "first_seen_at": seen,
                    "last_seen_at": min(now, datetime.combine(today, time(18), tzinfo=UTC)),
                    "confirmed_at": seen if confirmed else None,
                }
            )
            if confirmed and rng.random() < 0.5:
                booked.append((vehicle, plan["code"]))
        paid_at = datetime.combine(vehicle.last_service_on, time(9), tzinfo=UTC)
        bills.append(
            {
                "user_id": vehicle.user_id,
                "vehicle_id": vehicle.id,
                "loan_id": None,
                "reference": f"SC-SVC-{vehicle.vin}",
                "kind": "service",
                "title": gettext("Service invoice: annual inspection and oil change"),
                "amount_minor": rng.randint(180, 460) * 100 + rng.choice((0, 50, 90)),
                "currency": "EUR",
                "due_on": vehicle.last_service_on,
                "paid_at": paid_at,
            }
        )
    db.session.execute(insert(AutomotiveReading), readings)
    code_ids = _inserted_ids(AutomotiveTroubleCode, codes, "vehicle_id", "code")
    appointments = _scale_appointments(rng, booked, today) if booked else []
    db.session.add_all(appointments)

    first_cars: dict[int, AutomotiveVehicle] = {}
    for vehicle, _ in plans:
        first_cars.setdefault(vehicle.user_id, vehicle)
    loans: list[tuple[AutomotiveLoan, int, int]] = []
    for user_id, vehicle in first_cars.items():
        if rng.random() >= 0.4:
            continue
        term = rng.choice((36, 48, 60))
        due = rng.randint(1, min(term, 30))
        latest_due = today - timedelta(days=rng.randint(0, 27))
        loan = AutomotiveLoan(
            user_id=user_id,
            vehicle_id=vehicle.id,
            reference=f"SC-LN-{vehicle.vin}",
            kind=rng.choice(("loan", "loan", "lease")),
            lender=SCALE_LENDER,
            principal_minor=rng.randint(60, 320) * 10000,
            currency="EUR",
            rate_bp=rng.choice((390, 490, 590, 690, 790)),
            term_months=term,
            first_due_on=financing.add_months(latest_due, -(due - 1)),
        )
        loans.append((loan, due, due - (1 if rng.random() < 0.15 else 0)))
    db.session.add_all([loan for loan, _, _ in loans])
    db.session.flush()
    for loan, due, paid in loans:
        for row in financing.amortisation(loan)[:due]:
            bills.append(
                {
                    "user_id": loan.user_id,
                    "vehicle_id": loan.vehicle_id,
                    "loan_id": loan.id,
                    "reference": financing.instalment_reference(loan, row.number),
                    "kind": BillKind.INSTALMENT.value,
                    "title": f"{loan.lender} instalment {row.number} of {loan.term_months}",
                    "amount_minor": row.payment,
                    "currency": loan.currency,
                    "due_on": row.due_on,
                    "paid_at": (
                        datetime.combine(row.due_on, time(9), tzinfo=UTC)
                        if row.number <= paid
                        else None
                    ),
                }
            )
    bill_ids = _inserted_ids(AutomotiveBill, bills, "reference")
    recalls.match_recalls()
    db.session.flush()
    events = [_added_event(vehicle) for vehicle, _ in plans]
    cars = {vehicle.id: vehicle for vehicle, _ in plans}
    events += [
        _code_event(cars[c["vehicle_id"]], c, code_ids[(c["vehicle_id"], c["code"])]) for c in codes
    ]
    events += [_booked_event(cars[a.vehicle_id], a) for a in appointments]
    # A payment is on the timeline if it was made in the app: after the car was added to it.
    events += [
        _paid_event(bill, bill_ids[(bill["reference"],)], min(now, bill["paid_at"]))
        for bill in bills
        if bill["paid_at"] is not None and bill["paid_at"] >= cars[bill["vehicle_id"]].created_at
    ]
    record_bulk(events)


def _inserted_ids(model: Any, rows: list[dict[str, Any]], *natural_key: str) -> dict[tuple, int]:
    """Insert ``rows`` in bulk; the new ids by each row's natural key (a tuple of its values).

    Matched by key, not by position: RETURNING in the rows' order would make SQLAlchemy send
    one INSERT per row on SQLite, which has no guaranteed RETURNING order.
    """
    if not rows:
        return {}
    columns = [getattr(model, name) for name in natural_key]
    returned = db.session.execute(insert(model).returning(model.id, *columns), rows)
    return {tuple(key): row_id for row_id, *key in returned}


# The timeline entries of a synthetic car's history: the texts, links and keys the services
# record for the same events (add_vehicle, ingest_readings, book_appointment, pay_bill).


def _added_event(vehicle: AutomotiveVehicle) -> dict[str, Any]:
    return {
        "user_id": vehicle.user_id,
        "vertical": rules.KEY,
        "kind": "vehicle_added",
        "subject": _l("%(name)s added", name=vehicle.name),
        "link": link("automotive.vehicle", vehicle_id=vehicle.id),
        "key": f"automotive.vehicle:{vehicle.id}",
        "occurred_at": vehicle.created_at,
    }


def _code_title(code: str) -> str:
    return dtc.explain(code).title


def _code_advice(code: str) -> str:
    return dtc.explain(code).drive_advice


def _code_event(vehicle: AutomotiveVehicle, row: dict[str, Any], code_id: int) -> dict[str, Any]:
    code = row["code"]
    return {
        "user_id": vehicle.user_id,
        "vertical": rules.KEY,
        "kind": "code_reported",
        "subject": _l(
            "%(car)s: %(code)s %(title)s",
            car=vehicle.name,
            code=code,
            title=LazyString(_code_title, code),
        ),
        "summary": LazyString(_code_advice, code),
        "data": {"code": code, "severity": dtc.explain(code).severity, "status": row["status"]},
        "link": link("automotive.vehicle", vehicle_id=vehicle.id, _anchor="codes"),
        "key": f"automotive.code:{code_id}",
        "occurred_at": row["first_seen_at"],
    }


def _slot_summary(dealer: str, starts_at: datetime, reason: str) -> str:
    # Slots are UTC and say so; the date is written in the owner's language.
    when = format_datetime(starts_at, rules.SLOT_FORMAT, rebase=False)
    return f"{dealer} · {when} UTC · {reason}"


def _booked_event(vehicle: AutomotiveVehicle, appointment: AutomotiveAppointment) -> dict[str, Any]:
    return {
        "user_id": appointment.user_id,
        "vertical": rules.KEY,
        "kind": "service_booked",
        "subject": _l("Service booked for %(name)s", name=vehicle.name),
        "summary": LazyString(
            _slot_summary, appointment.dealer, appointment.starts_at, appointment.reason
        ),
        "link": link("automotive.vehicle", vehicle_id=vehicle.id),
        "key": f"automotive.appointment:{appointment.id}",
        "occurred_at": appointment.created_at,
    }


def _paid_event(bill: dict[str, Any], bill_id: int, paid_at: datetime) -> dict[str, Any]:
    return {
        "user_id": bill["user_id"],
        "vertical": rules.KEY,
        "kind": "bill_paid",
        "subject": _l("Paid: %(title)s", title=bill["title"]),
        "data": {"amount_minor": bill["amount_minor"], "currency": bill["currency"]},
        "link": link("automotive.financing"),
        "key": f"automotive.bill_paid:{bill_id}",
        "occurred_at": paid_at,
    }


def _scale_readings(
    rng: Any, vehicle: AutomotiveVehicle, plan: dict[str, Any], today: Any, now: datetime
) -> list[dict[str, Any]]:
    """One reading a day at 18:00 UTC for the last two months, ending today."""
    days = SCALE_HISTORY_DAYS
    daily = plan["daily"]
    odometer = plan["end_km"]
    odometers = [odometer]
    for _ in range(days):
        odometers.append(odometers[-1] - int(daily * rng.uniform(0.3, 1.7)))
    odometers.reverse()
    lat0, lon0 = 44.43 + rng.uniform(-0.2, 0.2), 26.10 + rng.uniform(-0.2, 0.2)
    energy = rng.uniform(40, 100)
    oil_start = rng.uniform(40, 100)
    rows = []
    for index, days_ago in enumerate(range(days, -1, -1)):
        moment = datetime.combine(today - timedelta(days=days_ago), time(18), tzinfo=UTC)
        if moment > now:
            moment = now.replace(microsecond=0)
        energy -= daily / 6 * rng.uniform(0.5, 1.5)
        if energy < 15:
            energy = rng.uniform(85, 100)
        volts = 12.6
        if plan["fading_battery"] and days_ago < 40:
            volts = 11.7 + 0.9 * days_ago / 40
        tyres = {k: round(240 + rng.uniform(-3, 3), 1) for k in ("fl", "fr", "rl", "rr")}
        if plan["puncture"]:
            tyres[plan["puncture"]] = round(240 - index * 0.7 + rng.uniform(-1, 1), 1)
        rows.append(
            {
                "vehicle_id": vehicle.id,
                "recorded_at": moment,
                "odometer_km": odometers[index],
                "energy_pct": round(energy, 1),
                "battery_v": round(volts + rng.uniform(-0.05, 0.05), 2),
                "oil_life_pct": round(max(5.0, oil_start - index * 0.45), 1),
                "tyre_fl_kpa": tyres["fl"],
                "tyre_fr_kpa": tyres["fr"],
                "tyre_rl_kpa": tyres["rl"],
                "tyre_rr_kpa": tyres["rr"],
                "latitude": round(lat0 + rng.uniform(-0.05, 0.05), 5),
                "longitude": round(lon0 + rng.uniform(-0.05, 0.05), 5),
            }
        )
    return rows


def _scale_appointments(
    rng: Any, booked: list[tuple[AutomotiveVehicle, str]], today: Any
) -> list[AutomotiveAppointment]:
    """A visit at a dealer for each car, in a slot no other booked visit holds."""
    slots = {
        dealer: automotive_appointments.available_slots(dealer, today) for dealer in rules.DEALERS
    }
    appointments = []
    for vehicle, code in booked:
        dealer = rng.choice(rules.DEALERS)
        if not slots[dealer]:
            continue
        starts_at = slots[dealer].pop(rng.randrange(min(8, len(slots[dealer]))))
        appointments.append(
            AutomotiveAppointment(
                user_id=vehicle.user_id,
                vehicle_id=vehicle.id,
                dealer=dealer,
                starts_at=starts_at,
                reason=gettext(
                    "Trouble code %(code)s: %(title)s", code=code, title=dtc.explain(code).title
                ),
                code=code,
            )
        )
    return appointments
