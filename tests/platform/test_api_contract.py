"""The ingest API's OpenAPI document states what the code answers, and HTTP's own headers.

Checked both ways: the document lists every status a route answers (201 Stored, 409, 429
with Retry-After), and schemathesis sends generated requests to every operation and checks
that each status it gets back is one the document states for that operation.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import status_code_conformance

# Each route and the statuses its code answers besides the errors every route may give.
EXPECTED = {
    ("/api/v1/automotive/telemetry", "post"): {"201"},
    ("/api/v1/health/observations", "post"): {"201"},
    ("/api/v1/health/fhir", "post"): {"201"},
    ("/api/v1/government/observations", "post"): {"201", "409"},
    ("/api/v1/government/crews/{crew_id}/position", "post"): {"200"},
}


def test_the_document_states_every_status_the_routes_answer(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for (path, method), statuses in EXPECTED.items():
        responses = paths[path][method]["responses"]
        assert statuses <= set(responses), (path, sorted(responses))
        assert {"400", "401", "429"} <= set(responses)
        assert "Retry-After" in responses["429"]["headers"]
        if "201" in statuses:
            assert "200" not in responses  # a route that stores says so


def test_a_405_names_the_methods_that_are_allowed(client):
    api = client.get("/api/v1/government/observations")
    assert api.status_code == 405 and "POST" in api.headers["Allow"]
    page = client.delete("/government/status")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


@pytest.fixture
def api_schema(app):
    """The app's own OpenAPI document, against the app in-process."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_a_status_the_document_states(case):
    """Generated requests (valid and not) never get a 5xx, and only get statuses their
    operation documents."""
    response = case.call()
    assert response.status_code < 500, (case.path, case.body, response.text[:300])
    status_code_conformance(None, response, case)
