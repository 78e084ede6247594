"""The automotive seed: cars, months of telemetry with a fault, a recall, a loan; twice = no change."""

import random

from sqlalchemy import func, select

from dcx.automotive import financing, fleet_status, seed, vehicles
from dcx.automotive import recalls as automotive_recalls
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
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.models import Message
from dcx.platform.showcase import texts
from dcx.platform.showcase.loader import SEEDS_DIR, seed_personas
from dcx.platform.timeline.models import Event
from dcx.verticals import SeedContext

MODELS = (
    AutomotiveVehicle,
    AutomotiveReading,
    AutomotiveTroubleCode,
    AutomotiveRecall,
    AutomotiveRecallCoverage,
    AutomotiveLoan,
    AutomotiveBill,
    Message,
)


def _seed_once(app):
    # Read only our file and the personas: other verticals' files are not this test's business.
    main = texts.read(SEEDS_DIR / "default" / "showcase.yaml")
    data = texts.read(SEEDS_DIR / "default" / "automotive.yaml")
    users = seed_personas(main["personas"])
    ctx = SeedContext("default", data, users, random.Random("2026:automotive"))
    seed.load(ctx)
    db.session.commit()
    return users


def _counts():
    return {
        m.__name__: db.session.execute(select(func.count()).select_from(m)).scalar_one()
        for m in MODELS
    }


def test_seed_tells_the_story_and_twice_changes_nothing(app):
    users = _seed_once(app)
    first = _counts()
    _seed_once(app)
    assert _counts() == first

    alex = users["alex"]
    cars = vehicles.vehicles_of(alex.id)
    assert len({c.make for c in cars}) == 2
    assert first["AutomotiveReading"] > 250  # months of telemetry
    golf = next(c for c in cars if c.make == "Volkswagen")
    codes = fleet_status.active_codes([golf.id])[golf.id]
    assert [(c.code, c.status) for c in codes] == [("P0562", "confirmed")]
    recalls = automotive_recalls.recalls_of(alex.id)
    assert len(recalls) == 1 and recalls[0][0].status == "notified"
    today = clock.today()
    overdue = [b for b in financing.bills_of(alex.id, unpaid_only=True) if b.due_on < today]
    assert len(overdue) == 1 and overdue[0].kind == "instalment"
    loan = financing.loans_of(alex.id)[0]
    assert financing.loan_position(loan, today).paid_count == 9
    statuses = {s.vehicle.make: s for s in fleet_status.fleet_status(cars)}
    assert statuses["Volkswagen"].health == "attention"
    assert statuses["Volkswagen"].reading.battery_v < 12.0


def test_scale_gives_each_synthetic_customer_cars_with_history_once(app):
    from dcx.platform.showcase.loader import scale_showcase

    _seed_once(app)
    only_us = [v for v in app.extensions["dcx_verticals"] if v.key == "automotive"]
    assert scale_showcase(only_us, "default", 12, batch=5) == 12
    first = _counts()
    assert scale_showcase(only_us, "default", 12, batch=5) == 0
    assert _counts() == first

    owners = {}
    for car in db.session.execute(
        select(AutomotiveVehicle).where(AutomotiveVehicle.vin.like("DCXS%"))
    ).scalars():
        owners.setdefault(car.user_id, []).append(car)
    assert len(owners) == 12 and all(1 <= len(cars) <= 2 for cars in owners.values())
    today = clock.today()
    for cars in owners.values():
        for car in cars:
            history = fleet_status.reading_history(car.id, days=90)
            assert len(history) == seed.SCALE_HISTORY_DAYS + 1
            assert history[-1].recorded_at.date() == today
            km = [r.odometer_km for r in history]
            assert km == sorted(km) and km[-1] > km[0]
            invoices = [b for b in financing.bills_of(car.user_id) if b.vehicle_id == car.id]
            assert any(b.kind == "service" and b.paid_at for b in invoices)
    for loan in db.session.execute(
        select(AutomotiveLoan).where(AutomotiveLoan.reference.like("SC-LN-%"))
    ).scalars():
        position = financing.loan_position(loan, today)
        issued = db.session.execute(
            select(func.count()).where(AutomotiveBill.loan_id == loan.id)
        ).scalar_one()
        assert issued >= 1 and position.paid_count >= issued - 1
    # the showcase's recall reached the synthetic RAV4s of the affected years
    rav4s = [
        c for cars in owners.values() for c in cars if c.model == "RAV4" and 2021 <= c.year <= 2023
    ]
    covered = set(db.session.execute(select(AutomotiveRecallCoverage.vehicle_id)).scalars())
    assert all(c.id in covered for c in rav4s)
    _assert_the_timeline_tells_the_cars_history(owners)


def _assert_the_timeline_tells_the_cars_history(owners: dict[int, list]) -> None:
    """Each synthetic car added, code reported, visit booked and bill paid since the car was
    added is one timeline event, with the key the services use and when it happened."""
    cars = {car.id: car for cars in owners.values() for car in cars}
    expected = {
        (car.user_id, f"automotive.vehicle:{car.id}", car.created_at) for car in cars.values()
    }
    for code in db.session.execute(
        select(AutomotiveTroubleCode).where(AutomotiveTroubleCode.vehicle_id.in_(cars))
    ).scalars():
        owner = cars[code.vehicle_id].user_id
        expected.add((owner, f"automotive.code:{code.id}", code.first_seen_at))
    for visit in db.session.execute(
        select(AutomotiveAppointment).where(AutomotiveAppointment.vehicle_id.in_(cars))
    ).scalars():
        expected.add((visit.user_id, f"automotive.appointment:{visit.id}", visit.created_at))
    for bill in db.session.execute(
        select(AutomotiveBill).where(AutomotiveBill.vehicle_id.in_(cars))
    ).scalars():
        if bill.paid_at and bill.paid_at >= cars[bill.vehicle_id].created_at:
            expected.add((bill.user_id, f"automotive.bill_paid:{bill.id}", bill.paid_at))
    stored = (
        db.session.execute(
            select(Event).where(Event.user_id.in_(owners), Event.kind != "recall_notice")
        )
        .scalars()
        .all()
    )
    assert {(e.user_id, e.key) for e in stored} == {(user, key) for user, key, _ in expected}
    happened = {key: at for _, key, at in expected}
    now = clock.now()
    for e in stored:
        # an instalment due later today is on the timeline as of the scale run, not ahead
        at = happened[e.key]
        assert e.occurred_at == at or (e.occurred_at < at and e.occurred_at <= now), e.key
    assert len(stored) == len(expected)
    assert {e.kind for e in stored} >= {"vehicle_added", "bill_paid"}
    added = next(e for e in stored if e.kind == "vehicle_added")
    assert added.subject == f"{cars[int(added.key.split(':')[1])].name} added"
    assert added.link == f"/automotive/vehicles/{added.key.split(':')[1]}"
