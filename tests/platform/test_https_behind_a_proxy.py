"""Behind a TLS proxy (``DCX_PROXY_COUNT``), HTTPS requests get HSTS and Secure cookies."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_config():
    return {"DCX_PROXY_COUNT": 1}


def test_https_behind_a_proxy_gets_hsts_and_secure_cookies(client):
    secure = client.get(
        "/language/es",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
    )
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = secure.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies)
    plain = client.get("/language/es")
    assert "Strict-Transport-Security" not in plain.headers
    assert plain.headers.getlist("Set-Cookie")
    assert all("Secure" not in c for c in plain.headers.getlist("Set-Cookie"))
