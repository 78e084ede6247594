"""The wearable API also takes HL7 FHIR: an Observation, or a transaction Bundle of them."""

from __future__ import annotations

import json

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation

from dcx.extensions import db
from dcx.health import devices
from dcx.health.models import HealthObservation
from dcx.platform import clock

URL = "/api/v1/health/fhir"


def _token(patient):
    token = devices.issue_device_token(patient.id)
    db.session.commit()
    return token


def _post(client, body, token):
    return client.post(
        URL,
        data=json.dumps(body),
        headers={"Authorization": f"Bearer {token}"},
        content_type="application/fhir+json",
    )


def _quantity(value, unit):
    return {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}


def _code(code):
    return {"coding": [{"system": "http://loinc.org", "code": code}]}


def _observation(ident, code, value=None, unit=None, components=None):
    obs = {
        "resourceType": "Observation",
        "identifier": [{"system": "urn:example:gateway", "value": ident}],
        "status": "final",
        "code": _code(code),
        "effectiveDateTime": clock.now().isoformat(),
    }
    if components:
        obs["component"] = [
            {"code": _code(c), "valueQuantity": _quantity(v, "mm[Hg]")} for c, v in components
        ]
    else:
        obs["valueQuantity"] = _quantity(value, unit)
    Observation.model_validate(obs)  # what we send is FHIR a real gateway could send
    return obs


def _stored(patient):
    return db.session.query(HealthObservation).filter_by(patient_id=patient.id).all()


def test_one_observation_is_stored_once(app, client, patient):
    token = _token(patient)
    obs = _observation("g-1", "8867-4", 61, "/min")
    r = _post(client, obs, token)
    assert r.status_code == 201 and r.get_json() == {"accepted": 1, "duplicates": 0}
    assert _post(client, obs, token).get_json() == {"accepted": 0, "duplicates": 1}
    (row,) = _stored(patient)
    assert (row.kind, row.value, row.source, row.external_id) == ("heart_rate", 61, "device", "g-1")


def test_a_transaction_bundle_of_vitals_is_mapped_by_loinc(app, client, patient):
    token = _token(patient)
    entries = [
        _observation("g-2", "85354-9", components=[("8480-6", 128), ("8462-4", 81)]),
        _observation("g-3", "29463-7", 71.5, "kg"),
        _observation("g-4", "2708-6", 97, "%"),
        _observation("g-5", "8310-5", 36.8, "Cel"),
        _observation("g-6", "2339-0", 104, "mg/dL"),
    ]
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": o, "request": {"method": "POST", "url": "Observation"}} for o in entries
        ],
    }
    Bundle.model_validate(bundle)
    r = _post(client, bundle, token)
    assert r.status_code == 201 and r.get_json() == {"accepted": 5, "duplicates": 0}
    rows = {o.kind: o for o in _stored(patient)}
    assert sorted(rows) == ["bp", "glucose", "spo2", "temperature", "weight"]
    assert (rows["bp"].value, rows["bp"].value2) == (128, 81)
    assert rows["weight"].code == "29463-7" and rows["spo2"].code == "59408-5"


def test_unknown_code_or_wrong_unit_is_400_with_the_reason_and_stores_nothing(app, client, patient):
    token = _token(patient)
    good = _observation("g-7", "8867-4", 61, "/min")
    steps = _observation("g-8", "55423-8", 4000, "{steps}")
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": good}, {"resource": steps}],
    }
    r = _post(client, bundle, token)
    assert r.status_code == 400
    assert "entry[1]" in r.get_json()["error"] and "55423-8" in r.get_json()["error"]
    assert _stored(patient) == []
    pounds = _observation("g-9", "29463-7", 160, "[lb_av]")
    r = _post(client, pounds, token)
    assert r.status_code == 400 and "[lb_av]" in r.get_json()["error"]
    half_panel = _observation("g-10", "85354-9", components=[("8480-6", 128)])
    r = _post(client, half_panel, token)
    assert r.status_code == 400 and "8462-4" in r.get_json()["error"]
    not_fhir = {"resourceType": "Patient", "code": _code("8867-4")}
    assert _post(client, not_fhir, token).status_code == 400
    assert _stored(patient) == []


def test_without_a_token_is_401(app, client, patient):
    r = _post(client, _observation("g-11", "8867-4", 61, "/min"), None)
    assert r.status_code == 401


def test_the_api_document_lists_the_fhir_route(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    operation = paths[URL]["post"]
    assert {"201", "400", "401", "429"} <= set(operation["responses"])
    assert "LOINC" in json.dumps(operation["requestBody"])


def test_what_we_export_a_gateway_can_post_back(app, client, patient, clinician):
    from dcx.health import export, vitals
    from tests.conftest import make_user

    vitals.log_observation(patient.id, "bp", 131, 83)
    vitals.log_observation(patient.id, "spo2", 96)
    db.session.commit()
    exported = export.fhir_bundle(patient.id)["entry"]
    observations = [
        e["resource"] for e in exported if e["resource"]["resourceType"] == "Observation"
    ]
    other = make_user("other@example.com", "Other Person")
    db.session.commit()
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": o, "request": {"method": "POST", "url": "Observation"}}
            for o in observations
        ],
    }
    r = _post(client, bundle, _token(other))
    assert r.status_code == 201 and r.get_json() == {"accepted": 2, "duplicates": 0}
    rows = sorted((o.kind, o.value, o.value2) for o in _stored(other))
    assert rows == [("bp", 131, 83), ("spo2", 96, None)]


def test_settings_page_names_the_fhir_route(app, patient):
    from tests.health.conftest import login

    page = login(app, patient).get("/health/settings").get_data(as_text=True)
    assert "POST /api/v1/health/fhir" in page
