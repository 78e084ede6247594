"""The telematics API: per-vehicle tokens, validated batches, clear 4xx answers."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from dcx.automotive import vehicles
from dcx.automotive.api import MAX_BYTES
from dcx.automotive.models import AutomotiveReading, AutomotiveTroubleCode
from dcx.extensions import db
from dcx.platform import clock
from tests.automotive.conftest import make_vehicle
from tests.conftest import make_user

URL = "/api/v1/automotive/telemetry"


@pytest.fixture
def car_token(app):
    car = make_vehicle(make_user())
    token = vehicles.connect_vehicle(car)
    db.session.commit()
    return car, token


def _post(client, token, body=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is not None:
        kwargs["json"] = body
    return client.post(URL, headers=headers, **kwargs)


def test_a_car_posts_a_batch_with_a_new_code(client, car_token):
    car, token = car_token
    day = (clock.today() - timedelta(days=2)).isoformat()
    body = {
        "readings": [
            {
                "recorded_at": f"{day}T10:00:00Z",
                "odometer_km": 1200,
                "battery_v": 12.4,
                "tyres_kpa": {"fl": 230, "fr": 231, "rl": 229, "rr": 230},
                "location": {"lat": 44.4, "lon": 26.1},
            },
            {
                "recorded_at": f"{day}T11:00:00+00:00",
                "odometer_km": 1250,
                "codes": [{"code": "P0300", "status": "confirmed"}],
            },
        ]
    }
    r = _post(client, token, body)
    assert r.status_code == 201, r.json
    assert r.json["accepted"] == 2 and r.json["new_codes"] == ["P0300"]
    assert r.json["vehicle"] == car.vin
    rows = (
        db.session.execute(select(AutomotiveReading).order_by(AutomotiveReading.recorded_at))
        .scalars()
        .all()
    )
    assert [x.odometer_km for x in rows] == [1200, 1250] and rows[0].tyre_rl_kpa == 229
    assert db.session.execute(select(AutomotiveTroubleCode.code)).scalars().all() == ["P0300"]
    again = _post(client, token, body)
    assert again.json["accepted"] == 0 and again.json["duplicates"] == 2


@pytest.mark.parametrize("token", [None, "car_wrong", "x" * 300])
def test_missing_or_wrong_token_answers_401(client, car_token, token):
    r = _post(client, token, {"readings": [{"odometer_km": 1}]})
    assert r.status_code == 401 and r.json["error"]
    assert db.session.query(AutomotiveReading).count() == 0


def test_a_revoked_token_answers_401_and_a_new_one_works(client, car_token):
    car, token = car_token
    vehicles.revoke_token(car)
    db.session.commit()
    assert _post(client, token, {"readings": [{"odometer_km": 1}]}).status_code == 401
    fresh = vehicles.connect_vehicle(car)
    db.session.commit()
    assert _post(client, fresh, {"readings": [{"odometer_km": 1}]}).status_code == 201
    assert _post(client, token, {"readings": [{"odometer_km": 2}]}).status_code == 401


@pytest.mark.parametrize(
    "kwargs,status,field",
    [
        ({"data": "{not json", "content_type": "application/json"}, 400, None),
        ({"json": {"readings": []}}, 400, "readings"),
        ({"json": {"readings": [{"odometer_km": -5}]}}, 400, "readings/0/odometer_km"),
        (
            {"json": {"readings": [{"odometer_km": 5, "codes": [{"code": "P9999"}]}]}},
            400,
            "readings/0/codes/0/code",
        ),
        ({"json": {"readings": [{"odometer_km": 5, "speed": 3}]}}, 400, "readings/0"),
        (
            {"json": {"readings": [{"odometer_km": 5, "recorded_at": "yesterday"}]}},
            400,
            "readings/0/recorded_at",
        ),
        ({"json": {"readings": [{"odometer_km": 5}], "pad": "x" * (MAX_BYTES + 1)}}, 413, None),
    ],
)
def test_bad_bodies_get_a_clear_4xx(client, car_token, kwargs, status, field):
    _car, token = car_token
    r = client.post(URL, headers={"Authorization": f"Bearer {token}"}, **kwargs)
    assert r.status_code == status
    assert r.json["error"]
    if field:
        assert field in [p["field"] for p in r.json["problems"]]


def test_a_reading_from_the_future_is_refused(client, car_token):
    _car, token = car_token
    r = _post(
        client, token, {"readings": [{"odometer_km": 5, "recorded_at": "2999-01-01T00:00:00Z"}]}
    )
    assert r.status_code == 400 and "future" in r.json["error"]
    assert db.session.query(AutomotiveReading).count() == 0


def test_only_the_hash_of_the_token_is_stored(app, car_token):
    car, token = car_token
    assert token.startswith("car_") and car.token_hash != token and len(car.token_hash) == 64
    assert vehicles.vehicle_for_token(token).id == car.id
