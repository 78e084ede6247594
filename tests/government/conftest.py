"""Government fixtures: a small city (streets, sensors, segments, crews) and its people."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dcx.extensions import db
from dcx.government import crews, districts, seed, sensors
from dcx.government.models import GovernmentCrew, GovernmentSegment, GovernmentSensor
from dcx.platform.showcase import texts
from dcx.verticals import SeedContext
from tests.conftest import AuthActions, make_user

SEED_FILE = Path(__file__).resolve().parents[2] / "seeds" / "default" / "government.yaml"


def city_data(**overrides: Any) -> dict:
    """The default showcase's government data, without generated history or extra staff."""
    data = texts.read(SEED_FILE)
    data.update({"staff": [], "history_hours": 0, "citizen_reports": []})
    data.update(overrides)
    return data


@dataclass
class City:
    """Handles on the seeded city for tests."""

    officer: Any
    works: Any
    police: Any
    citizen: Any
    sensor_tokens: dict[str, str]
    crew_tokens: dict[str, str]

    def sensor(self, code: str) -> GovernmentSensor:
        """A sensor by code."""
        return db.session.execute(db.select(GovernmentSensor).filter_by(code=code)).scalar_one()

    def crew(self, code: str) -> GovernmentCrew:
        """A crew by code."""
        return db.session.execute(db.select(GovernmentCrew).filter_by(code=code)).scalar_one()

    def segment(self, name: str) -> GovernmentSegment:
        """A segment by name."""
        return db.session.execute(db.select(GovernmentSegment).filter_by(name=name)).scalar_one()


def build_city() -> City:
    """Seed the city and its people; returns handles and raw device tokens."""
    officer = make_user("city@example.com", "Jordan City", role="staff", department="government")
    works = make_user("works@example.com", "Morgan Works", role="staff", department="government")
    police = make_user("police@example.com", "Riley Patrol", role="staff", department="government")
    citizen = make_user("maria@example.com", "María Popescu")
    seed.load(
        SeedContext(
            showcase="test",
            data=city_data(),
            users={"city_officer": officer, "maria": citizen},
            random=random.Random(1),
        )
    )
    districts.assign_department(works.id, "public_works")
    districts.assign_department(police.id, "police")
    sensor_tokens = {
        s.code: sensors.issue_sensor_token(s)
        for s in db.session.execute(db.select(GovernmentSensor)).scalars()
    }
    crew_tokens = {
        c.code: crews.issue_crew_token(c)
        for c in db.session.execute(db.select(GovernmentCrew)).scalars()
    }
    db.session.commit()
    return City(officer, works, police, citizen, sensor_tokens, crew_tokens)


@pytest.fixture
def city(app) -> City:
    """A seeded city with an officer (transport), public works, police and a citizen."""
    return build_city()


@pytest.fixture
def login_as(app):
    """Factory: a fresh test client signed in as ``user``."""

    def _login(user):
        c = app.test_client()
        AuthActions(c).login(user.email)
        return c

    return _login
