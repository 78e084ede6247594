"""A remedied recall, on a phone: the owner still sees it, as repaired, with its date."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def _remedied_recall(live_db) -> None:
    """Alex's RAV4 under a recall, booked and repaired by the dealer; an advisor."""
    from dcx.automotive import appointments, recalls, rules
    from dcx.platform import clock
    from tests.automotive.conftest import VIN_RAV4, make_vehicle

    with live_db() as db:
        alex = make_user("alex@example.com", "Alex Morgan")
        make_user("advisor@example.com", "Dana Service", role="staff", department="automotive")
        car = make_vehicle(alex, vin=VIN_RAV4, make="Toyota", model="RAV4", year=2022)
        recall = recalls.publish_recall(
            campaign_number="DCX-24V-017",
            make="Toyota",
            model="RAV4",
            year_from=2021,
            year_to=2023,
            component="Rear seat belt buckle",
            summary="The rear buckle may not latch.",
            consequence="The belt may not restrain.",
            remedy="The dealer replaces the buckle for free.",
        )
        slot = appointments.available_slots(rules.DEALERS[0], clock.today())[0]
        visit = appointments.book_appointment(
            car, rules.DEALERS[0], slot, "Recall DCX-24V-017", recall_id=recall.id
        )
        appointments.complete_appointment(visit)
        db.session.commit()


def _sign_in(page: Page, live_server: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server}/account/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_remedied_recall_stays_listed_as_fixed_on_a_phone(page: Page, live_server, live_db):
    _remedied_recall(live_db)
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, "alex@example.com")

    page.goto(f"{live_server}/automotive/recalls")
    recall = page.locator('[data-recall="DCX-24V-017"]')
    expect(recall).to_be_visible()
    expect(recall.locator('[data-coverage="remedied"]')).to_have_text("Remedied")
    expect(recall.locator(".alert-success")).to_contain_text("Repaired on")
    expect(recall.get_by_role("link", name="Book the free repair")).to_have_count(0)
    expect(page.get_by_text("No recalls affect your cars.")).to_have_count(0)
    # Nothing spills past the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_coverage_table_says_what_each_column_counts(page: Page, live_server, live_db):
    _remedied_recall(live_db)
    _sign_in(page, live_server, "advisor@example.com")
    page.goto(f"{live_server}/automotive/staff")
    table = page.locator("#automotive-coverage")
    expect(table.locator("thead th")).to_have_text(
        ["Campaign", "Affected models", "Cars notified", "Waiting to book", "Booked", "Remedied"]
    )
    row = table.locator('[data-campaign="DCX-24V-017"] td')
    expect(row.nth(2)).to_have_text("1")  # its owner was told
    expect(row.nth(3)).to_have_text("0")
    expect(row.nth(4)).to_have_text("0")
    expect(row.nth(5)).to_have_text("1")
    # the advisor's page, with its search and pager, fits a phone
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/automotive/staff")
    expect(page.get_by_role("search")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
