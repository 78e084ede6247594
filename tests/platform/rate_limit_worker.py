"""One "worker" of the shared rate limit test: its own process, its own app, one Redis.

Run as ``python -m tests.platform.rate_limit_worker TMPDIR PREFIX COUNT``; posts ``COUNT``
times with the device's real token, then ``COUNT`` times with a made-up token each time, to a
probe ingest route, and prints the status codes as JSON.
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path

from flask import Blueprint

from dcx import create_app
from dcx.extensions import db
from dcx.platform.api import services as api
from tests.conftest import _base_config

REDIS_URI = "redis://127.0.0.1:6379"
VALID_TOKEN = "device-token-of-the-shared-test"


def probe_blueprint() -> Blueprint:
    """An ingest route that accepts only :data:`VALID_TOKEN` (401 for any other)."""
    bp = Blueprint("shared_limit_api", __name__)

    @api.ingest_route(bp, "/ping", summary="ping", request_schema={"type": "object"})
    def ping(body):
        if api.bearer_token() != VALID_TOKEN:
            return api.api_error(401, "missing or wrong token")
        return {"ok": True}

    return bp


def main(tmp: str, prefix: str, count: int) -> list[int]:
    """Build an app on the shared Redis and post ``count`` times; the status codes."""
    folder = Path(tmp)
    config = {
        **_base_config(folder, f"sqlite:///{folder / 'worker.sqlite3'}"),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": REDIS_URI,
        "RATELIMIT_KEY_PREFIX": prefix,
        "API_RATE_LIMIT": "4/minute",
    }
    app = create_app(config)
    with app.app_context():
        db.create_all()  # the error page of a 429 reads the showcase's brand
    app.register_blueprint(probe_blueprint(), url_prefix="/api/v1/shared")
    client = app.test_client()
    codes = []
    for token in [VALID_TOKEN] * count + [secrets.token_urlsafe(16) for _ in range(count)]:
        response = client.post(
            "/api/v1/shared/ping", json={}, headers={"Authorization": f"Bearer {token}"}
        )
        codes.append(response.status_code)
    return codes


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
