"""Open311 GeoReport v2 in the standard's default format (XML) and with the spec's GET filters.

A client that speaks XML parses every answer with a plain XML parser and finds the spec's
element names; a client that searches by ids, service, dates and status gets what it asked
for, within the spec's 90-day window and its cap, and bad dates in the spec's error format.
"""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest

from dcx.extensions import db
from dcx.government import open311, repairs
from dcx.government.models import REPAIR_CATEGORIES, GovernmentRepair
from dcx.platform import clock

KEY = "open311-test-key"
BASE = "/open311/v2"


@pytest.fixture
def app_config():
    return {"OPEN311_API_KEYS": KEY, "DCX_BASE_URL": "https://city.example"}


def _xml(response, status=200):
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "text/xml"
    assert response.data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    # The XML is our own answer, parsed as a client would: not untrusted input.
    return ElementTree.fromstring(response.data)  # noqa: S314  # nosec B314


def _report(category: str, description: str, days_ago: int = 0) -> GovernmentRepair:
    repair = repairs.new_reported_repair(
        category=category, location="Main Street", description=description, x=100.0, y=100.0
    )
    repair.created_at = clock.now() - timedelta(days=days_ago)
    db.session.commit()
    return repair


def _ids(root) -> list[str]:
    return [r.findtext("service_request_id") for r in root.findall("request")]


def test_discovery_services_and_definitions_are_the_specs_xml(city, client):
    discovery = _xml(client.get(f"{BASE}/discovery.xml"))
    assert discovery.tag == "discovery"
    (endpoint,) = discovery.findall("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "https://city.example/open311/v2"
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]
    services = _xml(client.get(f"{BASE}/services.xml"))
    assert services.tag == "services"
    assert [s.findtext("service_code") for s in services.findall("service")] == list(
        REPAIR_CATEGORIES
    )
    first = services.find("service")
    assert [child.tag for child in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.findtext("metadata") == "false" and first.findtext("type") == "realtime"
    definition = _xml(client.get(f"{BASE}/services/pothole.xml"))
    assert definition.tag == "service_definition"
    assert definition.findtext("service_code") == "pothole"
    assert definition.find("attributes") is not None and not list(definition.find("attributes"))
    missing = _xml(client.get(f"{BASE}/services/teleporter.xml"), 404)
    assert missing.tag == "errors" and missing.findtext("error/code") == "404"


def test_an_xml_client_files_a_report_and_reads_it_back(city, client):
    from tests.government.test_open311 import _on_a_street

    _, lat, lon = _on_a_street()
    form = {
        "api_key": KEY,
        "service_code": "pothole",
        "lat": str(lat),
        "long": str(lon),
        "description": "Crème brûlée-sized pothole",
    }
    created = _xml(client.post(f"{BASE}/requests.xml", data=form), 201)
    assert created.tag == "service_requests"
    request_id = created.findtext("request/service_request_id")
    assert request_id and created.find("request/service_notice") is not None
    (one,) = _xml(client.get(f"{BASE}/requests/{request_id}.xml")).findall("request")
    assert one.findtext("status") == "open" and one.findtext("service_code") == "pothole"
    assert one.findtext("description") == "Crème brûlée-sized pothole"  # UTF-8 round trip
    assert abs(float(one.findtext("lat")) - lat) < 0.001
    assert one.find("expected_datetime").text is None  # null is an empty element
    json_one = client.get(f"{BASE}/requests/{request_id}.json").get_json()[0]
    assert {child.tag for child in one} == set(json_one)
    refused = _xml(client.post(f"{BASE}/requests.xml", data={**form, "api_key": "x"}), 403)
    assert refused.findtext("error/code") == "403" and refused.findtext("error/description")
    assert _xml(client.get(f"{BASE}/requests/999999.xml"), 404).tag == "errors"
    assert client.get(f"{BASE}/requests.yaml").status_code == 404


def test_the_get_filters_of_the_spec(city, client):
    pothole = _report("pothole", "fresh pothole", days_ago=1)
    light = _report("streetlight", "a dark street light", days_ago=10)
    old = _report("pothole", "an old pothole", days_ago=120)
    for step in ("acknowledged", "scheduled", "in_progress", "fixed"):
        repairs.transition(light, step, city.works.id)
    db.session.commit()

    def ids(**query):
        return _ids(_xml(client.get(f"{BASE}/requests.xml", query_string=query)))

    everything = ids()  # the default window: the last 90 days
    assert str(pothole.id) in everything and str(light.id) in everything
    assert str(old.id) not in everything
    # ids override every other filter, even the window
    assert sorted(ids(service_request_id=f"{old.id},{light.id}", status="open")) == sorted(
        [str(old.id), str(light.id)]
    )
    assert str(light.id) not in ids(service_code="pothole")
    assert str(pothole.id) in ids(service_code="pothole")
    assert str(light.id) in ids(status="closed") and str(pothole.id) not in ids(status="closed")
    assert str(pothole.id) in ids(status="open") and str(light.id) not in ids(status="open")
    now = clock.now()
    window = {
        "start_date": (now - timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_date": (now - timedelta(days=100)).isoformat(),
    }
    assert str(old.id) in ids(**window)
    assert str(pothole.id) not in ids(**window) and str(light.id) not in ids(**window)
    # only a start: the 90 days after it; only an end: the 90 days before it
    after = ids(start_date=(now - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%S+00:00"))
    assert str(pothole.id) in after and str(light.id) not in after
    before = ids(end_date=(now - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%S-02:00"))
    assert str(light.id) in before and str(pothole.id) not in before


@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-01T00:00:00Z"},
        {"start_date": "2026-10-01T00:00:00Z", "end_date": "2026-09-01T00:00:00Z"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-12-01T00:00:00Z"},  # > 90 days
        {"status": "maybe"},
        {"service_request_id": "1,two"},
    ],
)
def test_a_bad_filter_is_a_400_in_the_specs_error_format(city, client, query):
    errors = _xml(client.get(f"{BASE}/requests.xml", query_string=query), 400)
    (error,) = errors.findall("error")
    assert error.findtext("code") == "400" and error.findtext("description")
    as_json = client.get(f"{BASE}/requests.json", query_string=query)
    assert as_json.status_code == 400 and as_json.get_json()[0]["code"] == 400


def test_an_answer_is_capped(city, client, monkeypatch):
    for n in range(3):
        _report("pothole", f"pothole {n}")
    monkeypatch.setattr(open311, "LIMIT", 2)
    assert len(_ids(_xml(client.get(f"{BASE}/requests.xml")))) == 2
    assert len(client.get(f"{BASE}/requests.json").get_json()) == 2
