"""Automotive pages: the dashboard, a car, booking, recalls, financing, staff; owner scoping."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from dcx.automotive import appointments, financing, recalls, rules, telemetry, vehicles
from dcx.automotive.models import AutomotiveAppointment, AutomotiveBill, AutomotiveVehicle
from dcx.extensions import db
from dcx.platform import clock
from tests.automotive.conftest import VIN_GOLF, VIN_RAV4, daily_readings, make_loan, make_vehicle
from tests.conftest import make_user


@pytest.fixture
def other_customers_things(app):
    """Another customer's car, loan, bill and recall coverage."""
    other = make_user("other@example.com", "Other Owner")
    car = make_vehicle(other, vin=VIN_RAV4, make="Toyota", model="RAV4", year=2022)
    loan = make_loan(other, car, reference="LN-OTHER", first_due_on=clock.today())
    financing.issue_instalments(loan, clock.today())
    recalls.publish_recall(
        campaign_number="R-9",
        make="Toyota",
        model="RAV4",
        year_from=2020,
        year_to=2024,
        component="Brake hose",
        summary="s",
        consequence="c",
        remedy="r",
    )
    db.session.commit()
    bill = db.session.execute(
        select(AutomotiveBill).where(AutomotiveBill.loan_id == loan.id)
    ).scalar_one()
    return car, loan, bill


def test_landing_page_for_a_visitor_and_a_new_customer(client, customer):
    body = client.get("/automotive/").get_data(as_text=True)
    assert 'id="automotive-capabilities"' in body and "You have no vehicles yet" in body
    client.post("/account/signout")
    assert 'id="automotive-capabilities"' in client.get("/automotive/").get_data(as_text=True)


def test_dashboard_shows_health_codes_explained_and_money(client, customer):
    car = make_vehicle(customer)
    daily_readings(car, 20, battery_v=11.6)
    telemetry.ingest_readings(car, [{"odometer_km": 99999, "codes": [{"code": "P0562"}]}])
    db.session.commit()
    body = client.get("/automotive/").get_data(as_text=True)
    assert 'id="automotive-dashboard"' in body
    assert "Electrical system voltage low" in body
    assert "Can I drive now?" in body
    assert f"/automotive/vehicles/{car.id}/book?code=P0562" in body
    assert 'data-health="attention"' in body


def test_add_vehicle_validates_the_vin_and_keeps_what_was_typed(client, customer):
    r = client.post(
        "/automotive/vehicles/new",
        data={
            "vin": "SHORTVIN",
            "make": "Fiat",
            "model": "Panda",
            "year": "2020",
            "fuel_type": "petrol",
        },
    )
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert "17 letters and digits" in body and 'value="Panda"' in body
    r = client.post(
        "/automotive/vehicles/new",
        data={
            "vin": VIN_GOLF.lower(),
            "make": "Volkswagen",
            "model": "Golf",
            "year": "2023",
            "fuel_type": "petrol",
        },
    )
    assert r.status_code == 302
    car = db.session.execute(select(AutomotiveVehicle)).scalar_one()
    assert car.vin == VIN_GOLF and car.user_id == customer.id
    r = client.post(
        "/automotive/vehicles/new",
        data={
            "vin": VIN_GOLF,
            "make": "VW",
            "model": "Golf",
            "year": "2023",
            "fuel_type": "petrol",
        },
    )
    assert r.status_code == 400 and "already registered" in r.get_data(as_text=True)


def test_connect_shows_the_token_once_and_revoke_stops_it(client, customer):
    car = make_vehicle(customer)
    body = client.post(f"/automotive/vehicles/{car.id}/connect").get_data(as_text=True)
    db.session.refresh(car)
    token = body.split('id="car-token" readonly value="')[1].split('"')[0]
    assert vehicles.vehicle_for_token(token).id == car.id
    assert token not in client.get(f"/automotive/vehicles/{car.id}").get_data(as_text=True)
    client.post(f"/automotive/vehicles/{car.id}/revoke")
    db.session.expire_all()
    assert vehicles.vehicle_for_token(token) is None


