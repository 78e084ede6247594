"""The service advisor's cars needing attention, a page at a time: chosen in SQL (a code, an
open recall, service due within two weeks by time or distance), searchable, and costing the
same however many cars the workshop serves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dcx.automotive import telemetry, workspace
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.staff_lists import ListRequest
from tests.automotive.conftest import make_vehicle
from tests.conftest import make_user
from tests.page_cost import page_cost


@pytest.fixture
def app_config():
    """Three cars a page, so a handful of cars fill several pages."""
    return {"DCX_STAFF_PAGE_SIZE": 3}


def _vin(n: int) -> str:
    return f"WVWZZZ1KZ8W{n:06d}"


def _cars_with_codes(n: int, start: int = 0) -> list:
    cars = []
    for i in range(start, start + n):
        owner = make_user(f"o{i:02d}@example.com", f"Owner {i:02d}")
        car = make_vehicle(owner, vin=_vin(i), last_service_on=clock.today())
        telemetry.ingest_readings(car, [{"odometer_km": 5, "codes": [{"code": "P0300"}]}])
        cars.append(car)
    db.session.commit()
    return cars


def test_only_cars_needing_attention_are_listed(app):
    today = clock.today()
    fine = make_vehicle(make_user("fine@example.com", "Fine"), vin=_vin(90), last_service_on=today)
    by_time = make_vehicle(
        make_user("time@example.com", "Time"),
        vin=_vin(91),
        last_service_on=today - timedelta(days=365 - 10),
    )
    by_km = make_vehicle(make_user("km@example.com", "Km"), vin=_vin(92), last_service_on=today)
    telemetry.ingest_readings(by_km, [{"odometer_km": 14_700}])
    (coded,) = _cars_with_codes(1)
    db.session.commit()
    page, statuses, owners = workspace.needing_attention_page(ListRequest())
    listed = {s.vehicle.id for s in statuses}
    assert listed == {by_time.id, by_km.id, coded.id} and fine.id not in listed
    assert statuses[0].vehicle.id == coded.id  # a code or a recall comes first
    assert {s.due.urgency for s in statuses if s.vehicle.id != coded.id} == {"urgent"}
    assert owners[by_km.user_id].name == "Km" and page.total == 3


def test_cars_come_a_page_at_a_time_and_by_search(app, staff_client):
    cars = _cars_with_codes(7)
    advisor, _ = staff_client("automotive")
    first = advisor.get("/automotive/staff").get_data(as_text=True)
    second = advisor.get("/automotive/staff?page=2").get_data(as_text=True)
    assert [c.vin in first for c in cars] == [True] * 3 + [False] * 4
    assert [c.vin in second for c in cars] == [False] * 3 + [True] * 3 + [False]
    assert "4\u20136 of 7" in second and 'rel="next"' in second
    found = advisor.get("/automotive/staff?q=owner 06").get_data(as_text=True)
    assert cars[6].vin in found and cars[0].vin not in found
    nothing = advisor.get("/automotive/staff?q=nobody").get_data(as_text=True)
    assert "No car needing attention matches your search." in nothing
    for bad in ("0", "-3", "abc", "999"):
        assert advisor.get(f"/automotive/staff?page={bad}").status_code == 200


def test_the_page_costs_the_same_with_more_cars(app, staff_client):
    _cars_with_codes(4)
    advisor, _ = staff_client("automotive")
    advisor.get("/automotive/staff")
    with page_cost(db.engine) as few:
        assert advisor.get("/automotive/staff").status_code == 200
    _cars_with_codes(8, start=4)
    with page_cost(db.engine) as many:
        assert advisor.get("/automotive/staff").status_code == 200
    assert many.as_tuple() == few.as_tuple()
