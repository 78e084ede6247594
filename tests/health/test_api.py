"""The wearable ingest API: token, schema, size and idempotent readings."""

import json

from dcx.extensions import db
from dcx.health import care_team, devices
from dcx.health.models import HealthObservation
from dcx.platform import clock
from dcx.platform.notify.models import Message

URL = "/api/v1/health/observations"


def _post(client, body, token=None, raw=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        URL, data=raw or json.dumps(body), headers=headers, content_type="application/json"
    )


def _token(patient):
    token = devices.issue_device_token(patient.id)
    db.session.commit()
    return token


def test_device_posts_readings_once(app, client, patient):
    token = _token(patient)
    at = clock.now().isoformat()
    body = {
        "readings": [
            {"id": "w-1", "type": "heart_rate", "value": 64, "observed_at": at},
            {"id": "w-2", "type": "bp", "systolic": 124, "diastolic": 79, "observed_at": at},
            {"id": "w-3", "type": "spo2", "value": 97, "observed_at": at},
        ]
    }
    r = _post(client, body, token)
    assert r.status_code == 201 and r.get_json() == {"accepted": 3, "duplicates": 0}
    r = _post(client, body, token)
    assert r.get_json() == {"accepted": 0, "duplicates": 3}
    rows = db.session.query(HealthObservation).filter_by(patient_id=patient.id).all()
    assert sorted(o.code for o in rows) == ["59408-5", "8480-6", "8867-4"]
    assert all(o.source == "device" for o in rows)
    # only the hash is stored
    assert care_team.profile_for(patient.id).device_token_hash != token


def test_missing_wrong_or_revoked_token_is_401(app, client, patient):
    body = {
        "readings": [{"type": "heart_rate", "value": 64, "observed_at": clock.now().isoformat()}]
    }
    assert _post(client, body).status_code == 401
    assert _post(client, body, "dcxh_wrong").status_code == 401
    token = _token(patient)
    devices.revoke_device_token(patient.id)
    db.session.commit()
    r = _post(client, body, token)
    assert r.status_code == 401 and r.get_json()["error"]


def test_schema_and_value_errors_are_400(app, client, patient):
    token = _token(patient)
    at = clock.now().isoformat()
    r = _post(client, {"readings": [{"type": "bp", "value": 120, "observed_at": at}]}, token)
    assert r.status_code == 400 and r.get_json()["problems"]
    assert (
        _post(
            client, {"readings": [{"type": "mood", "value": 1, "observed_at": at}]}, token
        ).status_code
        == 400
    )
    assert _post(client, None, token, raw="{not json").status_code == 400
    r = _post(client, {"readings": [{"type": "spo2", "value": 150, "observed_at": at}]}, token)
    assert r.status_code == 400
    assert db.session.query(HealthObservation).count() == 0


def test_too_large_body_is_413(app, client, patient):
    token = _token(patient)
    raw = json.dumps({"readings": [], "pad": "x" * 70_000})
    assert _post(client, None, token, raw=raw).status_code == 413


def test_device_crisis_reading_alerts_the_care_team(app, client, patient, clinician):
    token = _token(patient)
    body = {
        "readings": [
            {
                "id": "c1",
                "type": "bp",
                "systolic": 192,
                "diastolic": 118,
                "observed_at": clock.now().isoformat(),
            }
        ]
    }
    assert _post(client, body, token).status_code == 201
    assert (
        db.session.query(Message)
        .filter_by(user_id=clinician.id, topic="health.crisis_alert")
        .count()
        == 1
    )


def test_device_token_is_shown_once_on_the_settings_page(app, patient, patient_client):
    body = patient_client.post("/health/settings/device", data={"action": "issue"}).get_data(
        as_text=True
    )
    assert 'id="device-token"' in body
    assert 'id="device-token"' not in patient_client.get("/health/settings").get_data(as_text=True)