def test_booking_from_a_code_prefills_the_reason_and_books(client, customer):
    car = make_vehicle(customer)
    page = client.get(f"/automotive/vehicles/{car.id}/book?code=P0300").get_data(as_text=True)
    assert "Trouble code P0300: Engine misfires on several cylinders" in page
    slot = appointments.available_slots(rules.DEALERS[0], clock.today())[0]
    r = client.post(
        f"/automotive/vehicles/{car.id}/book?code=P0300",
        data={"dealer": rules.DEALERS[0], "slot": slot.isoformat(), "reason": "Misfire check"},
    )
    assert r.status_code == 302
    appointment = db.session.execute(select(AutomotiveAppointment)).scalar_one()
    assert appointment.code == "P0300" and appointment.starts_at == slot
    calendar = client.get("/calendar").get_data(as_text=True)  # the platform's calendar page
    assert "Car service: Volkswagen Golf" in calendar
    bad = client.post(
        f"/automotive/vehicles/{car.id}/book",
        data={
            "dealer": rules.DEALERS[0],
            "slot": "2001-01-01T08:00:00+00:00",
            "reason": "x" * 50,
        },
    )
    assert bad.status_code == 400 and "x" * 50 in bad.get_data(as_text=True)


def test_paying_a_bill_records_it(client, customer):
    car = make_vehicle(customer)
    loan = make_loan(customer, car, first_due_on=clock.today() - timedelta(days=5))
    financing.issue_instalments(loan, clock.today())
    db.session.commit()
    bill = db.session.execute(select(AutomotiveBill)).scalar_one()
    page = client.get("/automotive/financing").get_data(as_text=True)
    assert 'data-status="overdue"' in page
    client.post(f"/automotive/bills/{bill.id}/pay")
    db.session.refresh(bill)
    assert bill.paid_at is not None
    assert 'data-status="paid"' in client.get("/automotive/financing").get_data(as_text=True)
    loan_page = client.get(f"/automotive/financing/{loan.id}").get_data(as_text=True)
    assert 'id="automotive-amortisation"' in loan_page and "Payoff today" in loan_page


def test_another_customers_ids_answer_404_everywhere(client, customer, other_customers_things):
    car, loan, bill = other_customers_things
    for method, url in [
        ("get", f"/automotive/vehicles/{car.id}"),
        ("post", f"/automotive/vehicles/{car.id}/connect"),
        ("post", f"/automotive/vehicles/{car.id}/revoke"),
        ("get", f"/automotive/vehicles/{car.id}/book"),
        ("post", f"/automotive/vehicles/{car.id}/book"),
        ("get", f"/automotive/financing/{loan.id}"),
        ("post", f"/automotive/bills/{bill.id}/pay"),
    ]:
        assert getattr(client, method)(url).status_code == 404, url
    db.session.refresh(bill)
    assert bill.paid_at is None
    assert "R-9" not in client.get("/automotive/recalls").get_data(as_text=True)
    assert "LN-OTHER" not in client.get("/automotive/financing").get_data(as_text=True)


def test_booking_a_recall_not_covering_my_car_answers_404(client, customer, other_customers_things):
    mine = make_vehicle(customer)
    recall_id = db.session.execute(select(AutomotiveAppointment.id)).first()  # none booked yet
    assert recall_id is None
    from dcx.automotive.models import AutomotiveRecall

    recall = db.session.execute(select(AutomotiveRecall)).scalar_one()
    assert client.get(f"/automotive/vehicles/{mine.id}/book?recall={recall.id}").status_code == 404


def test_pages_need_a_signed_in_customer(client):
    assert client.get("/automotive/financing").status_code == 302
    assert client.get("/automotive/recalls").status_code == 302


def test_staff_view_lists_cars_needing_attention_and_recall_coverage(
    app, staff_client, other_customers_things
):
    car, _loan, _bill = other_customers_things
    telemetry.ingest_readings(car, [{"odometer_km": 5, "codes": [{"code": "U0100"}]}])
    db.session.commit()
    advisor, _ = staff_client("automotive")
    body = advisor.get("/automotive/staff").get_data(as_text=True)
    assert f'data-vin="{car.vin}"' in body and "U0100" in body and "Other Owner" in body
    assert 'data-campaign="R-9"' in body
    assert f"/staff/customers/{car.user_id}" in body  # the customer-360 card
    banker, _ = staff_client("banking")
    assert banker.get("/automotive/staff").status_code == 403
    r = advisor.post(
        "/automotive/staff/recalls/new",
        data={
            "campaign_number": "R-10",
            "make": "Toyota",
            "model": "RAV4",
            "year_from": "2022",
            "year_to": "2021",
        },
    )
    assert r.status_code == 400


