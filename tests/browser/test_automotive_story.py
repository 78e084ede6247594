"""The automotive story in Chromium: a car reports a fault, its owner acts on everything."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def _seed_owner(live_db):
    """Alex with a connected Golf, an open recall and a loan whose latest instalment is late."""
    from dcx.automotive import financing, recalls, vehicles
    from dcx.automotive.models import AutomotiveBill
    from dcx.platform import clock
    from tests.automotive.conftest import daily_readings, make_loan, make_vehicle

    with live_db() as db:
        alex = make_user("alex@example.com", "Alex Morgan")
        car = make_vehicle(
            alex,
            plate="B-123-DCX",
            last_service_on=clock.today() - timedelta(days=300),
            last_service_km=9000,
        )
        daily_readings(car, 20, start_km=18000, daily_km=30)
        recalls.publish_recall(
            campaign_number="DCX-24V-017",
            make="Volkswagen",
            model="Golf",
            year_from=2022,
            year_to=2024,
            component="Rear seat belt buckle",
            summary="The rear buckle may not latch.",
            consequence="The belt may not restrain.",
            remedy="The dealer replaces the buckle for free.",
        )
        loan = make_loan(alex, car, first_due_on=clock.today() - timedelta(days=40))
        financing.issue_instalments(loan, clock.today())
        first = (
            db.session.execute(select(AutomotiveBill).order_by(AutomotiveBill.due_on))
            .scalars()
            .first()
        )
        financing.pay_bill(first)
        token = vehicles.connect_vehicle(car)
        db.session.commit()
        return token, car.id


def test_car_reports_a_fault_and_the_owner_acts_on_it(page: Page, live_server, live_db):
    token, car_id = _seed_owner(live_db)

    # The car posts a reading with a new trouble code through the telematics API.
    response = page.request.post(
        f"{live_server}/api/v1/automotive/telemetry",
        headers={"Authorization": f"Bearer {token}"},
        data={
            "readings": [
                {
                    "odometer_km": 18700,
                    "battery_v": 12.5,
                    "codes": [{"code": "P0300", "status": "confirmed"}],
                }
            ]
        },
    )
    assert response.status == 201, response.text()
    assert response.json()["new_codes"] == ["P0300"]

    page.goto(f"{live_server}/account/signin")
    page.get_by_label("Email").fill("alex@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#user-menu")).to_contain_text("Alex Morgan")

    # The owner sees the code explained on the dashboard.
    page.goto(f"{live_server}/automotive/")
    code = page.locator('.dcx-code[data-code="P0300"]')
    expect(code).to_contain_text("Engine misfires on several cylinders")
    expect(code).to_contain_text("Can I drive now?")
    expect(page.locator('[data-health="act_now"]')).to_be_visible()

    # ... books a service from it, the reason prefilled ...
    code.get_by_role("link", name="Book a service about P0300").click()
    expect(page.get_by_label("Reason")).to_have_value(
        "Trouble code P0300: Engine misfires on several cylinders"
    )
    page.get_by_role("button", name="Book this slot").click()
    expect(page.locator(".alert-success")).to_contain_text("Service booked")
    page.goto(f"{live_server}/calendar")
    expect(page.get_by_text("Car service: Volkswagen Golf (B-123-DCX)")).to_be_visible()

    # ... sees the recall ...
    page.goto(f"{live_server}/automotive/")
    expect(page.locator("#automotive-appointments")).to_contain_text("P0300")
    page.get_by_role("link", name="What to do").first.click()
    recall = page.locator('[data-recall="DCX-24V-017"]')
    expect(recall).to_contain_text("The dealer replaces the buckle for free.")

    # ... opens the financing and pays the overdue bill.
    page.goto(f"{live_server}/automotive/")
    page.get_by_role("link", name="Financing and bills").click()
    overdue = page.locator('#automotive-bills [data-status="overdue"]')
    expect(overdue).to_have_count(1)
    overdue.get_by_role("button", name="Pay").click()
    expect(page.locator(".alert-success")).to_contain_text("Paid")
    expect(page.locator('#automotive-bills [data-status="overdue"]')).to_have_count(0)
    page.get_by_role("link", name="Amortisation and payoff").click()
    expect(page.locator("#automotive-payoff")).to_be_visible()

    # The clock moves a month on: the service reminder reaches the inbox exactly once.
    from dcx.platform import clock
    from dcx.platform.jobs.runner import run_due_jobs
    from dcx.platform.notify.models import Message

    with live_db() as db:
        assert not db.session.execute(
            select(Message).where(Message.topic == "automotive.service_reminder")
        ).first()
        clock.advance(timedelta(days=30))
        db.session.commit()
        run_due_jobs()
        run_due_jobs()
        clock.advance(timedelta(hours=1))
        db.session.commit()
        run_due_jobs()
        reminders = (
            db.session.execute(
                select(Message).where(Message.topic == "automotive.service_reminder")
            )
            .scalars()
            .all()
        )
        assert len(reminders) == 1
        assert "Volkswagen Golf" in reminders[0].title

    page.goto(f"{live_server}/inbox/")
    reminder = page.locator(".dcx-message", has_text="Service due soon: Volkswagen Golf")
    expect(reminder).to_have_count(1)
    reminder.locator(".dcx-message-title").click()  # opening it (a POST) marks it read
    expect(page.get_by_label("Reason")).to_have_value("Scheduled service")

    # ... and the dashboard works at phone width.
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/automotive/", f"/automotive/vehicles/{car_id}", "/automotive/financing"):
        page.goto(f"{live_server}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at 390px"
