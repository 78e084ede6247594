"""Trouble codes: the answer to "can I drive now?" follows how serious the code is.

The dashboard card, the urgent SMS and the car's health all read one code's severity and its
driving advice; a critical code that says "yes, but gently" contradicts itself on the screen a
presenter shows. These tests hold every code of the table, and codes outside it, to one rule.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dcx.automotive import codes as dtc
from dcx.automotive import jobs, telemetry
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.delivery import render_sms
from dcx.platform.notify.models import Delivery, Message
from tests.automotive.conftest import make_vehicle
from tests.conftest import make_user

# What the owner must read for each severity, in words, not only as a key.
ADVICE_WORDS = {
    "critical": "No. Stop",
    "warning": "have it checked",
    "info": "keep driving normally",
}
OUTSIDE_THE_TABLE = ["P0399", "P1234", "B1A01", "C2100", "U0199", "U3000"]


@pytest.mark.parametrize("code", [*sorted(dtc.TABLE), *OUTSIDE_THE_TABLE])
def test_every_code_advises_driving_as_its_severity_says(app, code):
    info = dtc.explain(code)
    assert info.severity in dtc.SEVERITIES
    assert ADVICE_WORDS[info.severity] in info.drive_advice, (code, info.severity)


@pytest.mark.parametrize("code", sorted(dtc.TABLE))
def test_no_explanation_says_the_car_drives_normally_when_the_advice_is_to_stop(app, code):
    info = dtc.explain(code)
    if info.severity == "critical":
        assert "drives normally" not in info.explanation, code


def test_a_misfire_tells_the_driver_to_stop(app):
    info = dtc.explain("P0300")
    assert info.severity == "critical"
    assert info.drive_advice.startswith("No. Stop")


def test_the_dashboard_card_for_a_misfire_says_stop(client, customer):
    car = make_vehicle(customer)
    telemetry.ingest_readings(car, [{"odometer_km": 100, "codes": [{"code": "P0300"}]}])
    db.session.commit()
    body = client.get("/automotive/").get_data(as_text=True)
    assert "Engine misfires on several cylinders" in body
    assert "No. Stop when it is safe and call for assistance." in body
    assert "Yes, but gently" not in body


def test_the_urgent_sms_for_a_misfire_says_stop(app):
    user = make_user()
    user.phone = "+34600000000"
    car = make_vehicle(user)
    telemetry.ingest_readings(car, [{"odometer_km": 100, "codes": [{"code": "P0300"}]}])
    jobs.critical_codes(clock.now())
    db.session.commit()
    message = db.session.execute(
        select(Message).where(Message.topic == "automotive.trouble_code")
    ).scalar_one()
    channels = db.session.execute(
        select(Delivery.channel).where(Delivery.message_id == message.id)
    ).scalars()
    assert "sms" in set(channels)
    text = render_sms(message)
    assert "No. Stop" in text and "gently" not in text
