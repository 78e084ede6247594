"""The ingest API helpers: tokens stored hashed, bodies validated with clear 4xx errors."""

import pytest
from flask import Blueprint

from dcx.platform.api import services as api

SCHEMA = {
    "type": "object",
    "required": ["value"],
    "properties": {"value": {"type": "integer", "minimum": 0}},
    "additionalProperties": False,
}


def test_tokens_are_random_and_only_their_hash_is_kept():
    token, stored = api.new_token("car")
    other, _ = api.new_token("car")
    assert token.startswith("car_") and token != other
    assert stored != token and len(stored) == 64
    assert api.tokens_match(token, stored)
    assert not api.tokens_match(other, stored)


@pytest.fixture
def probe_app(app):
    bp = Blueprint("probe_api", __name__)

    @api.ingest_route(bp, "/probe", summary="probe", request_schema=SCHEMA, max_bytes=200)
    def probe(body):
        return {"got": body["value"], "token": api.bearer_token()}

    app.register_blueprint(bp, url_prefix="/api/v1/probe")
    return app


def test_a_valid_body_reaches_the_view(probe_app):
    r = probe_app.test_client().post(
        "/api/v1/probe/probe", json={"value": 3}, headers={"Authorization": "Bearer abc"}
    )
    assert r.status_code == 200 and r.json == {"got": 3, "token": "abc"}


@pytest.mark.parametrize(
    "kwargs,status",
    [
        ({"data": "not json", "content_type": "application/json"}, 400),
        ({"json": {"value": -1}}, 400),
        ({"json": {"value": 1, "extra": 2}}, 400),
        ({"data": "value=1", "content_type": "application/x-www-form-urlencoded"}, 415),
        ({"json": {"value": 1, "pad": "x" * 500}}, 413),
    ],
)
def test_bad_bodies_get_a_clear_4xx(probe_app, kwargs, status):
    r = probe_app.test_client().post("/api/v1/probe/probe", **kwargs)
    assert r.status_code == status
    assert r.json["error"]


def test_schema_problems_name_the_field(probe_app):
    r = probe_app.test_client().post("/api/v1/probe/probe", json={"value": "three"})
    assert r.json["problems"][0]["field"] == "value"
