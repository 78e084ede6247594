"""A sensor's batch is stored set-based: the same statements for ten observations as for a
hundred (a few reads per batch, never one per observation), and a resent batch replaces its
intervals instead of adding them twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.government.models import (
    GovernmentDeviceSighting,
    GovernmentObservation,
    GovernmentTravelTime,
)
from dcx.platform import clock
from tests.page_cost import page_cost

URL = "/api/v1/government/observations"


def _batch(n: int, offset: int) -> dict:
    """``n`` fifteen-minute intervals ending ``offset`` intervals ago, each with a travel time
    to S2 and two devices (one seen in every interval)."""
    end = clock.now().replace(second=0, microsecond=0) - timedelta(minutes=15 * offset)
    observations = []
    for i in range(n):
        start = end - timedelta(minutes=15 * (i + 1))
        observations.append(
            {
                "interval_start": start.isoformat(),
                "interval_end": (start + timedelta(minutes=15)).isoformat(),
                "vehicle_count": 100 + i,
                "average_speed_kmh": 30.0,
                "travel_times": [{"to": "S2", "seconds": 120}],
                "devices": ["AA:BB:CC:00:00:01", f"AA:BB:CC:00:{i // 256:02X}:{i % 256:02X}"],
            }
        )
    return {"observations": observations}


def _post(client, city, body):
    with page_cost(db.engine) as cost:
        r = client.post(
            URL, json=body, headers={"Authorization": f"Bearer {city.sensor_tokens['S1']}"}
        )
    assert r.status_code == 201, r.get_json()
    return r.get_json(), cost


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_a_batch_costs_the_same_statements_for_ten_or_a_hundred_observations(client, city):
    small, few = _post(client, city, _batch(10, offset=200))
    large, many = _post(client, city, _batch(100, offset=0))
    assert small["stored"] == 10 and large["stored"] == 100
    assert many.statements == few.statements, (few.sql, many.sql)


def test_a_resent_batch_replaces_its_intervals(client, city):
    body = _batch(12, offset=0)
    first, _cost = _post(client, city, body)
    counts = (
        _count(GovernmentObservation),
        _count(GovernmentTravelTime),
        _count(GovernmentDeviceSighting),
    )
    body["observations"][0]["vehicle_count"] = 999
    again, _cost = _post(client, city, body)
    assert first == again
    assert counts == (
        _count(GovernmentObservation),
        _count(GovernmentTravelTime),
        _count(GovernmentDeviceSighting),
    )
    assert counts[0] == 12 and counts[1] == 12
    assert db.session.scalar(select(func.max(GovernmentObservation.vehicle_count))) == 999
