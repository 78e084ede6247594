"""No English left for a Spanish owner: timeline events, bill titles and the staff card.

Most automotive text is written by someone other than the owner: the car (telemetry), the
daily job (instalments), the service advisor (a visit completed, a recall published). These
tests install a catalogue of their own that translates each message id to ``[es] <msgid>``
(see tests/banking/test_labels.py) and check that such text still comes out in the owner's
language, and that the staff card speaks the staff member's.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, format_date, format_datetime
from sqlalchemy import select

from dcx.automotive import appointments, financing, jobs, recalls, rules, telemetry, workspace
from dcx.automotive import codes as dtc
from dcx.automotive.models import AutomotiveBill
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.models import Message
from dcx.platform.timeline.models import Event
from tests.automotive.conftest import VIN_RAV4, make_loan, make_vehicle
from tests.conftest import make_user, marked, marked_catalogue

MISFIRE_TITLE, _TEXT, MISFIRE_SEVERITY = dtc.TABLE["P0300"]
MISFIRE_DRIVE = dtc.DRIVE_FOR_SEVERITY[MISFIRE_SEVERITY]
MESSAGES = (
    "%(name)s added",
    "%(car)s: %(code)s %(title)s",
    str(MISFIRE_TITLE),
    str(dtc.DRIVE_NOW[MISFIRE_DRIVE]),
    "Service booked for %(name)s",
    "Visit completed for %(name)s",
    "Recall %(number)s for your %(car)s",
    "Paid: %(title)s",
    "%(lender)s instalment %(n)s of %(term)s",
    "Payment due on %(day)s: %(title)s",
    "Vehicles",
)
PLURALS = (("%(num)d overdue bill", "%(num)d overdue bills"),)


es = marked  # what the test catalogue makes of a message id


@pytest.fixture
def app_config(tmp_path):
    """Translations from a Spanish catalogue holding only the messages these tests look for."""
    return marked_catalogue(tmp_path, MESSAGES, PLURALS)


@pytest.fixture(autouse=True)
def _fresh_catalogues(fresh_catalogues):
    """Each test starts and ends with Flask-Babel\'s shared catalogue cache empty."""


def _owner(email: str, locale: str):
    user = make_user(email)
    user.locale = locale
    db.session.commit()
    return user


def _events(user_id: int, kind: str) -> list[Event]:
    return list(
        db.session.execute(
            select(Event).where(Event.user_id == user_id, Event.kind == kind).order_by(Event.id)
        ).scalars()
    )


def test_events_others_cause_are_written_in_the_owners_language(app):
    """The car, the advisor and the job write in English here; the owner reads Spanish."""
    owner = _owner("es@example.com", "es")
    car = make_vehicle(owner)
    assert _events(owner.id, "vehicle_added")[0].subject == es("Volkswagen Golf added")

    telemetry.ingest_readings(car, [{"odometer_km": 100, "codes": [{"code": "P0300"}]}])
    reported = _events(owner.id, "code_reported")[0]
    assert reported.subject == es(f"Volkswagen Golf: P0300 {es(str(MISFIRE_TITLE))}")
    assert reported.summary == es(str(dtc.DRIVE_NOW[MISFIRE_DRIVE]))

    slot = appointments.available_slots(rules.DEALERS[0], clock.today())[0]
    appointment = appointments.book_appointment(car, rules.DEALERS[0], slot, "Ruido al frenar")
    booked = _events(owner.id, "service_booked")[0]
    assert booked.subject == es("Service booked for Volkswagen Golf")
    with force_locale("es"):
        when = format_datetime(slot, rules.SLOT_FORMAT, rebase=False)
    assert booked.summary == f"{rules.DEALERS[0]} · {when} UTC · Ruido al frenar"
    assert f"{slot:%Y-%m-%d}" not in booked.summary

    appointments.complete_appointment(appointment)  # the advisor, in English
    done = _events(owner.id, "service_done")[0]
    assert done.subject == es("Visit completed for Volkswagen Golf")

    recalls.publish_recall(
        campaign_number="R-9",
        make="Volkswagen",
        model="Golf",
        year_from=2020,
        year_to=2024,
        component="Freno",
        summary="s",
        consequence="c",
        remedy="r",
    )
    notice = _events(owner.id, "recall_notice")[0]
    assert notice.subject == es("Recall R-9 for your Volkswagen Golf")
    db.session.commit()


