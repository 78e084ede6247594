"""The OpenAPI document covers every ingest route, and no generated request gets a 5xx."""

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

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


@pytest.fixture
def api_schema(app):
    """The app's own OpenAPI document, loaded by schemathesis against the app in-process."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error(case):
    """Property test over the document: generated requests never answer 5xx."""
    response = case.call()
    assert response.status_code < 500, (case.path, case.body, response.text[:300])
