"""What every page carries around its content, in Chromium: a favicon, no console error on a
resumable form's first load, and live stamps in the page's language and the viewer's zone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from dcx.platform.accounts.models import User
from tests.conftest import PASSWORD, make_user
from tests.government.conftest import build_city

pytestmark = pytest.mark.browser


def _sign_in(page: Page, base: str, email: str, button: str = "Sign in") -> None:
    page.goto(f"{base}/account/signin")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("#user-menu")).to_be_attached()


def _watch(page: Page) -> list[str]:
    """Every console error and failed request of ``page``, as one line each."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    return problems


def test_a_first_visit_to_a_resumable_form_logs_no_error_signed_in_or_out(
    page: Page, live_server, live_db
):
    with live_db() as db:
        make_user(email="maria@example.com")
        db.session.commit()
    problems = _watch(page)
    page.goto(f"{live_server}/assessment/questionnaire")  # a resumable form open to everyone
    page.goto(f"{live_server}/favicon.ico")
    _sign_in(page, live_server, "maria@example.com")
    with page.expect_response(re.compile(r"/drafts/assessment")) as asked:
        page.goto(f"{live_server}/assessment/questionnaire")
    assert asked.value.status == 204
    page.wait_for_load_state("networkidle")
    assert problems == []


def test_the_live_dashboards_updated_stamp_speaks_the_pages_language(
    page: Page, live_server, live_db
):
    with live_db() as db:
        build_city()
        officer = db.session.execute(
            select(User).where(User.email == "city@example.com")
        ).scalar_one()
        officer.locale = "ro"
        officer.timezone = "Europe/Bucharest"
        db.session.commit()
    _sign_in(page, live_server, "city@example.com")
    page.goto(f"{live_server}/government/staff")
    stamp = page.locator("#live-updated")
    expect(stamp).not_to_have_text("—")
    # Romanian writes 14:05:09 where the browser's own English would write 2:05:09 PM.
    expect(stamp).to_have_text(re.compile(r"^\d{2}:\d{2}:\d{2}$"))
    assert page.evaluate("document.documentElement.dataset.timezone") == "Europe/Bucharest"
