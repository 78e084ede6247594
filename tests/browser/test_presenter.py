"""A sales team presents a branded showcase: view as a persona, a month passes, reset."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.notify.models import Message
from dcx.platform.showcase.loader import seed_showcase

pytestmark = pytest.mark.browser


def _monthly_messages(db, email: str) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Message)
        .join(User, User.id == Message.user_id)
        .where(User.email == email, Message.topic == "banking.monthly_summary")
    ).scalar_one()


def test_present_a_branded_showcase_then_reset_it(page: Page, live_server, live_app, live_db):
    with live_db() as db:
        seed_showcase(live_app.extensions["dcx_verticals"], "northwind", only=("banking",))
        db.session.commit()
        before = _monthly_messages(db, "noah@northwind.example")

    page.goto(f"{live_server}/account/signin")
    page.get_by_label("Email").fill("admin@northwind.example")
    page.get_by_label("Password").fill("northwind-admin-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".navbar-brand")).to_contain_text("Northwind Group")
    expect(page.locator("#presenter-bar")).to_be_visible()

    page.locator("#view-as").click()
    page.locator('button[data-persona="alex"]').click()
    expect(page.locator("#user-menu")).to_contain_text("Noah Winter")
    page.goto(f"{live_server}/banking/")
    expect(page.locator(".navbar-brand")).to_contain_text("Northwind Group")

    page.locator('button[data-clock="30d"]').click()
    expect(page.locator(".alert-info")).to_contain_text("jobs ran")
    with live_db() as db:
        assert _monthly_messages(db, "noah@northwind.example") == before + 1

    page.locator("#phone-preview-link").click()
    expect(page.get_by_text(re.compile(r"savings and spending report"))).to_have_count(1)

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#reset-showcase").click()
    expect(page.locator(".alert-success")).to_contain_text("reset", timeout=120_000)
    expect(page.locator("#user-menu")).to_contain_text("Kim Presenter")
    with live_db() as db:
        assert _monthly_messages(db, "noah@northwind.example") == before
        assert clock.offset().total_seconds() == 0  # the month that passed is undone too


def test_reset_asks_first_and_a_no_keeps_the_showcase(page: Page, live_server, live_app, live_db):
    with live_db() as db:
        seed_showcase(live_app.extensions["dcx_verticals"], "northwind", only=("banking",))
        db.session.commit()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/account/signin")
    page.get_by_label("Email").fill("admin@northwind.example")
    page.get_by_label("Password").fill("northwind-admin-2026")
    page.get_by_role("button", name="Sign in").click()
    page.locator('button[data-clock="30d"]').click()
    expect(page.locator(".alert-info")).to_contain_text("jobs ran")

    asked: list[str] = []

    def say_no(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", say_no)
    page.locator("#reset-showcase").click()
    page.wait_for_timeout(500)
    assert asked == ["Delete everything and seed the showcase again?"], errors
    assert not errors
    expect(page.locator(".alert-success")).to_have_count(0)
    with live_db():
        assert clock.offset().days == 30  # nothing was reset
