"""A reading costs the same whatever the car's history: the ingest reads none of the car's
past readings, and runs the same statements for a car with thousands as for a new one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert

from dcx.automotive import vehicles
from dcx.automotive.models import AutomotiveReading
from dcx.extensions import db
from dcx.platform import clock
from tests.automotive.conftest import make_vehicle
from tests.conftest import make_user
from tests.page_cost import page_cost

URL = "/api/v1/automotive/telemetry"


def _start() -> datetime:
    """A month before the showcase's today: readings must be near the clock to be accepted."""
    today = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=30)


def _history(car, n: int, first: int = 0) -> None:
    rows = [
        {"vehicle_id": car.id, "recorded_at": _start() + timedelta(minutes=i), "odometer_km": i}
        for i in range(first, first + n)
    ]
    db.session.execute(insert(AutomotiveReading), rows)
    db.session.commit()


def _post_one(client, token: str, minute: int):
    at = (_start() + timedelta(days=10, minutes=minute)).isoformat()
    with page_cost(db.engine) as cost:
        r = client.post(
            URL,
            headers={"Authorization": f"Bearer {token}"},
            json={"readings": [{"recorded_at": at, "odometer_km": 90_000 + minute}]},
        )
    assert r.status_code == 201 and r.json["accepted"] == 1, r.json
    return cost


def test_a_reading_reads_nothing_of_the_cars_history(app, client):
    car = make_vehicle(make_user())
    token = vehicles.connect_vehicle(car)
    db.session.commit()
    _history(car, 10)
    young = _post_one(client, token, 1)
    _history(car, 5_000, first=10)
    old = _post_one(client, token, 2)
    assert old.statements == young.statements and old.rows == young.rows
    reads = [sql for sql in old.sql if "automotive_reading" in sql and not sql.startswith("INSERT")]
    assert not reads, reads


def test_a_resent_reading_is_counted_as_a_duplicate(app, client):
    car = make_vehicle(make_user())
    token = vehicles.connect_vehicle(car)
    db.session.commit()
    _post_one(client, token, 7)
    at = (_start() + timedelta(days=10, minutes=7)).isoformat()
    body = {"readings": [{"recorded_at": at, "odometer_km": 1}, {"odometer_km": 2}]}
    r = client.post(URL, headers={"Authorization": f"Bearer {token}"}, json=body)
    assert r.status_code == 201 and (r.json["accepted"], r.json["duplicates"]) == (1, 1)
