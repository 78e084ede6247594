"""The automotive seed: cars, months of telemetry with a fault, a recall, a loan; twice = no change."""

import random

import yaml
from sqlalchemy import func, select

from dcx.automotive import seed, services
from dcx.automotive.models import Bill, Loan, Reading, Recall, RecallCoverage, TroubleCode, Vehicle
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.models import Message
from dcx.platform.showcase.loader import SEEDS_DIR, seed_personas
from dcx.verticals import SeedContext

MODELS = (Vehicle, Reading, TroubleCode, Recall, RecallCoverage, Loan, Bill, Message)


def _seed_once(app):
    # Read only our file and the personas: other verticals' files are not this test's business.
    main = yaml.safe_load((SEEDS_DIR / "default" / "showcase.yaml").read_text())
    data = yaml.safe_load((SEEDS_DIR / "default" / "automotive.yaml").read_text())
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
    cars = services.vehicles_of(alex.id)
    assert len({c.make for c in cars}) == 2
    assert first["Reading"] > 250  # months of telemetry
    golf = next(c for c in cars if c.make == "Volkswagen")
    codes = services.active_codes([golf.id])[golf.id]
    assert [(c.code, c.status) for c in codes] == [("P0562", "confirmed")]
    recalls = services.recalls_of(alex.id)
    assert len(recalls) == 1 and recalls[0][0].status == "notified"
    today = clock.today()
    overdue = [b for b in services.bills_of(alex.id, unpaid_only=True) if b.due_on < today]
    assert len(overdue) == 1 and overdue[0].kind == "instalment"
    loan = services.loans_of(alex.id)[0]
    assert services.loan_position(loan, today).paid_count == 9
    statuses = {s.vehicle.make: s for s in services.fleet_status(cars)}
    assert statuses["Volkswagen"].health == "attention"
    assert statuses["Volkswagen"].reading.battery_v < 12.0