def test_staff_publish_a_recall_and_the_owner_is_notified(
    app, staff_client, other_customers_things
):
    from dcx.platform.notify.models import Message

    car, _loan, _bill = other_customers_things
    advisor, _ = staff_client("automotive")
    r = advisor.post(
        "/automotive/staff/recalls/new",
        data={
            "campaign_number": "R-10",
            "make": "Toyota",
            "model": "RAV4",
            "year_from": "2021",
            "year_to": "2023",
            "component": "Fuel pump",
            "summary": "May stop",
            "consequence": "Stall",
            "remedy": "Replace pump",
            "do_not_drive": "yes",
        },
    )
    assert r.status_code == 302
    titles = (
        db.session.execute(select(Message.title).where(Message.user_id == car.user_id))
        .scalars()
        .all()
    )
    assert any("R-10" in t for t in titles)


def test_customers_cannot_open_the_staff_view(client, customer):
    assert client.get("/automotive/staff").status_code == 403


def _fleet(user, cars, days, prefix):
    for n in range(cars):
        car = make_vehicle(user, vin=f"WVWZZZCDZP{prefix}{n:06d}")
        daily_readings(car, days, start_km=1000 * n)
        telemetry.ingest_readings(car, [{"odometer_km": 999999, "codes": [{"code": "P0420"}]}])
        slot = appointments.available_slots(rules.DEALERS[n % 3], clock.today())[0]
        appointments.book_appointment(car, rules.DEALERS[n % 3], slot, "check")
        loan = make_loan(
            user, car, reference=f"LN-{prefix}{n}", first_due_on=clock.today() - timedelta(days=40)
        )
        financing.issue_instalments(loan, clock.today())
    recalls.publish_recall(
        campaign_number=f"R-{prefix}",
        make="Volkswagen",
        model="Golf",
        year_from=2020,
        year_to=2025,
        component="c",
        summary="s",
        consequence="c",
        remedy="r",
    )
    db.session.commit()


def test_dashboard_query_count_does_not_grow_with_the_fleet(
    app, users, auth, client, query_counter
):
    small = make_user("small@example.com")
    large = make_user("large@example.com")
    _fleet(small, 2, 365, "A")
    _fleet(large, 20, 365, "B")
    counts = {}
    for user in (small, large):
        auth.login(user.email)
        client.get("/automotive/")  # warm caches (session, babel)
        with query_counter() as q:
            body = client.get("/automotive/").get_data(as_text=True)
        counts[user.email] = q()
        assert body.count('class="list-group-item dcx-code"') == (2 if user is small else 20)
        auth.logout()
    print("dashboard queries", counts)
    assert counts["small@example.com"] == counts["large@example.com"], counts


def test_live_feed_moves_with_the_car(client, customer, rng):
    car = make_vehicle(customer)
    assert client.get("/automotive/live.json").json["vehicles"][0]["odometer_km"] is None
    telemetry.simulate_drive(car.id, 3, rng, fault="P0128")
    db.session.commit()
    feed = client.get("/automotive/live.json").json["vehicles"]
    assert feed[0]["odometer_km"] > 0 and feed[0]["codes"] == ["P0128"]
    other = make_user("other@example.com")
    make_vehicle(other, vin=VIN_RAV4)
    assert len(client.get("/automotive/live.json").json["vehicles"]) == 1


def test_advisor_marks_a_visit_done(app, staff_client, other_customers_things):
    car, _loan, _bill = other_customers_things
    slot = appointments.available_slots(rules.DEALERS[0], clock.today())[0]
    visit = appointments.book_appointment(car, rules.DEALERS[0], slot, "Scheduled service")
    db.session.commit()
    advisor, _ = staff_client("automotive")
    assert f'data-appointment="{visit.id}"' in advisor.get("/automotive/staff").get_data(
        as_text=True
    )
    banker, _ = staff_client("banking")
    assert banker.post(f"/automotive/staff/appointments/{visit.id}/done").status_code == 403
    assert advisor.post("/automotive/staff/appointments/99999/done").status_code == 404
    assert advisor.post(f"/automotive/staff/appointments/{visit.id}/done").status_code == 302
    db.session.refresh(visit)
    assert visit.status == "done"
