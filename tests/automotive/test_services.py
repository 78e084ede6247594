"""Automotive services: VINs, codes explained, telemetry, service due, recalls, loans, bills."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dcx.automotive import (
    appointments,
    financing,
    fleet_status,
    recalls,
    rules,
    telemetry,
    vehicles,
    workspace,
)
from dcx.automotive import codes as dtc
from dcx.automotive import obligations as owed
from dcx.automotive.models import AutomotiveBill, AutomotiveReading, AutomotiveRecallCoverage
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.models import Message
from tests.automotive.conftest import VIN_RAV4, daily_readings, make_loan, make_vehicle
from tests.conftest import make_user


@pytest.mark.parametrize(
    "vin,ok",
    [
        ("WVWZZZCDZPW123456", True),
        ("wvwzzzcdzpw 123456", True),
        ("WVWZZZCDZPW12345", False),  # 16 characters
        ("WVWZZZCDZPO123456", False),  # O is never used
        ("WVWZZZCDZPW12345!", False),
    ],
)
def test_vin_format(vin, ok):
    assert vehicles.is_valid_vin(vin) is ok


def test_known_code_is_explained_with_severity_and_driving_advice(app):
    info = dtc.explain("p0300")
    assert info.code == "P0300" and info.known and info.generic
    assert info.severity == "critical"
    assert "misfire" in info.title.lower()
    assert info.drive_advice.startswith("No. Stop")


@pytest.mark.parametrize("code", ["P1234", "B1A01", "U3000", "C2100"])
def test_maker_specific_codes_get_a_generic_explanation(app, code):
    info = dtc.explain(code)
    assert not info.generic and not info.known
    assert "maker" in info.explanation


def test_unknown_generic_code_names_its_area(app):
    info = dtc.explain("P0399")
    assert info.generic and not info.known
    assert "ignition" in info.explanation


@pytest.mark.parametrize("code", ["P4300", "X0300", "P030", "P03000", "P0G00", ""])
def test_malformed_codes_are_refused(app, code):
    assert not dtc.is_valid(code)
    with pytest.raises(ValueError):
        dtc.explain(code)


def test_ingest_stores_readings_once_and_tracks_codes(app):
    user = make_user()
    car = make_vehicle(user)
    now = clock.now().replace(microsecond=0)
    first = {
        "recorded_at": (now - timedelta(hours=2)).isoformat(),
        "odometer_km": 1000,
        "codes": [{"code": "P0171", "status": "pending"}],
    }
    second = {
        "recorded_at": (now - timedelta(hours=1)).isoformat(),
        "odometer_km": 1030,
        "codes": [{"code": "P0171", "status": "confirmed"}],
    }
    result = telemetry.ingest_readings(car, [second, first])
    assert result.accepted == 2 and result.new_codes == ["P0171"]
    assert result.confirmed_codes == ["P0171"]
    again = telemetry.ingest_readings(car, [first, second])
    assert again.accepted == 0 and again.duplicates == 2 and again.new_codes == []
    codes = fleet_status.active_codes([car.id])[car.id]
    assert [(c.code, c.status) for c in codes] == [("P0171", "confirmed")]
    telemetry.ingest_readings(car, [{"odometer_km": 1040, "cleared_codes": ["P0171"]}])
    assert fleet_status.active_codes([car.id])[car.id] == []
    assert db.session.query(AutomotiveReading).count() == 3


def test_readings_from_the_future_are_refused(app):
    car = make_vehicle(make_user())
    later = (clock.now() + timedelta(days=1)).isoformat()
    with pytest.raises(ValueError, match="future"):
        telemetry.ingest_readings(car, [{"recorded_at": later, "odometer_km": 1}])


def test_simulated_drive_moves_the_odometer_and_reports_a_fault(app, rng):
    car = make_vehicle(make_user(), last_service_km=5000)
    result = telemetry.simulate_drive(car.id, 12, rng, fault="P0420")
    assert result.accepted == 12 and result.new_codes == ["P0420"]
    latest = fleet_status.latest_readings([car.id])[car.id]
    assert latest.odometer_km > 5000
    # driving again continues from the last reading, never into the future
    telemetry.simulate_drive(car.id, 5, rng)
    assert fleet_status.latest_readings([car.id])[car.id].odometer_km >= latest.odometer_km
    assert fleet_status.latest_readings([car.id])[car.id].recorded_at <= clock.now()


def test_service_due_by_distance_or_time_whichever_first(app):
    car = make_vehicle(make_user(), last_service_on=date(2026, 1, 1), last_service_km=10000)
    today = date(2026, 3, 1)
    # 40 km a day, 15,000 km interval: distance would take months, time is due 2027-01-01
    due = fleet_status.service_due(car, 12000, 40, today)
    assert due.by == "time" and due.due_on == date(2027, 1, 1) and due.urgency == "not_urgent"
    # driving 200 km a day, the 13,000 km left last 65 days: distance comes first
    due = fleet_status.service_due(car, 12000, 200, today)
    assert due.by == "distance" and due.due_on == today + timedelta(days=65)
    assert due.urgency == "not_urgent"
    assert fleet_status.service_due(car, 24000, 40, today).urgency == "due_soon"  # 1,000 km left
    assert fleet_status.service_due(car, 24600, 40, today).urgency == "urgent"  # 400 km left
    assert fleet_status.service_due(car, 25100, 40, today).urgency == "overdue"
    assert fleet_status.service_due(car, 12000, 40, date(2026, 12, 20)).urgency == "urgent"
    assert fleet_status.service_due(car, 12000, 40, date(2027, 1, 2)).urgency == "overdue"


def test_average_daily_distance_comes_from_the_readings(app):
    car = make_vehicle(make_user())
    daily_readings(car, 30, daily_km=50)
    assert fleet_status.daily_distances([car.id])[car.id] == pytest.approx(50, rel=0.05)


def test_health_says_act_now_for_a_do_not_drive_code(app):
    car = make_vehicle(make_user())
    telemetry.ingest_readings(car, [{"odometer_km": 100, "codes": [{"code": "P0524"}]}])
    status = fleet_status.fleet_status([car])[0]
    assert status.health == "act_now"
    assert any("P0524" in r for r in status.reasons)


def test_booking_takes_a_free_slot_once_and_is_in_the_calendar(app):
    car = make_vehicle(make_user())
    slot = appointments.available_slots(rules.DEALERS[0], clock.today())[0]
    appointments.book_appointment(car, rules.DEALERS[0], slot, "Trouble code P0300", code="P0300")
    db.session.commit()
    assert slot not in appointments.available_slots(rules.DEALERS[0], clock.today())
    with pytest.raises(ValueError):
        appointments.book_appointment(car, rules.DEALERS[0], slot, "again")
    entries = [
        e for e in owed.calendar_entries(car.user_id) if e.uid.startswith("automotive-appointment")
    ]
    assert len(entries) == 1 and entries[0].starts_at == slot
    assert entries[0].location == rules.DEALERS[0] and "P0300" in entries[0].description


def _recall(**overrides):
    fields = dict(
        campaign_number="R-1",
        make="toyota",
        model="RAV4",
        year_from=2021,
        year_to=2023,
        component="Seat belt buckle",
        summary="s",
        consequence="c",
        remedy="r",
    )
    return recalls.publish_recall(**{**fields, **overrides})


def test_a_recall_covers_only_matching_cars_and_notifies_each_owner_once(app):
    alex = make_user("alex@example.com")
    maria = make_user("maria@example.com")
    rav4 = make_vehicle(alex, vin=VIN_RAV4, make="Toyota", model="RAV4", year=2022)
    make_vehicle(maria, vin="JTMW1RFV8PD099999", make="Toyota", model="RAV4", year=2019)
    recall = _recall()
    db.session.commit()
    coverages = db.session.execute(select(AutomotiveRecallCoverage)).scalars().all()
    assert [(c.vehicle_id, c.status) for c in coverages] == [(rav4.id, "notified")]
    assert recalls.match_recalls() == 0  # idempotent
    messages = (
        db.session.execute(select(Message).where(Message.topic == "automotive.recall"))
        .scalars()
        .all()
    )
    assert [m.user_id for m in messages] == [alex.id]
    slot = appointments.available_slots(rules.DEALERS[1], clock.today())[0]
    appointments.book_appointment(rav4, rules.DEALERS[1], slot, "recall", recall_id=recall.id)
    assert coverages[0].status == "booked"
    recalls.mark_remedied(coverages[0])
    summary = recalls.recall_coverage_summary()
    assert summary[0]["remedied"] == 1 and summary[0]["notified"] == 0


def test_amortisation_repays_the_principal_exactly(app):
    user = make_user()
    car = make_vehicle(user)
    loan = make_loan(
        user, car, principal_minor=1_800_000, rate_bp=590, term=48, first_due_on=date(2026, 1, 31)
    )
    schedule = financing.amortisation(loan)
    assert len(schedule) == 48
    assert schedule[0].payment == 42_191  # 18,000 at 5.9% over 48 months: 421.91
    assert schedule[0].interest == 8_850
    assert sum(r.principal for r in schedule) == 1_800_000
    assert schedule[-1].balance == 0
    assert schedule[1].due_on == date(2026, 2, 28)  # clipped to the month's end


def test_loan_interest_is_rounded_once_from_exact_figures_not_floats(app):
    """10,060.00 at 6.9% earns exactly 57.845 in a month: half-even makes it 57.84. In floats
    the same product reads 57.84500000000001 and was charged as 57.85."""
    assert financing.month_interest(1_006_000, 690) == 5_784
    assert financing.month_interest(1_006_100, 690) == 5_785  # 57.85075: not a half
    user = make_user()
    car = make_vehicle(user)
    loan = make_loan(
        user, car, principal_minor=1_006_000, rate_bp=690, term=36, first_due_on=date(2026, 1, 5)
    )
    schedule = financing.amortisation(loan)
    assert schedule[0].interest == 5_784
    # every instalment, the last one included, adds up to the principal plus the interest
    assert sum(r.payment for r in schedule) == 1_006_000 + sum(r.interest for r in schedule)
    assert all(r.payment == r.principal + r.interest for r in schedule)
    assert schedule[-1].balance == 0 and all(isinstance(r.payment, int) for r in schedule)


def test_loan_position_and_payoff_follow_the_payments(app):
    user = make_user()
    car = make_vehicle(user)
    today = clock.today()
    loan = make_loan(user, car, first_due_on=financing.add_months(today, -2))
    assert financing.issue_instalments(loan, today) == 3
    assert financing.issue_instalments(loan, today) == 0
    bills = (
        db.session.execute(select(AutomotiveBill).order_by(AutomotiveBill.due_on)).scalars().all()
    )
    for bill in bills[:2]:
        assert financing.pay_bill(bill)
    assert not financing.pay_bill(bills[0])
    position = financing.loan_position(loan, today)
    schedule = financing.amortisation(loan)
    assert position.paid_count == 2 and position.balance == schedule[1].balance
    assert position.next_due_on == schedule[2].due_on
    assert position.balance < position.payoff < position.balance + schedule[2].interest + 1


def test_obligations_list_unpaid_bills_in_the_window(app):
    user = make_user()
    car = make_vehicle(user)
    today = clock.today()
    loan = make_loan(user, car, first_due_on=financing.add_months(today, -1))
    financing.issue_instalments(loan, financing.add_months(today, 1))
    first = (
        db.session.execute(select(AutomotiveBill).order_by(AutomotiveBill.due_on)).scalars().first()
    )
    financing.pay_bill(first)
    found = owed.obligations(user.id, today - timedelta(days=40), today + timedelta(days=40))
    assert len(found) == 2
    assert all(o.vertical == "automotive" and o.amount_minor > 0 for o in found)
    assert owed.obligations(make_user("other@example.com").id, today, today) == []


def test_summary_card_for_staff(app):
    user = make_user()
    assert workspace.summary_card(user.id) is None
    make_vehicle(user)
    card = workspace.summary_card(user.id)
    assert card["lines"][0].startswith("Volkswagen Golf")


def test_reading_history_keeps_one_reading_a_day(app):
    car = make_vehicle(make_user())
    daily_readings(car, 10)
    late = (clock.now() - timedelta(seconds=5)).isoformat()
    telemetry.ingest_readings(car, [{"recorded_at": late, "odometer_km": 99999}])
    history = fleet_status.reading_history(car.id)
    assert len(history) == 10
    assert history[-1].odometer_km == 99999


def test_completing_visits_remedies_clears_and_restarts_the_service(app):
    user = make_user()
    car = make_vehicle(
        user,
        vin=VIN_RAV4,
        make="Toyota",
        model="RAV4",
        year=2022,
        last_service_on=clock.today() - timedelta(days=360),
    )
    daily_readings(car, 10, start_km=20000, daily_km=10)
    telemetry.ingest_readings(car, [{"odometer_km": 20200, "codes": [{"code": "P0420"}]}])
    recall = _recall()
    slots = appointments.available_slots(rules.DEALERS[0], clock.today())
    visits = [
        appointments.book_appointment(
            car, rules.DEALERS[0], slots[0], "recall", recall_id=recall.id
        ),
        appointments.book_appointment(car, rules.DEALERS[0], slots[1], "code", code="P0420"),
        appointments.book_appointment(car, rules.DEALERS[0], slots[2], "Scheduled service"),
    ]
    for visit in visits:
        appointments.complete_appointment(visit)
    assert {v.status for v in visits} == {"done"}
    assert fleet_status.open_recalls([car.id])[car.id] == []
    assert fleet_status.active_codes([car.id])[car.id] == []
    assert car.last_service_on == clock.today() and car.last_service_km == 20200
    assert fleet_status.fleet_status([car])[0].due.urgency == "not_urgent"


def test_the_recall_form_and_the_showcase_data_give_the_same_fields():
    from dcx.automotive.forms import RecallForm
    from dcx.automotive.models import AutomotiveRecall
    from dcx.automotive.recalls import RECALL_FIELDS

    columns = set(AutomotiveRecall.__table__.columns.keys())
    assert set(RECALL_FIELDS) <= columns
    assert all(hasattr(RecallForm, name) for name in RECALL_FIELDS)


def test_a_schedule_is_worked_out_once_for_the_same_loan_terms(app):
    from datetime import date
    from types import SimpleNamespace

    loan = SimpleNamespace(
        principal_minor=1_234_567, rate_bp=499, term_months=37, first_due_on=date(2031, 1, 31)
    )
    before = financing._schedule.cache_info()
    first = financing.amortisation(loan)
    again = financing.amortisation(SimpleNamespace(**vars(loan)))
    after = financing._schedule.cache_info()
    assert again is first and (after.misses, after.hits) == (before.misses + 1, before.hits + 1)
    assert len(first) == 37 and first[1].due_on == date(2031, 2, 28) and first[-1].balance == 0
