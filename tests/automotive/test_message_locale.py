"""Automotive's reminders and recall notices arrive in each owner's language."""

from __future__ import annotations

from datetime import timedelta

from dcx.automotive import jobs, recalls
from dcx.extensions import db
from dcx.platform import clock
from tests.automotive.conftest import VIN_GOLF, VIN_RAV4, daily_readings, make_vehicle
from tests.conftest import make_user, message_for, speaking


def _owner(email: str, locale: str):
    return speaking(make_user(email), locale)


_message = message_for


def test_service_reminder_speaks_spanish_to_a_spanish_owner_and_english_to_another(app):
    spanish = _owner("es@example.com", "es")
    english = _owner("en@example.com", "")
    last = clock.today() - timedelta(days=300)
    rav4 = make_vehicle(
        spanish,
        vin=VIN_RAV4,
        make="Toyota",
        model="RAV4",
        year=2022,
        last_service_on=last,
        last_service_km=0,
    )
    golf = make_vehicle(english, vin=VIN_GOLF, last_service_on=last, last_service_km=0)
    daily_readings(rav4, 20, start_km=1000, daily_km=10)
    daily_readings(golf, 20, start_km=1000, daily_km=10)
    clock.advance(timedelta(days=30))
    db.session.commit()
    assert jobs.service_reminders(clock.now()) == 2
    db.session.commit()

    es = _message("automotive.service_reminder", spanish.id)
    assert es.title.startswith("Revisión (vence pronto):")
    assert es.body.startswith("Próxima revisión el ") and "lo que llegue antes" in es.body
    en = _message("automotive.service_reminder", english.id)
    assert en.title.startswith("Service due soon:")
    assert en.body.startswith("Next service due on ")
    # links and keys stay as they were
    assert es.link == f"/automotive/vehicles/{rav4.id}/book?reason=service"
    assert es.key.startswith(f"automotive.service:{rav4.id}:")


def test_a_recall_published_by_staff_reaches_a_romanian_owner_in_romanian(app):
    romanian = _owner("ro@example.com", "ro")
    make_vehicle(romanian, vin=VIN_RAV4, make="Toyota", model="RAV4", year=2022)
    english = _owner("en@example.com", "")
    make_vehicle(english, vin=VIN_GOLF, make="Toyota", model="RAV4", year=2021)
    recalls.publish_recall(
        campaign_number="R-1",
        make="Toyota",
        model="RAV4",
        year_from=2021,
        year_to=2023,
        component="Belt",
        summary="s",
        consequence="c",
        remedy="r",
    )
    db.session.commit()
    ro = _message("automotive.recall", romanian.id)
    assert ro.title == "Rechemarea R-1 afectează mașina ta Toyota RAV4"
    assert _message("automotive.recall", english.id).title == "Recall R-1 affects your Toyota RAV4"
