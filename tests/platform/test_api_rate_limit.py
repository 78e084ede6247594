"""Each device token gets its own request budget on the ingest API; beyond it, a JSON 429."""

import pytest
from flask import Blueprint

from dcx.platform.api import services as api


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3/minute"}


@pytest.fixture
def probe_app(app):
    bp = Blueprint("limited_api", __name__)

    @api.ingest_route(bp, "/ping", summary="ping", request_schema={"type": "object"})
    def ping(body):
        return {"ok": True}

    app.register_blueprint(bp, url_prefix="/api/v1/limited")
    return app


def _post(client, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/limited/ping", json={}, headers=headers)


def test_a_token_beyond_its_budget_gets_a_json_429_and_others_go_on(probe_app):
    client = probe_app.test_client()
    assert [_post(client, "car-one").status_code for _ in range(3)] == [200, 200, 200]
    refused = _post(client, "car-one")
    assert refused.status_code == 429 and refused.is_json
    assert refused.get_json()["status"] == 429
    assert _post(client, "car-two").status_code == 200  # another device: its own budget


def test_the_limit_is_kept_under_the_tokens_hash_not_the_token(probe_app):
    with probe_app.test_request_context(headers={"Authorization": "Bearer secret-token"}):
        key = api.caller_key()
    assert "secret-token" not in key and key == f"token:{api.hash_token('secret-token')}"
    with probe_app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.7"}):
        assert api.caller_key() == "addr:10.0.0.7"


def test_a_429_says_when_to_come_back(probe_app):
    client = probe_app.test_client()
    for _ in range(3):
        _post(client, "car-one")
    refused = _post(client, "car-one")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 61  # RFC 9110: seconds (a minute window)
