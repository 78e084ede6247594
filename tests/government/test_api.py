"""The ingest API: sensor observations and crew positions, with their tokens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.government import planner, sensors
from dcx.government.models import (
    GovernmentCrewPosition,
    GovernmentDeviceSighting,
    GovernmentIncident,
    GovernmentObservation,
    GovernmentRepair,
)
from dcx.platform import clock

URL = "/api/v1/government/observations"


def _body(minutes_ago: int = 15, **fields):
    start = clock.now().replace(microsecond=0) - timedelta(minutes=minutes_ago)
    return {
        "observations": [
            {
                "interval_start": start.isoformat(),
                "interval_end": (start + timedelta(minutes=15)).isoformat(),
                "vehicle_count": 120,
                "pedestrian_count": 30,
                "average_speed_kmh": 21.5,
                **fields,
            }
        ]
    }


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_sensor_posts_a_batch_and_congestion_opens_an_incident(client, city):
    body = _body(travel_times=[{"to": "S2", "seconds": 190}], devices=["AA:BB:CC:00:11:22"])
    second = _body(minutes_ago=30)["observations"][0]
    body["observations"].append(second)
    r = client.post(URL, json=body, headers=_auth(city.sensor_tokens["S1"]))
    assert r.status_code == 201, r.get_json()
    assert r.get_json() == {"sensor": "S1", "stored": 2, "travel_times": 1, "congestion": 1}
    assert db.session.scalar(select(func.count(GovernmentObservation.id))) == 2
    incident = db.session.execute(select(GovernmentIncident)).scalar_one()
    assert incident.severity == "severe"
    assert city.sensor("S1").last_seen_at is not None
    raw = db.session.execute(select(GovernmentDeviceSighting.device_hash)).scalar_one()
    assert "AA:BB" not in raw.upper()


def test_wrong_missing_or_other_scheme_token_is_401(client, city):
    assert client.post(URL, json=_body()).status_code == 401
    assert client.post(URL, json=_body(), headers=_auth("gov-sensor_nope")).status_code == 401
    r = client.post(
        URL, json=_body(), headers={"Authorization": f"Basic {city.sensor_tokens['S1']}"}
    )
    assert r.status_code == 401
    assert r.get_json()["error"] == "missing or wrong sensor token"
    # a crew's token is not a sensor's token
    assert (
        client.post(URL, json=_body(), headers=_auth(city.crew_tokens["CREW-A"])).status_code == 401
    )
    assert db.session.scalar(select(func.count(GovernmentObservation.id))) == 0


def test_bad_bodies_are_400_and_oversized_413(client, city):
    headers = _auth(city.sensor_tokens["S1"])
    assert client.post(URL, json={"observations": []}, headers=headers).status_code == 400
    assert client.post(URL, json=_body(vehicle_count=-1), headers=headers).status_code == 400
    assert client.post(URL, json=_body(extra=1), headers=headers).status_code == 400
    bad_time = {
        "observations": [{"interval_start": "not a time at all", "interval_end": "neither is this"}]
    }
    assert client.post(URL, json=bad_time, headers=headers).status_code == 400
    early = {
        "observations": [
            {
                "interval_start": "0001-01-01T00:00:00+01:00",
                "interval_end": "0001-01-01T00:10:00+01:00",
            }
        ]
    }
    assert client.post(URL, json=early, headers=headers).status_code == 400
    # implausible times, as for every device reading: an hour ahead, or over a year old
    for minutes_ago in (-60, 60 * 24 * 400):
        r = client.post(URL, json=_body(minutes_ago=minutes_ago), headers=headers)
        assert r.status_code == 400 and "reading time" in r.get_json()["error"]
    nan = '{"observations": [{"interval_start": "2026-11-23T08:00:00Z", "interval_end": "2026-11-23T08:15:00Z", "average_speed_kmh": NaN}]}'
    r = client.post(URL, data=nan, headers={**headers, "Content-Type": "application/json"})
    assert r.status_code == 400
    wrong_pair = _body(travel_times=[{"to": "S4", "seconds": 10}])
    r = client.post(URL, json=wrong_pair, headers=headers)
    assert r.status_code == 400 and "no segment" in r.get_json()["error"]
    huge = _body(devices=["x" * 60] * 500)
    huge["observations"] *= 3
    assert client.post(URL, json=huge, headers=headers).status_code == 413
    assert (
        client.post(
            URL, data="{", headers={**headers, "Content-Type": "application/json"}
        ).status_code
        == 400
    )
    assert db.session.scalar(select(func.count(GovernmentObservation.id))) == 0


def test_crew_position_with_its_token(client, city):
    crew = city.crew("CREW-A")
    url = f"/api/v1/government/crews/{crew.id}/position"
    r = client.post(
        url,
        json={"x": 500, "y": 400, "status": "en_route"},
        headers=_auth(city.crew_tokens["CREW-A"]),
    )
    assert r.status_code == 200
    assert r.get_json()["status"] == "en_route"
    db.session.expire_all()
    assert (city.crew("CREW-A").x, city.crew("CREW-A").y) == (500, 400)
    assert db.session.scalar(select(func.count(GovernmentCrewPosition.id))) == 1


def test_wrong_crew_token_or_unknown_crew_is_401(client, city):
    crew_a, crew_b = city.crew("CREW-A"), city.crew("CREW-B")
    body = {"x": 500, "y": 400, "status": "en_route"}
    url = f"/api/v1/government/crews/{crew_a.id}/position"
    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body, headers=_auth(city.crew_tokens["CREW-B"])).status_code == 401
    assert client.post(url, json=body, headers=_auth(city.sensor_tokens["S1"])).status_code == 401
    # an id no INTEGER column can hold matches no route at all (the app's int converter)
    for too_big in (2**31, 2**70):
        huge = f"/api/v1/government/crews/{too_big}/position"
        status = client.post(huge, json=body, headers=_auth(city.crew_tokens["CREW-A"])).status_code
        assert status == 404
    assert (
        client.post(
            "/api/v1/government/crews/999/position",
            json=body,
            headers=_auth(city.crew_tokens["CREW-A"]),
        ).status_code
        == 401
    )
    assert (
        client.post(
            url, json={**body, "status": "lost"}, headers=_auth(city.crew_tokens["CREW-A"])
        ).status_code
        == 400
    )
    assert (
        client.post(
            url, json={**body, "x": 99999}, headers=_auth(city.crew_tokens["CREW-A"])
        ).status_code
        == 400
    )
    nan = '{"x": NaN, "y": 1, "status": "en_route"}'
    r = client.post(
        url,
        data=nan,
        headers={**_auth(city.crew_tokens["CREW-A"]), "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert db.session.scalar(select(func.count(GovernmentCrewPosition.id))) == 0
    assert crew_b.status == "idle"


def test_crew_done_fixes_the_repair(client, city):
    repair = GovernmentRepair(category="streetlight", location="Harbour Road", x=1000, y=1500)
    db.session.add(repair)
    db.session.flush()
    crew = city.crew("CREW-A")
    planner.schedule_repair(repair, crew, clock.now(), clock.now() + timedelta(hours=1))
    db.session.commit()
    url = f"/api/v1/government/crews/{crew.id}/position"
    headers = _auth(city.crew_tokens["CREW-A"])
    for status in ("en_route", "on_site", "done"):
        r = client.post(url, json={"x": 1000, "y": 1500, "status": status}, headers=headers)
        assert r.status_code == 200
    assert r.get_json()["repair_status"] == "fixed"
    db.session.expire_all()
    assert db.session.get(GovernmentRepair, repair.id).status == "fixed"


def test_a_post_that_loses_a_race_for_the_same_interval_is_stored_not_a_500(
    client, city, monkeypatch
):
    from sqlalchemy.exc import IntegrityError

    real = sensors.ingest_observations
    calls = []

    def racing(sensor, observations, now=None):
        calls.append(1)
        if len(calls) == 1:  # the other request committed the same interval first
            raise IntegrityError("INSERT", {}, Exception("unique"))
        return real(sensor, observations, now)

    monkeypatch.setattr(sensors, "ingest_observations", racing)
    r = client.post(URL, json=_body(), headers=_auth(city.sensor_tokens["S1"]))
    assert r.status_code == 201 and len(calls) == 2
    assert db.session.scalar(select(func.count(GovernmentObservation.id))) == 1
