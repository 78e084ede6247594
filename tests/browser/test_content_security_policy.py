"""The Content-Security-Policy in Chromium: the site's scripts and nonce'd inline ones run,
nothing is refused, and a foreign page cannot frame the sign-in page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

# Pages with an inline script of their own, and the shared script's behaviour.
PAGES = ["/banking/savings/open", "/inbox/phone", "/banking/", "/assessment/"]


def _violations(page: Page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda m: found.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return found


def test_pages_with_inline_scripts_run_them_under_the_policy(page: Page, live_server, live_db):
    with live_db() as db:
        make_user(email="csp@example.com")
        db.session.commit()
    violations = _violations(page)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('Content Security Policy violation: ' + e.violatedDirective));"
    )
    page.goto(f"{live_server}/account/signin")
    page.locator("#email").fill("csp@example.com")
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("#user-menu")).to_be_attached()
    for url in PAGES:
        page.goto(f"{live_server}{url}")
        page.wait_for_load_state("load")
    assert violations == []
    # static/dcx.js ran: a sideways-scrolling table is reachable by keyboard
    page.goto(f"{live_server}/banking/")
    wraps = page.locator(".dcx-table-wrap, .table-responsive")
    if wraps.count():
        expect(wraps.first).to_have_attribute("tabindex", "0")


def test_a_foreign_page_cannot_frame_the_sign_in_page(page: Page, live_server):
    page.set_content(f'<iframe id="f" src="{live_server}/account/signin"></iframe>')
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#f")
    expect(frame.locator("#email")).to_have_count(0)