def test_an_english_owner_still_reads_english(app):
    owner = _owner("en@example.com", "en")
    car = make_vehicle(owner)
    telemetry.ingest_readings(car, [{"odometer_km": 100, "codes": [{"code": "P0300"}]}])
    assert _events(owner.id, "vehicle_added")[0].subject == "Volkswagen Golf added"
    reported = _events(owner.id, "code_reported")[0]
    assert reported.subject == f"Volkswagen Golf: P0300 {MISFIRE_TITLE}"


def test_instalments_the_job_issues_are_titled_in_each_owners_language(app):
    spanish, english = _owner("es@example.com", "es"), _owner("en@example.com", "")
    soon = clock.today() + timedelta(days=2)
    make_loan(spanish, make_vehicle(spanish), reference="LN-ES", first_due_on=soon)
    make_loan(english, make_vehicle(english, vin=VIN_RAV4), reference="LN-EN", first_due_on=soon)
    assert jobs.bills_due(clock.now()) == 2
    db.session.commit()

    titles = {
        bill.user_id: bill.title
        for bill in db.session.execute(select(AutomotiveBill)).scalars().all()
    }
    assert titles == {
        spanish.id: es("DCX Motor Finance instalment 1 of 48"),
        english.id: "DCX Motor Finance instalment 1 of 48",
    }
    reminder = db.session.execute(
        select(Message).where(Message.user_id == spanish.id, Message.topic == "automotive.bill_due")
    ).scalar_one()
    with force_locale("es"):
        day = format_date(soon)
    assert reminder.title == es(f"Payment due on {day}: {titles[spanish.id]}")

    bill = db.session.execute(
        select(AutomotiveBill).where(AutomotiveBill.user_id == spanish.id)
    ).scalar_one()
    financing.pay_bill(bill)  # paid from the English admin, say
    assert _events(spanish.id, "bill_paid")[0].subject == es(f"Paid: {bill.title}")


def test_issuing_instalments_looks_up_the_owners_language_when_not_told(app):
    owner = _owner("es@example.com", "es")
    loan = make_loan(owner, make_vehicle(owner), first_due_on=clock.today())
    assert financing.issue_instalments(loan, clock.today()) == 1
    title = db.session.execute(select(AutomotiveBill.title)).scalar_one()
    assert title == es("DCX Motor Finance instalment 1 of 48")


def test_the_staff_card_speaks_the_staff_members_language_with_plurals(app, staff_client):
    owner = _owner("es@example.com", "es")
    loan = make_loan(
        owner, make_vehicle(owner), first_due_on=financing.add_months(clock.today(), -2)
    )
    financing.issue_instalments(loan, clock.today())
    db.session.commit()
    assert workspace.summary_card(owner.id)["lines"][-1] == "2 overdue bills"
    assert workspace.summary_card(owner.id)["title"] == "Vehicles"

    client, staff = staff_client("automotive")
    staff.locale = "es"
    db.session.commit()
    body = client.get(f"/staff/customers/{owner.id}").get_data(as_text=True)
    assert f"<li>{es('2 overdue bills')}</li>" in body
    assert es("Vehicles") in body
    assert "overdue bill(s)" not in body

    bills = (
        db.session.execute(select(AutomotiveBill).order_by(AutomotiveBill.due_on)).scalars().all()
    )
    financing.pay_bill(bills[0])
    db.session.commit()
    assert workspace.summary_card(owner.id)["lines"][-1] == "1 overdue bill"
