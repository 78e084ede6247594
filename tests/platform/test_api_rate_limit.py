"""Each device token gets its own request budget on the ingest API; beyond it, a JSON 429."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

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


@pytest.fixture
def guarded_app(app):
    bp = Blueprint("guarded_api", __name__)

    @api.ingest_route(bp, "/ping", summary="ping", request_schema={"type": "object"})
    def guarded_ping(body):
        if api.bearer_token() != "car-one":
            return api.api_error(401, "missing or wrong token")
        return {"ok": True}

    app.register_blueprint(bp, url_prefix="/api/v1/guarded")
    return app


def _post_from(client, token: str | None, address: str):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        "/api/v1/guarded/ping", json={}, headers=headers, environ_base={"REMOTE_ADDR": address}
    )


def test_made_up_tokens_do_not_bypass_the_limit(guarded_app):
    client = guarded_app.test_client()
    made_up = [_post_from(client, f"guess-{n}", "203.0.113.9").status_code for n in range(3)]
    assert made_up == [401, 401, 401]
    refused = _post_from(client, "guess-4", "203.0.113.9")
    assert refused.status_code == 429 and refused.is_json
    assert _post_from(client, None, "203.0.113.9").status_code == 429  # no token: same budget
    # the valid device elsewhere keeps its own budget
    assert _post_from(client, "car-one", "198.51.100.1").status_code == 200


def test_a_valid_tokens_requests_are_counted_by_its_hash_not_its_address(guarded_app):
    client = guarded_app.test_client()
    addresses = ("198.51.100.1", "198.51.100.2", "198.51.100.3")
    assert [_post_from(client, "car-one", a).status_code for a in addresses] == [200] * 3
    assert _post_from(client, "car-one", "198.51.100.4").status_code == 429
    assert _post_from(client, "guess", "198.51.100.4").status_code == 401  # refused, not limited


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping())
    except Exception:
        return False


def test_two_workers_sharing_redis_hit_the_limit_once(tmp_path):
    """Two processes, each with its own app (as gunicorn's workers), one Redis: the budget of
    4 accepted and 4 refused requests a minute is spent once between them, not once each (with
    ``memory://`` each worker would have its own)."""
    if not _redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"dcx-test-{uuid.uuid4().hex}"
    # Each worker is a process of its own, not a worker of this run: without this run's database
    # and xdist worker name, importing the test helpers there cannot remake this worker's database.
    env = {
        k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("PYTEST_")
    }
    codes = []
    for worker in ("one", "two"):
        folder = tmp_path / worker
        folder.mkdir()
        done = subprocess.run(
            [sys.executable, "-m", "tests.platform.rate_limit_worker", str(folder), prefix, "3"],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
            env=env,
        )
        codes.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert codes[0] == [200, 200, 200, 401, 401, 401]
    assert codes[1] == [200, 429, 429, 401, 429, 429]
