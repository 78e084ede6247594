"""A sales team presents in Spanish: reset in Spanish, click through as the people, a month passes."""

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from dcx.platform.showcase import texts
from dcx.platform.showcase.loader import DEFAULT_LANGUAGES, SEEDS_DIR, seed_showcase

pytestmark = pytest.mark.browser

SPANISH = texts.load_catalogue(SEEDS_DIR / "default", "es")


def test_reset_in_spanish_and_every_story_speaks_spanish(
    page: Page, live_server, live_app, live_db
):
    assert "es" in DEFAULT_LANGUAGES
    with live_db() as db:
        seed_showcase(live_app.extensions["dcx_verticals"], "default", only=())
        db.session.commit()

    page.goto(f"{live_server}/account/signin")
    page.get_by_label("Email").fill("admin@dcx.example")
    page.get_by_label("Password").fill("showcase-admin-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator("#reset-language").select_option("es")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#reset-showcase").click()
    expect(page.locator(".alert-success")).to_be_visible(timeout=120_000)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("#reset-language")).to_have_value("es")

    # María's student portal: her course and its chapters in Spanish
    page.locator("#view-as").click()
    page.locator('button[data-persona="maria"]').click()
    page.goto(f"{live_server}/education/")
    expect(page.get_by_text(SPANISH["Introduction to Statistics"]).first).to_be_visible()
    page.get_by_text(SPANISH["Introduction to Statistics"]).first.click()
    expect(page.get_by_text(SPANISH["Measures of centre"]).first).to_be_visible()

    # Alex's car: the recall notice in Spanish
    page.locator("#view-as").click()
    page.locator('button[data-persona="alex"]').click()
    page.goto(f"{live_server}/automotive/recalls")
    expect(
        page.get_by_text(
            SPANISH["The rear centre seat belt buckle may not latch fully after repeated use."]
        )
    ).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")

    # a month passes: Alex's monthly bank report reaches the phone in Spanish too
    with live_app.app_context(), force_locale("es"):
        report = gettext("Your %(month)s savings and spending report", month="|").split("|")
    assert report[0] != "Your "
    page.goto(f"{live_server}/banking/")
    page.locator('button[data-clock="30d"]').click()
    expect(page.locator(".alert-info")).to_be_visible(timeout=120_000)
    page.locator("#phone-preview-link").click()
    expect(page.get_by_text(report[0].strip()).first).to_be_visible()
