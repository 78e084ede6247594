"""Open311 GeoReport v2: an Open311 client files a report, staff see it, its status follows.

Requests are sent in the standard's own shapes (form-encoded POST with ``api_key``,
``service_code``, ``lat``, ``long``, ``description``), as existing Open311 apps send them.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dcx.extensions import db
from dcx.government import open311, repairs, workspace
from dcx.government.models import REPAIR_CATEGORIES, GovernmentRepair

KEY = "open311-test-key"


@pytest.fixture
def app_config():
    return {"OPEN311_API_KEYS": f"other-key, {KEY}", "DCX_BASE_URL": "https://city.example"}


def _on_a_street():
    street = workspace.streets()[0]
    lat, lon = open311.to_lat_long((street.x1 + street.x2) / 2, (street.y1 + street.y2) / 2 + 5)
    return street, lat, lon


def _file(client, **overrides):
    street, lat, lon = _on_a_street()
    form = {
        "api_key": KEY,
        "service_code": "pothole",
        "lat": str(lat),
        "long": str(lon),
        "description": "A deep pothole in the cycle lane",
    }
    form.update(overrides)
    return client.post("/open311/v2/requests.json", data=form), street


def test_discovery_and_services_describe_the_endpoint(city, client):
    discovery = client.get("/open311/v2/discovery.json").get_json()
    (endpoint,) = discovery["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "https://city.example/open311/v2"
    services = client.get("/open311/v2/services.json").get_json()
    assert [s["service_code"] for s in services] == list(REPAIR_CATEGORIES)
    assert {"service_code", "service_name", "metadata", "type", "keywords", "group"} <= set(
        services[0]
    )
    assert client.get("/open311/v2/services/pothole.json").get_json() == {
        "service_code": "pothole",
        "attributes": [],
    }
    assert client.get("/open311/v2/services/teleporter.json").status_code == 404


def test_an_open311_client_files_a_report_that_staff_see_and_follow(city, client, login_as):
    answer, street = _file(client)
    assert answer.status_code == 201
    ((created),) = answer.get_json()
    request_id = int(created["service_request_id"])
    repair = db.session.get(GovernmentRepair, request_id)
    assert repair.category == "pothole" and repair.status == "reported"
    assert repair.location == street.name  # the nearest street to the point
    assert repair.description == "A deep pothole in the cycle lane"

    # city staff see it in their list
    staff = login_as(city.works)
    assert "A deep pothole" in staff.get(f"/government/staff/repairs/{request_id}").get_data(
        as_text=True
    )
    assert f"/government/staff/repairs/{request_id}" in staff.get(
        "/government/staff/repairs"
    ).get_data(as_text=True)

    def followed():
        (one,) = client.get(f"/open311/v2/requests/{request_id}.json").get_json()
        return one["status"], one["status_notes"]

    assert followed() == ("open", "Reported")
    (listed,) = client.get(
        "/open311/v2/requests.json", query_string={"service_request_id": request_id}
    ).get_json()
    _, lat, lon = _on_a_street()
    assert abs(listed["lat"] - lat) < 0.001 and abs(listed["long"] - lon) < 0.001
    for step, expected in [
        ("acknowledged", ("open", "Acknowledged")),
        ("scheduled", ("open", "Scheduled")),
        ("in_progress", ("open", "In progress")),
        ("fixed", ("closed", "Fixed")),
    ]:
        repairs.transition(repair, step, city.works.id)
        db.session.commit()
        assert followed() == expected
    closed = client.get("/open311/v2/requests.json", query_string={"status": "closed"})
    assert str(request_id) in [r["service_request_id"] for r in closed.get_json()]


def test_a_report_needs_a_valid_key_a_known_service_and_a_point_in_the_city(city, client):
    before = db.session.execute(select(GovernmentRepair.id)).all()
    assert _file(client, api_key="")[0].status_code == 403
    assert _file(client, api_key="guess")[0].status_code == 403
    assert _file(client, service_code="teleporter")[0].status_code == 404
    missing, _ = _file(client, lat="north")
    assert missing.status_code == 400
    assert missing.get_json()[0]["code"] == 400 and missing.get_json()[0]["description"]
    assert _file(client, lat="0", long="0")[0].status_code == 400
    assert _file(client, description=" ")[0].status_code == 400
    assert db.session.execute(select(GovernmentRepair.id)).all() == before
    assert client.get("/open311/v2/requests/999999.json").status_code == 404
    assert client.get("/open311/v2/requests.json?status=maybe").status_code == 400
