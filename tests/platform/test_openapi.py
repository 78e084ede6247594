"""The OpenAPI document covers every ingest route and validates with the schemas it states.

Generated requests (schemathesis) are sent by tests/platform/test_api_contract.py, which checks
both that none gets a 5xx and that each status is one the document states: one generation of
the cases for both properties."""

import re

import pytest

from dcx.config import DEFAULT_VERTICALS

PROBE = "tests.platform.jobs.probe"
OWN_PAGES = {"/api/v1/openapi.json", "/api/v1/docs"}


@pytest.fixture
def app_config():
    return {"DCX_VERTICALS": (*DEFAULT_VERTICALS, PROBE)}


def _document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def test_every_api_route_is_in_the_document(app, client):
    document = _document(client)
    assert document["openapi"].startswith("3.")
    documented = {
        (re.sub(r"\{[^}]+\}", "{}", path), method.upper())
        for path, ops in document["paths"].items()
        for method in ops
    }
    for rule in app.url_map.iter_rules():
        if (
            not rule.rule.startswith("/api/v1/")
            or rule.rule in OWN_PAGES
            or rule.endpoint == "static"
        ):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            key = (re.sub(r"<[^>]+>", "{}", rule.rule), method)
            assert key in documented, f"{method} {rule.rule} is missing from openapi.json"


def test_the_probe_route_documents_its_schema_and_validates_with_it(client):
    op = _document(client)["paths"]["/api/v1/probe/things/{thing_id}/readings"]["post"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["readings"]
    assert op["parameters"][0] == {
        "name": "thing_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
    }
    ok = client.post(
        "/api/v1/probe/things/7/readings",
        json={"readings": [{"value": 3}]},
        headers={"Authorization": "Bearer probe-token"},
    )
    assert ok.status_code == 200 and ok.json == {"accepted": 1}
    bad = client.post(
        "/api/v1/probe/things/7/readings",
        json={"readings": []},
        headers={"Authorization": "Bearer probe-token"},
    )
    assert bad.status_code == 400


def test_the_docs_page_lists_each_route(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/probe/things/{thing_id}/readings" in page
