"""What a customer's browser downloads for each industry's dashboard, measured in Chromium on
the wire: a first visit with an empty cache stays under 300 KB, and a repeat visit under 30 KB
without asking the server about any static file again (hashed names, cached as immutable)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from dcx.platform.showcase.loader import read_showcase, seed_showcase
from dcx.verticals import registry

pytestmark = [pytest.mark.browser, pytest.mark.presentation]

FIRST_VISIT_BUDGET = 300 * 1024
REPEAT_VISIT_BUDGET = 30 * 1024
CUSTOMER = next(p for p in read_showcase("default")["personas"] if p["key"] == "alex")
STATIC = ("/static/", "/bootstrap/static/", "/drafts/static/")


class ServerLog:
    """Wraps the live server's WSGI application: every path that reached the server."""

    def __init__(self, application):
        self.application = application
        self.paths: list[str] = []

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])
        return self.application(environ, start_response)


class Wire:
    """Bytes received over the network by one page, from Chromium's own accounting."""

    def __init__(self, page: Page):
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.bytes = 0
        self.session.on("Network.loadingFinished", self._finished)

    def _finished(self, event: dict) -> None:
        self.bytes += int(event["encodedDataLength"])

    def clear_cache(self) -> None:
        self.session.send("Network.clearBrowserCache")

    def measure(self, page: Page, url: str) -> int:
        """Open ``url`` and return the bytes it took once everything it loads has arrived."""
        self.bytes = 0
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        return self.bytes


def _sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/account/signin")
    page.locator("#email").fill(CUSTOMER["email"])
    page.locator("#password").fill(CUSTOMER["password"])
    page.locator("form button[type=submit]").click()
    expect(page.locator("#user-menu")).to_be_attached()


def test_each_dashboard_is_light_on_first_visit_and_needs_no_static_file_again(
    browser: Browser, live_server, live_app, live_db
):
    with live_db() as db:
        seed_showcase(registry(), "default")
        db.session.commit()
    with live_app.test_request_context():
        from flask import url_for

        dashboards = {v.key: url_for(v.index_endpoint) for v in registry()}
    server = ServerLog(live_app.wsgi_app)
    live_app.wsgi_app = server

    context = browser.new_context()
    page = context.new_page()
    _sign_in(page, live_server)
    wire = Wire(page)
    weights = {}
    for key, path in dashboards.items():
        wire.clear_cache()
        first = wire.measure(page, f"{live_server}{path}")
        assert "bootstrap-icons" not in page.content()
        page.goto("about:blank")
        server.paths.clear()
        repeat = wire.measure(page, f"{live_server}{path}")
        weights[key] = (first, repeat)
        asked_again = [p for p in server.paths if p.startswith(STATIC)]
        assert asked_again == [], (key, asked_again)
    context.close()

    report = ", ".join(f"{k} {f / 1024:.0f}/{r / 1024:.1f} KB" for k, (f, r) in weights.items())
    assert all(first < FIRST_VISIT_BUDGET for first, _ in weights.values()), report
    assert all(repeat < REPEAT_VISIT_BUDGET for _, repeat in weights.values()), report
    print(f"dashboards, first/repeat visit: {report}")
