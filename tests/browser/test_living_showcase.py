"""A presenter moves the clock and the world has lived: after one month and after three, Alex's
report arrives with figures, María keeps to her plan and the city's sensors stream."""

import re

import pytest
from playwright.sync_api import Page, expect

from dcx.platform.showcase.loader import seed_showcase

pytestmark = pytest.mark.browser

MONTH_NAMES = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)


def _view_as(page: Page, persona: str) -> None:
    page.locator("#view-as").click()
    page.locator(f'button[data-persona="{persona}"]').click()


def _a_month_passes(page: Page) -> None:
    page.locator('button[data-clock="30d"]').click()
    expect(page.locator(".alert-info")).to_contain_text("jobs ran", timeout=60_000)


def _percent(text: str) -> float:
    return float(re.sub(r"[^\d.]", "", text.replace(",", ".")))


def _alex_reads_a_report_with_figures(page: Page, base: str) -> None:
    _view_as(page, "alex")
    expect(page.locator("#user-menu")).to_contain_text("Alex")
    page.goto(f"{base}/banking/reports")
    page.locator("#report-months a").first.click()
    income = page.locator('[data-total="income"]')
    expect(income).to_be_visible()
    assert int(income.get_attribute("data-minor") or 0) > 0
    assert 0 <= _percent(page.locator('[data-total="savings-rate"]').inner_text()) <= 60
    expect(page.locator("#report-comparison")).to_contain_text("You saved")
    expect(page.locator("#report-comparison")).to_contain_text(
        re.compile(rf"Your savings rate is .*in ({MONTH_NAMES})")
    )


def _maria_keeps_to_her_plan(page: Page, base: str) -> None:
    _view_as(page, "maria")
    expect(page.locator("#user-menu")).to_contain_text("María")
    page.goto(f"{base}/health/medications")
    assert 60 <= _percent(page.locator("#adherence").inner_text()) <= 95
    page.goto(f"{base}/health/vitals")
    # the table holds the last 30 days only: every row is a reading of the month just lived
    expect(page.locator("#readings tbody tr").first).to_be_visible()
    expect(page.locator(".dcx-chart svg").first).to_be_visible()


def _every_sensor_streams(page: Page, base: str) -> None:
    _view_as(page, "city_officer")
    page.goto(f"{base}/government/staff")
    rows = page.locator("#sensor-table tbody tr[data-sensor-row]")
    assert rows.count() >= 4
    for n in range(rows.count()):
        row = rows.nth(n)
        # online: a report in the last 15 minutes
        expect(row.locator('[data-field="online"]')).to_have_text("online")
        counts = [
            row.locator(f'[data-field="{f}"]').inner_text() for f in ("vehicles", "pedestrians")
        ]
        assert any(c.strip() not in ("", "—", "0") for c in counts), counts
    # the vehicle counts and the travel-time index, neither saying "No data"
    expect(page.locator("figure.dcx-chart").nth(1)).to_be_visible()
    expect(page.locator(".dcx-chart-empty")).to_have_count(0)


def test_a_month_and_three_pass_and_the_world_has_lived(page: Page, live_server, live_app, live_db):
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

    _view_as(page, "alex")
    _a_month_passes(page)
    _alex_reads_a_report_with_figures(page, live_server)
    _maria_keeps_to_her_plan(page, live_server)
    _every_sensor_streams(page, live_server)

    _a_month_passes(page)
    _a_month_passes(page)  # three months on
    _alex_reads_a_report_with_figures(page, live_server)
    _maria_keeps_to_her_plan(page, live_server)
    _every_sensor_streams(page, live_server)
