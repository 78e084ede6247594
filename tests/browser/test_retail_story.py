"""The bookstore's story in Chromium: picks with reasons, the café table, a review, a book club,
a full event's waitlist with a promotion from a second browser, and the event's .ics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.models import Message
from dcx.retail import reading_groups, services, store_events
from dcx.retail.models import RetailEvent, RetailReservation, RetailReview
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/account/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#user-menu")).to_be_attached()


def _seed_story(live_db) -> dict:
    with live_db():
        alex = make_user("alex@example.com", "Alex Morgan")
        bea = make_user("bea@example.com", "Bea Reader")
        buyer = make_user("buyer@example.com", "Bo Buyer")
        isbn = iter(["9780306406157", "9781861972712", "9780141036144", "9780262033848"])
        alpha, beta, gamma, _delta = (
            services.add_book(next(isbn), title, ["Ines Novak"], ["Mystery"], 1500, stock=4)
            for title in ("Alpha Harbour", "Beta Lantern", "Gamma Alibi", "Delta Verdict")
        )
        services.place_order(buyer.id, [alpha.id, beta.id, gamma.id])
        services.place_order(bea.id, [alpha.id, beta.id])
        services.place_order(alex.id, [alpha.id])
        group = reading_groups.create_group("circle", "The Mystery Circle", "Whodunits.")
        reading_groups.join_group(group, bea.id)
        thread = reading_groups.start_thread(
            group, bea.id, "Who did it?", "I suspected the harbour master."
        )
        starts = clock.now().replace(microsecond=0) + timedelta(days=5)
        event = RetailEvent(
            slug="author-talk",
            title="Author talk at the shop",
            kind="in_store",
            address="12 Linden Street",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=1,
            description="An evening with Ines Novak.",
        )
        db.session.add(event)
        db.session.flush()
        store_events.answer_event(event, bea.id, "going")
        db.session.commit()
        return {
            "alex": alex.id,
            "alpha": alpha.id,
            "event": event.id,
            "thread": thread.id,
            "starts": starts,
        }


def test_alex_reads_with_the_bookstore(
    page: Page, browser: Browser, live_server, live_db, tmp_path
):
    ids = _seed_story(live_db)
    base = live_server
    _sign_in(page, base, "alex@example.com")

    # Recommendations, each with its reason; two go to the café table.
    page.goto(f"{base}/retail/recommendations")
    recs = page.locator(".retail-rec")
    expect(recs.first.locator(".retail-reason")).to_have_text("Because you bought Alpha Harbour")
    expect(page.get_by_text("Because you bought Alpha Harbour")).to_have_count(2)
    page.get_by_label("Set aside: Beta Lantern").check()
    page.get_by_label("Set aside: Gamma Alibi").check()
    day = clock.today() + timedelta(days=2)
    page.get_by_label("Day at the café").fill(day.isoformat())
    page.get_by_role("button", name="Reserve at the café table").click()
    expect(page.locator(".alert-success")).to_contain_text("café table")
    expect(page.locator("#retail-reservation li")).to_have_count(2)
    with live_db():
        reservation = db.session.execute(select(RetailReservation)).scalar_one()
        assert reservation.day == day
        assert sorted(i.book.title for i in reservation.items) == ["Beta Lantern", "Gamma Alibi"]

    # A review in half stars.
    page.goto(f"{base}/retail/books/{ids['alpha']}")
    page.get_by_role("link", name="Write a review").click()
    page.get_by_label("Rating").select_option("9")
    page.get_by_label("Title").fill("A harbour full of secrets")
    page.get_by_label("Your review").fill("Read it in one night.")
    page.get_by_role("button", name="Publish review").click()
    expect(page.locator("#retail-reviews")).to_contain_text("A harbour full of secrets")
    expect(page.locator("#retail-rating")).to_contain_text("4.5")
    with live_db():
        assert db.session.execute(select(RetailReview.half_stars)).scalar_one() == 9

    # Join the book club and reply in its thread.
    page.goto(f"{base}/retail/groups")
    page.get_by_role("link", name="The Mystery Circle").click()
    page.get_by_role("button", name="Join the group").click()
    expect(page.get_by_text("You are a member")).to_be_visible()
    page.get_by_role("link", name="Who did it?").click()
    page.get_by_label("Your reply").fill("The lantern gave it away for me.")
    page.get_by_role("button", name="Reply").click()
    expect(page.locator("#retail-posts")).to_contain_text("The lantern gave it away for me.")

    # The event is full: Alex joins the waitlist.
    page.goto(f"{base}/retail/events/{ids['event']}")
    page.get_by_label("Your answer").select_option("going")
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator("#retail-rsvp-status")).to_contain_text("On the waitlist, number 1")

    # Bea, on another device, cancels: the seat goes to Alex, who is told at once.
    other = browser.new_context()
    bea_page = other.new_page()
    _sign_in(bea_page, base, "bea@example.com")
    bea_page.goto(f"{base}/retail/events/{ids['event']}")
    expect(bea_page.locator("#retail-rsvp-status")).to_contain_text("Going")
    bea_page.get_by_label("Your answer").select_option("not_going")
    bea_page.get_by_role("button", name="Send answer").click()
    expect(bea_page.locator("#retail-rsvp-status")).to_contain_text("Not going")
    other.close()

    page.reload()
    expect(page.locator("#retail-rsvp-status")).to_contain_text("Going: your seat is confirmed")
    with live_db():
        message = db.session.execute(
            select(Message).where(Message.user_id == ids["alex"])
        ).scalar_one()
        assert message.topic == "retail.waitlist_promoted"
        assert message.title == "A seat is yours: Author talk at the shop"

    # The event in Alex's calendar.
    with page.expect_download() as info:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    path = tmp_path / "event.ics"
    info.value.save_as(path)
    vevent = Calendar.from_ical(path.read_bytes()).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "Author talk at the shop"
    assert vevent.decoded("DTSTART") == ids["starts"]
    assert str(vevent["LOCATION"]) == "12 Linden Street"


def test_bookstore_pages_fit_a_phone(page: Page, live_server, live_db):
    ids = _seed_story(live_db)
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, "alex@example.com")
    for path in (
        "/retail/",
        "/retail/books",
        "/retail/recommendations",
        f"/retail/books/{ids['alpha']}",
        f"/retail/events/{ids['event']}",
        f"/retail/threads/{ids['thread']}",
        "/retail/orders",
    ):
        page.goto(f"{live_server}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at 390px"
