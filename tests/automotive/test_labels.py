"""Stored recall steps and chart dates reach a Spanish visitor in Spanish, never raw.

The app's real Spanish texts arrive later, so these tests install a catalogue of their own
that translates each label's message id to ``[es] <msgid>``: seeing that on a page proves the
page asked gettext, in the visitor's locale, for the label of the stored key. Day and month
names come from the locale data (CLDR), which needs no catalogue.
"""

from __future__ import annotations

import pytest
from babel.dates import format_date, format_datetime
from flask_babel import LazyString, get_locale
from sqlalchemy import select

from dcx.automotive import appointments, fleet_status, labels, recalls, rules
from dcx.automotive.models import COVERAGE_STATUSES, AutomotiveRecallCoverage
from dcx.extensions import db
from dcx.platform import clock
from tests.automotive.conftest import daily_readings, make_vehicle
from tests.conftest import marked, marked_catalogue

spanish = marked  # what the test catalogue makes of a message id


@pytest.fixture
def app_config(tmp_path):
    """Translations from a Spanish catalogue holding only the labels."""
    return marked_catalogue(tmp_path, {str(t) for t in labels.COVERAGE_LABELS.values()})


@pytest.fixture(autouse=True)
def _fresh_catalogues(fresh_catalogues):
    """Each test starts and ends with Flask-Babel\'s shared catalogue cache empty."""


@pytest.fixture
def covered_car(app, customer):
    """The signed-in customer, in Spanish, whose car three recalls cover, one at each step."""
    customer.locale = "es"
    car = make_vehicle(customer)
    for number, status in zip(("R-1", "R-2", "R-3"), COVERAGE_STATUSES, strict=True):
        recalls.publish_recall(
            campaign_number=number,
            make=car.make,
            model=car.model,
            year_from=car.year,
            year_to=car.year,
            component="Brake hose",
            summary="s",
            consequence="c",
            remedy="r",
        )
        db.session.flush()
        coverage = (
            db.session.execute(
                select(AutomotiveRecallCoverage)
                .where(AutomotiveRecallCoverage.vehicle_id == car.id)
                .order_by(AutomotiveRecallCoverage.id.desc())
            )
            .scalars()
            .first()
        )
        coverage.status = status
    db.session.commit()
    return car


def test_every_coverage_step_has_a_label():
    assert set(labels.COVERAGE_LABELS) == set(COVERAGE_STATUSES)
    assert all(isinstance(text, LazyString) for text in labels.COVERAGE_LABELS.values())


def test_label_falls_back_to_what_is_stored(app):
    with app.test_request_context():
        assert labels.label("coverage", "notified") == "Open"
        assert labels.label("coverage", "cancelled") == "cancelled"
        assert labels.label("fuel", "notified") == "notified"
        assert labels.label("coverage", "") == ""
        assert labels.label("coverage", None) == ""


def test_recalls_page_shows_each_step_in_spanish(client, covered_car):
    body = client.get("/automotive/recalls").get_data(as_text=True)
    for status in COVERAGE_STATUSES:
        assert spanish(labels.COVERAGE_LABELS[status]) in body


def test_staff_view_shows_recall_steps_in_spanish(app, staff_client, covered_car):
    advisor, user = staff_client("automotive")
    user.locale = "es"
    db.session.commit()
    body = advisor.get("/automotive/staff").get_data(as_text=True)
    # The advisor sees the recalls still to be dealt with: notified and booked.
    assert f'data-coverage="notified">R-1: {spanish("Open")}</span>' in body
    assert f'data-coverage="booked">R-2: {spanish("Repair booked")}</span>' in body
    assert "R-1: notified" not in body


def test_labels_are_looked_up_when_the_page_renders(client, covered_car, monkeypatch):
    monkeypatch.setitem(
        labels.COVERAGE_LABELS, "remedied", LazyString(lambda: f"sentinel-{get_locale()}")
    )
    assert "sentinel-es" in client.get("/automotive/recalls").get_data(as_text=True)


def test_history_charts_name_days_in_the_visitors_language(client, covered_car):
    daily_readings(covered_car, 20)
    body = client.get(f"/automotive/vehicles/{covered_car.id}").get_data(as_text=True)
    history = fleet_status.reading_history(covered_car.id)
    for reading in (history[0], history[-1]):
        assert format_date(reading.recorded_at, "d MMM", locale="es") in body
        assert reading.recorded_at.strftime("%d %b") not in body


def test_booking_slots_name_days_in_the_visitors_language(client, covered_car):
    body = client.get(f"/automotive/vehicles/{covered_car.id}/book").get_data(as_text=True)
    slot = appointments.available_slots(rules.DEALERS[0], clock.today())[0]
    spoken = format_datetime(slot, "EEE d MMM y, HH:mm", tzinfo=slot.tzinfo, locale="es")
    assert f'value="{slot.isoformat()}">{spoken} UTC</option>' in body
    assert slot.strftime("%a %d %b %Y") not in body
