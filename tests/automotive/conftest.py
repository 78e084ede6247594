"""Factories for the automotive tests: a car with readings, a loan with bills."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import pytest

from dcx.automotive import telemetry, vehicles
from dcx.automotive.models import AutomotiveLoan
from dcx.extensions import db
from dcx.platform import clock

VIN_GOLF = "WVWZZZCDZPW123456"
VIN_RAV4 = "JTMW1RFV8PD012345"


def make_vehicle(user, vin=VIN_GOLF, make="Volkswagen", model="Golf", year=2023, **kwargs):
    """Register a car for ``user`` (committed)."""
    vehicle = vehicles.add_vehicle(user.id, vin=vin, make=make, model=model, year=year, **kwargs)
    db.session.commit()
    return vehicle


def daily_readings(vehicle, days, start_km=10000, daily_km=40, hour=12, **fields):
    """Ingest one reading a day for ``days`` days ending today (committed)."""
    today = clock.today()
    batch = []
    for n, days_ago in enumerate(range(days - 1, -1, -1)):
        moment = datetime.combine(today - timedelta(days=days_ago), time(hour), tzinfo=UTC)
        moment = min(moment, clock.now() - timedelta(minutes=1))
        batch.append(
            {
                "recorded_at": moment.isoformat(),
                "odometer_km": start_km + n * daily_km,
                "energy_pct": 60.0,
                "battery_v": 12.6,
                "oil_life_pct": 80.0,
                "tyres_kpa": {"fl": 240, "fr": 240, "rl": 240, "rr": 240},
                **fields,
            }
        )
    result = telemetry.ingest_readings(vehicle, batch)
    db.session.commit()
    return result


def make_loan(
    user,
    vehicle,
    reference="LN-1",
    principal_minor=1_800_000,
    rate_bp=590,
    term=48,
    first_due_on=None,
):
    """A loan whose first instalment is due ``first_due_on`` (committed)."""
    loan = AutomotiveLoan(
        user_id=user.id,
        vehicle_id=vehicle.id,
        reference=reference,
        lender="DCX Motor Finance",
        principal_minor=principal_minor,
        currency="EUR",
        rate_bp=rate_bp,
        term_months=term,
        first_due_on=first_due_on or clock.today(),
    )
    db.session.add(loan)
    db.session.commit()
    return loan


@pytest.fixture
def rng():
    """A seeded random generator."""
    return random.Random(7)
