"""The ingest API's OpenAPI document states what the code answers, and HTTP's own headers.

Checked both ways: the document lists every status a route answers (201 Stored, 409, 429
with Retry-After), and schemathesis sends generated requests to every operation and checks
that each status it gets back is one the document states for that operation.
"""

from __future__ import annotations

import re

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
    ("/api/v1/government/traffic-flow-observed", "post"): {"201", "409"},
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


def test_the_document_states_the_405_each_ingest_path_answers_with_its_allow(client):
    """Every method a path does not document answers 405; the document says so, with Allow."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(EXPECTED) <= {(path, m) for path, ops in paths.items() for m in ops}
    for path, operations in paths.items():
        documented = {m.upper() for m in operations}
        for operation in operations.values():
            stated = operation["responses"]["405"]
            assert "Allow" in stated["headers"], path
            assert set(stated["headers"]["Allow"]["schema"]["example"].split(", ")) == (
                documented | {"OPTIONS"}
            )
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method in {"GET", "PUT", "PATCH", "DELETE", "POST"} - documented:
            answer = client.open(url, method=method)
            assert answer.status_code == 405, (method, path, answer.status_code)
            allow = {m.strip() for m in answer.headers["Allow"].split(",")}
            assert allow - {"HEAD", "OPTIONS"} == documented, (method, path, allow)


@pytest.fixture
def api_schema(app):
    """The app's own OpenAPI document, against the app in-process.

    The document's own examples and generated cases, valid and not (the fuzzing phase draws
    both); schemathesis' coverage phase is off: deriving its boundary cases from the FHIR and
    observation bodies took four fifths of this test's time, and the valid-and-not draws reach
    the same refusals."""
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    loaded.config.phases.coverage.enabled = False
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_a_status_the_document_states(case):
    """Generated requests (valid and not) never get a 5xx, and only get statuses their
    operation documents."""
    response = case.call()
    assert response.status_code < 500, (case.path, case.body, response.text[:300])
    status_code_conformance(None, response, case)
