"""The inbox in Chromium: a message arrives, the badge shows it, reading it clears the badge."""

import pytest
from playwright.sync_api import Page, expect

from dcx.platform.notify.services import notify
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_a_message_arrives_is_read_and_the_badge_goes(page: Page, live_server, live_db):
    with live_db() as db:
        user = make_user(email="reader@example.com", name="Rita Reader")
        user_id = user.id
        db.session.commit()

    page.goto(f"{live_server}/account/signin")
    page.get_by_label("Email").fill("reader@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#user-menu")).to_contain_text("Rita Reader")
    expect(page.locator('[data-badge="nav-inbox"]')).to_have_count(0)

    with live_db() as db:
        notify(
            user_id,
            "banking.monthly_summary",
            "Your November savings report",
            "You saved 120.00 EUR.",
            "/account/profile",
            key="browser:1",
        )
        db.session.commit()

    page.reload()
    expect(page.locator('[data-badge="nav-inbox"]')).to_have_text("1")
    page.locator("#nav-inbox").click()
    expect(page).to_have_url(f"{live_server}/inbox/")
    unread = page.locator(".dcx-message.dcx-unread")
    expect(unread).to_have_count(1)
    page.get_by_role("button", name="Your November savings report").click()  # a POST: read
    expect(page).to_have_url(f"{live_server}/account/profile")
    expect(page.locator('[data-badge="nav-inbox"]')).to_have_count(0)

    page.goto(f"{live_server}/inbox/")
    expect(page.locator(".dcx-message.dcx-read")).to_have_count(1)
    expect(page.locator(".dcx-message.dcx-unread")).to_have_count(0)


def test_inbox_phone_preview_and_preferences_fit_a_phone(page: Page, live_server, live_db):
    with live_db() as db:
        user = make_user(email="phone@example.com", name="Pia Phone")
        for i in range(3):
            notify(
                user.id,
                "x.topic",
                f"A rather long message title number {i} for the phone",
                "body " * 40,
                "https://example.org/" + "x" * 120,
            )
        db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/account/signin")
    page.get_by_label("Email").fill("phone@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    for path in ("/inbox/", "/inbox/phone", "/inbox/preferences"):
        page.goto(f"{live_server}{path}")
        expect(page.locator("h1")).to_be_visible()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at 390px"
    page.goto(f"{live_server}/inbox/")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#inbox-unread")).to_have_text("0 unread messages")
