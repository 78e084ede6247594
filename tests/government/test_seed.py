"""The government seed: the default showcase twice changes nothing."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.government import seed, services
from dcx.government.models import (
    GovernmentCrew,
    GovernmentDepartmentMember,
    GovernmentIncident,
    GovernmentObservation,
    GovernmentRepair,
    GovernmentSegment,
    GovernmentSensor,
    GovernmentStreet,
    GovernmentTravelTime,
)
from dcx.platform.accounts.models import User
from dcx.verticals import SeedContext
from tests.conftest import make_user
from tests.government.conftest import city_data

MODELS = (
    User,
    GovernmentDepartmentMember,
    GovernmentStreet,
    GovernmentSensor,
    GovernmentSegment,
    GovernmentCrew,
    GovernmentObservation,
    GovernmentTravelTime,
    GovernmentIncident,
    GovernmentRepair,
)


def _counts():
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_seeding_twice_changes_nothing(app):
    import yaml

    from tests.government.conftest import SEED_FILE

    data = yaml.safe_load(SEED_FILE.read_text())
    data["history_hours"] = 2
    users = {
        "city_officer": make_user(
            "city@example.com", "Jordan", role="staff", department="government"
        ),
        "maria": make_user("maria@example.com", "María"),
    }
    for _ in range(2):
        seed.load(SeedContext("default", data, users, random.Random(5)))
        db.session.commit()
        if _ == 0:
            first = _counts()
    assert _counts() == first
    assert first["GovernmentSensor"] == 4 and first["GovernmentCrew"] == 2
    assert first["GovernmentObservation"] == 4 * 2 * 4
    assert first["GovernmentRepair"] == 1
    assert services.department_of(users["city_officer"].id) == "transport"
    works = db.session.execute(select(User).filter_by(email="works@dcx.example")).scalar_one()
    assert works.serves("government") and services.department_of(works.id) == "public_works"


def test_empty_data_seeds_nothing(app):
    seed.load(SeedContext("other", {}, {}, random.Random(1)))
    assert db.session.scalar(select(func.count(GovernmentSensor.id))) == 0


def test_city_data_helper_matches_the_showcase():
    assert {s["code"] for s in city_data()["sensors"]} == {"S1", "S2", "S3", "S4"}
