"""Two visitors at once, each in a sandbox of their own: a month passes for one only, and a
reset of the other's copy leaves the first one's world alone."""

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.platform import clock, sandboxes
from dcx.platform.accounts.models import User
from dcx.platform.accounts.services import create_user
from dcx.platform.notify.models import Message
from dcx.platform.showcase.loader import seed_showcase

pytestmark = pytest.mark.browser

OPERATOR_PASSWORD = "an operator's own words"


def _monthly(email: str) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Message)
        .join(User, User.id == Message.user_id)
        .where(User.email == email, Message.topic == "banking.monthly_summary")
    ).scalar_one()


def _start_tour(page: Page, live_server: str) -> str:
    page.goto(f"{live_server}/")
    page.locator('a[data-tour="banking"]').click()
    page.locator("#tour-go").click()
    expect(page.locator("#user-menu")).to_contain_text("Alex Morgan")
    sandbox_id = page.locator("#sandbox-badge").get_attribute("data-sandbox")
    assert sandbox_id
    return sandbox_id


def _clock(page: Page) -> str:
    return page.locator("#showcase-clock").get_attribute("datetime") or ""


def test_two_visitors_each_get_a_world_of_their_own(
    browser: Browser, live_server, live_app, live_db
):
    with live_db():
        seed_showcase(live_app.extensions["dcx_verticals"], "default", only=("banking",))
        db.session.commit()
        before = _monthly("alex@dcx.example")
    a = browser.new_context().new_page()
    b = browser.new_context().new_page()
    sandbox_a = _start_tour(a, live_server)
    sandbox_b = _start_tour(b, live_server)
    assert sandbox_a != sandbox_b
    b_clock = _clock(b)

    a.locator('button[data-clock="30d"]').click()
    expect(a.locator(".alert-info")).to_contain_text("jobs ran")
    a.goto(f"{live_server}/inbox/")
    expect(a.locator("#inbox-messages")).to_contain_text("savings and spending report")
    with sandboxes.inside(live_app, sandbox_a):
        assert _monthly("alex@dcx.example") == before + 1
        a_moved = clock.now()

    b.goto(f"{live_server}/inbox/")
    assert _clock(b)[:10] == b_clock[:10]  # B's day has not moved
    expect(b.locator(".dcx-message", has_text="savings and spending report")).to_have_count(0)
    with sandboxes.inside(live_app, sandbox_b):
        assert _monthly("alex@dcx.example") == before
        assert clock.offset().total_seconds() == 0
    with live_db():
        assert _monthly("alex@dcx.example") == before  # nor the showcase itself

    b.once("dialog", lambda dialog: dialog.accept())
    b.locator("#reset-showcase").click()
    expect(b.locator(".alert-success")).to_contain_text("reset")
    expect(b.locator("#user-menu")).to_contain_text("Alex Morgan")
    a.reload()
    expect(a.locator("#user-menu")).to_contain_text("Alex Morgan")
    assert _clock(a)[:10] == a_moved.date().isoformat()  # A's month stays
    with sandboxes.inside(live_app, sandbox_a):
        assert _monthly("alex@dcx.example") == before + 1


def test_the_presenter_page_shows_the_stories_and_steps_a_sandbox_visited(
    browser: Browser, live_server, live_app, live_db
):
    with live_db():
        seed_showcase(live_app.extensions["dcx_verticals"], "default", only=("banking",))
        db.session.commit()
    visitor = browser.new_context().new_page()
    sandbox_id = _start_tour(visitor, live_server)
    visitor.locator("#tour-next").click()
    expect(visitor.locator("#tour-panel")).to_contain_text("Step 2 of")

    # the showcase's operator: an admin no seed publishes (the admin persona's published
    # password opens only a sandbox, where this page is refused)
    with live_db():
        create_user("operator@example.com", "Olga Operator", OPERATOR_PASSWORD, role="admin")
        db.session.commit()
    presenter = browser.new_context().new_page()
    presenter.goto(f"{live_server}/account/signin")
    presenter.get_by_label("Email").fill("operator@example.com")
    presenter.get_by_label("Password").fill(OPERATOR_PASSWORD)
    presenter.get_by_role("button", name="Sign in").click()
    presenter.locator("#sandboxes-link").click()
    entry = presenter.locator(f'[data-sandbox="{sandbox_id}"]')
    expect(entry.locator('[data-story="banking"]')).to_contain_text("Banking")
    expect(entry.locator("[data-steps]")).to_have_attribute("data-steps", "1,2")
    presenter.set_viewport_size({"width": 390, "height": 844})  # and on a phone
    assert presenter.evaluate("document.documentElement.scrollWidth") <= 390
