"""A stakeholder walks a story's guided tour from the home page, on a phone."""

import re

import pytest
from playwright.sync_api import Page, expect

from dcx.platform.showcase.loader import seed_showcase

pytestmark = pytest.mark.browser

CAST = {"alex": "Alex", "bookseller": "Robin", "maria": "María"}


def test_the_retail_tour_is_walked_from_home_at_phone_width(
    page: Page, live_server, live_app, live_db
):
    with live_db() as db:
        seed_showcase(live_app.extensions["dcx_verticals"], "default", only=("retail",))
        db.session.commit()
    steps = live_app.extensions["dcx_verticals"].get("retail").tour
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/")
    page.locator('a[data-tour="retail"]').click()
    expect(page.locator("#user-menu")).to_have_count(0)  # the link alone signs nobody in
    page.locator("#tour-go").click()
    for number, step in enumerate(steps, start=1):
        panel = page.locator("#tour-panel")
        expect(panel).to_contain_text(f"Step {number} of {len(steps)}")
        narration = str(step.narration) % CAST  # the showcase's people, by persona key
        expect(page.locator("#tour-narration")).to_have_text(narration)
        if step.selector:
            expect(page.locator(step.selector)).to_have_class(re.compile("dcx-tour-target"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, step.title
        if number < len(steps):
            page.locator("#tour-next").click()
    expect(page.locator("#user-menu")).to_contain_text("Robin Books")  # the last step's persona
    page.locator("#tour-finish").click()
    expect(page.locator("#tour-panel")).to_have_count(0)
    expect(page).to_have_url(f"{live_server}/")


def test_the_government_tour_shows_public_works_acknowledge_and_ends_on_a_published_fix(
    page: Page, live_server, live_app, live_db
):
    with live_db() as db:
        seed_showcase(live_app.extensions["dcx_verticals"], "default", only=("government",))
        db.session.commit()
    steps = live_app.extensions["dcx_verticals"].get("government").tour
    cast = {"city_officer": "Jordan", "maria": "María", "public_works": "Morgan"}
    page.goto(f"{live_server}/showcase/tours/government")
    page.locator("#tour-go").click()
    for number, step in enumerate(steps, start=1):
        expect(page.locator("#tour-panel")).to_contain_text(f"Step {number} of {len(steps)}")
        expect(page.locator("#tour-narration")).to_have_text(str(step.narration) % cast)
        if step.selector:
            expect(page.locator(step.selector)).to_have_class(re.compile("dcx-tour-target"))
        if step.persona == "public_works":
            expect(page.locator("#user-menu")).to_contain_text("Morgan Works")
            task = page.locator("[data-task]").first
            expect(task).to_contain_text("Replace the streetlight at the Mill Lane crossing")
            task.get_by_role("button", name="Acknowledge").click()
            expect(task).to_have_attribute("data-status", "acknowledged")
        if number < len(steps):
            page.locator("#tour-next").click()
    expect(page.locator("article").first).to_contain_text("Fixed: streetlight at Bridge Avenue")
