"""Security headers on every response; HTTPS behind a proxy brings HSTS and Secure cookies."""

from __future__ import annotations

import re

import pytest

PAGES = ["/", "/account/signin", "/no-such-page", "/api/v1/openapi.json", "/static/dcx.css"]


@pytest.mark.parametrize("url", PAGES)
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS


def test_inline_scripts_run_only_with_this_responses_nonce(client, customer):
    first = client.get("/banking/savings/open")
    second = client.get("/banking/savings/open")
    nonce = re.search(r"'nonce-([^']+)'", first.headers["Content-Security-Policy"]).group(1)
    html = first.get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert any(f'nonce="{nonce}"' in tag for tag in scripts)
    for tag in scripts:
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag
    assert nonce not in second.get_data(as_text=True)
    assert not re.search(r"\son[a-z]+=", html)


def test_without_a_proxy_forwarded_headers_are_not_trusted(app, client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
