"""FIWARE TrafficFlowObserved entities (NGSI-LD, normalized form) are a sensor's observations,
held to the rules of the sensor's own format."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.government import fiware, sensors
from dcx.government.models import GovernmentObservation
from dcx.platform import clock

URL = "/api/v1/government/traffic-flow-observed"
CONTEXT = "https://raw.githubusercontent.com/smart-data-models/dataModel.Transportation/master/context.jsonld"


def _start(minutes_ago: int = 30):
    return clock.now().replace(second=0, microsecond=0) - timedelta(minutes=minutes_ago)


def _prop(value):
    return {"type": "Property", "value": value}


def _entity(start=None, minutes: int = 15, **attributes):
    """An entity shaped as the data model's normalized NGSI-LD example."""
    start = start or _start()
    end = start + timedelta(minutes=minutes)
    entity = {
        "id": f"urn:ngsi-ld:TrafficFlowObserved:S1-{start:%H%M}",
        "type": "TrafficFlowObserved",
        "dateObserved": _prop(
            {"@type": "DateTime", "@value": f"{start:%Y-%m-%dT%H:%M:%S}/{end:%Y-%m-%dT%H:%M:%S}"}
        ),
        "dateObservedFrom": _prop({"@type": "DateTime", "@value": f"{start:%Y-%m-%dT%H:%M:%SZ}"}),
        "dateObservedTo": _prop({"@type": "DateTime", "@value": f"{end:%Y-%m-%dT%H:%M:%SZ}"}),
        "intensity": _prop(197),
        "averageVehicleSpeed": _prop(52.6),
        "occupancy": _prop(0.76),
        "laneId": _prop(1),
        "laneDirection": _prop("forward"),
        "location": {
            "type": "GeoProperty",
            "value": {"type": "LineString", "coordinates": [[-4.737, 41.653], [-4.734, 41.660]]},
        },
        "@context": [CONTEXT],
    }
    entity.update(attributes)
    return entity


def _post(client, city, body, content_type="application/ld+json", sensor="S1"):
    return client.post(
        URL,
        data=json.dumps(body),
        headers={
            "Authorization": f"Bearer {city.sensor_tokens[sensor]}",
            "Content-Type": content_type,
        },
    )


def _stored():
    return list(
        db.session.execute(
            select(GovernmentObservation).order_by(GovernmentObservation.interval_start)
        ).scalars()
    )


def test_one_entity_is_one_observation_of_the_tokens_sensor(client, city):
    start = _start()
    r = _post(client, city, _entity(start))
    assert r.status_code == 201, r.get_json()
    assert r.get_json() == {"sensor": "S1", "stored": 1, "travel_times": 0, "congestion": 0}
    (row,) = _stored()
    assert row.sensor_id == city.sensor("S1").id
    assert (row.interval_start, row.interval_end) == (start, start + timedelta(minutes=15))
    assert (row.vehicle_count, row.average_speed_kmh) == (197, 52.6)
    assert city.sensor("S1").last_seen_at == start + timedelta(minutes=15)


def test_an_array_as_plain_json_with_lanes_adding_up_and_a_resend_replacing(client, city):
    first, second = _start(45), _start(30)
    lanes = [
        _entity(first, intensity=_prop(100), averageVehicleSpeed=_prop(40.0)),
        _entity(first, intensity=_prop(50), averageVehicleSpeed=_prop(70.0), laneId=_prop(2)),
        # only the interval form of dateObserved, and a time without a zone (UTC, as the
        # data model says), referencing the sensor and a segment at it
        {
            "id": "urn:ngsi-ld:TrafficFlowObserved:S1-b",
            "type": "TrafficFlowObserved",
            "dateObserved": _prop(
                f"{second:%Y-%m-%dT%H:%M:%S}/{second + timedelta(minutes=15):%Y-%m-%dT%H:%M:%S}"
            ),
            "intensity": _prop(12.0),
            "refDevice": {"type": "Relationship", "object": "urn:ngsi-ld:Device:S1"},
            "refRoadSegment": {"type": "Relationship", "object": "urn:ngsi-ld:RoadSegment:S3-S1"},
        },
    ]
    r = _post(client, city, lanes, content_type="application/json")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["stored"] == 2
    rows = _stored()
    assert [(o.vehicle_count, o.average_speed_kmh) for o in rows] == [(150, 50.0), (12, None)]
    # the same period sent again replaces it, it does not add a second row
    assert _post(client, city, _entity(first, intensity=_prop(90))).status_code == 201
    db.session.expire_all()
    assert [o.vehicle_count for o in _stored()] == [90, 12]


def _malformed() -> list[tuple[dict, str]]:
    """Malformed entities and what the 400 says about each."""
    return [
        ({"type": "TrafficFlowObserved"}, "'id' is a required property"),
        (_entity(type="TrafficFlowObservation"), "TrafficFlowObserved"),
        (_entity(intensity=197), "is not of type 'object'"),  # key-values, not normalized
        (_entity(intensity=_prop(-3)), "minimum"),
        (_entity(averageVehicleSpeed={"type": "Relationship", "value": 5}), "Property"),
        (_entity(intensity=_prop(10.5)), "whole number"),
        (
            {k: v for k, v in _entity().items() if not k.startswith("dateObservedF")}
            | {"dateObserved": _prop("2026-11-20T08:00:00Z")},
            "the period is missing",
        ),
        (_entity(dateObservedFrom=_prop("yesterday")), "dateObservedFrom"),
        (_entity(minutes=-5), "interval_end must be after interval_start"),
        (_entity(_start(-60)), "in the future"),
        (_entity(_start(60 * 24 * 400)), "days old"),
        (
            _entity(refDevice={"type": "Relationship", "object": "urn:ngsi-ld:Device:S2"}),
            "not the sensor of this token (S1)",
        ),
        (
            _entity(refRoadSegment={"type": "Relationship", "object": "urn:ngsi-ld:RoadSegment:X"}),
            "not a segment at sensor S1",
        ),
    ]


def test_a_malformed_entity_is_a_400_that_says_why_and_stores_nothing(client, city):
    for entity, says in _malformed():  # one city for all: none is stored
        body = [_entity(_start(60)), entity]  # a good entity first: nothing of it is kept
        r = _post(client, city, body)
        assert r.status_code == 400, (says, r.get_json())
        assert says in json.dumps(r.get_json()), (says, r.get_json())
    assert db.session.scalar(select(func.count(GovernmentObservation.id))) == 0


def test_lanes_past_the_bounds_of_the_sensors_own_format_are_refused(city):
    lanes = [_entity(intensity=_prop(60000), laneId=_prop(n)) for n in (1, 2)]
    with pytest.raises(sensors.IngestError, match="out of bounds: observations/0/vehicle_count"):
        fiware.observations_from_entities(lanes, city.sensor("S1"))


def test_no_token_is_401_and_the_document_states_both_media_types(client, city):
    assert client.post(URL, json=_entity()).status_code == 401
    operation = client.get("/api/v1/openapi.json").get_json()["paths"][URL]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/ld+json", "application/json"}
    assert content["application/ld+json"]["schema"]["properties"]["intensity"]
    assert {"201", "400", "401", "409", "429"} <= set(operation["responses"])
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "application/ld+json, application/json" in page
