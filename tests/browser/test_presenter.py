"""A sales team presents a branded showcase: view as a persona, a month passes, reset."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from dcx.extensions import db as routed_db
from dcx.platform import clock, sandboxes
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
    # the presenter works in a sandbox of their own: the month passed there, not for everyone
    sandbox_id = page.locator("#sandbox-badge").get_attribute("data-sandbox")
    with sandboxes.inside(live_app, sandbox_id):
        assert _monthly_messages(routed_db, "noah@northwind.example") == before + 1
    with live_db() as db:
        assert _monthly_messages(db, "noah@northwind.example") == before

    page.locator("#phone-preview-link").click()
    expect(page.get_by_text(re.compile(r"savings and spending report"))).to_have_count(1)

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#reset-showcase").click()
    expect(page.locator(".alert-success")).to_contain_text("reset", timeout=120_000)
    expect(page.locator("#user-menu")).to_contain_text("Kim Presenter")
    with sandboxes.inside(live_app, sandbox_id):
        assert _monthly_messages(routed_db, "noah@northwind.example") == before
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
    # the admin persona's published password opened a sandbox: the month passed there
    sandbox_id = page.locator("#sandbox-badge").get_attribute("data-sandbox")
    with sandboxes.inside(live_app, sandbox_id):
        assert clock.offset().days == 30  # nothing was reset
    with live_db():
        assert clock.offset().days == 0  # and the showcase itself never moved


def test_the_presenter_shows_a_waitlist_promotion_by_clicking_alone(
    page: Page, live_server, live_app, live_db
):
    from dcx.retail import store_events
    from dcx.retail.models import RetailEvent

    with live_db() as db:
        seed_showcase(live_app.extensions["dcx_verticals"], "default", only=("retail",))
        db.session.commit()
        talk = db.session.execute(
            select(RetailEvent).where(RetailEvent.slug == "author-talk-crooked-harbour")
        ).scalar_one()
        first, second = (r.user.name for r in store_events.waitlist(talk.id))
        title = talk.title

    page.goto(f"{live_server}/account/signin")
    page.get_by_label("Email").fill("admin@dcx.example")
    page.get_by_label("Password").fill("showcase-admin-2026")
    page.get_by_role("button", name="Sign in").click()

    # María, a regular, gives up her seat at the full author talk
    page.locator("#view-as").click()
    page.locator('button[data-persona="maria"]').click()
    page.locator("#industry-switcher").click()
    page.locator('#dcx-nav a[data-vertical="retail"]').click()
    page.get_by_role("link", name=title).first.click()
    expect(page.locator("#retail-rsvp-status")).to_contain_text("Going")
    page.get_by_label("Your answer").select_option("not_going")
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".alert-success")).to_contain_text("Your answer is saved")

    # the bookseller sees the first on the waitlist holding her seat, then frees another
    page.locator("#view-as").click()
    page.locator('button[data-persona="bookseller"]').click()
    page.locator("#staff-workspace a").click()
    page.locator('[data-guest-list="author-talk-crooked-harbour"]').click()
    expect(page.locator("#retail-guests")).to_contain_text(first)
    expect(page.locator("#retail-waitlist li")).to_have_text([second])
    page.locator("#retail-guests a").first.click()
    expect(page.locator("#retail-remove-question")).to_contain_text(second)
    page.locator("#retail-remove-form button").click()
    expect(page.locator(".alert-info")).to_contain_text(f"{second} moved up from the waitlist")
    expect(page.locator("#retail-guests")).to_contain_text(second)
    expect(page.locator("#retail-waitlist li")).to_have_count(0)
    sandbox_id = page.locator("#sandbox-badge").get_attribute("data-sandbox")
    with sandboxes.inside(live_app, sandbox_id):  # the presenter's own copy of the showcase
        assert len(store_events.guest_list(talk.id)) == talk.capacity


def test_the_presenter_shows_public_works_acknowledge_a_hand_off_by_clicking_alone(
    page: Page, live_server, live_app, live_db
):
    with live_db() as db:
        seed_showcase(live_app.extensions["dcx_verticals"], "default", only=("government",))
        db.session.commit()

    page.goto(f"{live_server}/account/signin")
    page.get_by_label("Email").fill("admin@dcx.example")
    page.get_by_label("Password").fill("showcase-admin-2026")
    page.get_by_role("button", name="Sign in").click()

    # Morgan in public works finds the task the traffic officer handed over
    page.locator("#view-as").click()
    page.locator('button[data-persona="public_works"]').click()
    expect(page.locator("#user-menu")).to_contain_text("Morgan Works")
    page.locator("#staff-workspace a").click()
    page.locator("#nav-tasks").click()
    task = page.locator("[data-task]").first
    expect(task).to_contain_text("Replace the streetlight at the Mill Lane crossing")
    expect(task).to_contain_text("From Transport")
    task.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".alert-success")).to_contain_text("Acknowledged")
    expect(task).to_have_attribute("data-status", "acknowledged")
    task.get_by_role("button", name="Mark done").click()
    expect(task).to_have_attribute("data-status", "done")

    # the traffic officer sees both on the incident
    page.locator("#view-as").click()
    page.locator('button[data-persona="city_officer"]').click()
    page.locator("#staff-workspace a").click()
    page.locator("#nav-incidents, .nav-link:has-text('Incidents')").first.click()
    page.get_by_role("link", name="Congestion on Harbour Road").click()
    expect(page.locator('#shared-with [data-department="public_works"]')).to_contain_text(
        "acknowledged"
    )
    expect(
        page.locator('#shared-with [data-department="public_works"] .text-bg-success')
    ).to_have_count(1)
    expect(page.locator("[data-handoff]").first).to_contain_text("done")

    # and the public page opens on a published fix
    page.get_by_role("link", name="Public page").click()
    expect(page.locator("article").first).to_contain_text("Fixed: streetlight at Bridge Avenue")
