"""A presenter moves the clock and the month has lived: Alex's report arrives with figures."""

import re

import pytest
from playwright.sync_api import Page, expect

from dcx.platform.showcase.loader import seed_showcase

pytestmark = pytest.mark.browser


def test_a_month_passes_and_alex_reads_a_report_of_a_lived_month(
    page: Page, live_server, live_app, live_db
):
    with live_db() as db:
        seed_showcase(live_app.extensions["dcx_verticals"], "default")
        db.session.commit()

    page.goto(f"{live_server}/account/signin")
    page.get_by_label("Email").fill("admin@dcx.example")
    page.get_by_label("Password").fill("showcase-admin-2026")
    page.get_by_role("button", name="Sign in").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#reset-showcase").click()
    expect(page.locator(".alert-success")).to_contain_text("reset", timeout=120_000)

    page.locator("#view-as").click()
    page.locator('button[data-persona="alex"]').click()
    expect(page.locator("#user-menu")).to_contain_text("Alex")
    page.locator('button[data-clock="30d"]').click()
    expect(page.locator(".alert-info")).to_contain_text("jobs ran", timeout=60_000)

    page.goto(f"{live_server}/banking/reports")
    page.locator("#report-months a").first.click()
    income = page.locator('[data-total="income"]')
    expect(income).to_be_visible()
    assert int(income.get_attribute("data-minor") or 0) > 0
    rate = page.locator('[data-total="savings-rate"]').inner_text()
    number = float(re.sub(r"[^\d.]", "", rate.replace(",", ".")))
    assert 0 <= number <= 60
    expect(page.locator("#report-comparison")).to_contain_text("You saved")
    expect(page.locator("#report-comparison")).to_contain_text(
        re.compile(
            r"Your savings rate is .*in (July|August|September|October|November|December|January|February|March|April|May|June)"
        )
    )
