"""Health's reminders and alerts arrive in each recipient's language."""

from __future__ import annotations

from datetime import timedelta

from dcx.extensions import db
from dcx.health import jobs, medication, vitals
from dcx.platform import clock
from dcx.platform.notify.services import in_locale
from tests.conftest import make_user, message_for, speaking

_speaks = speaking


_message = message_for


def _prescribe(patient, clinician, at):
    medication.prescribe(
        patient.id,
        clinician.id,
        "Lisinopril",
        "10 mg",
        at.strftime("%H:%M"),
        start_on=clock.today() - timedelta(days=1),
    )


def test_dose_reminder_is_spanish_for_a_spanish_patient_and_english_for_another(
    app, patient, clinician
):
    spanish = _speaks(patient, "es")
    english = make_user("other@example.com", "Otto Other")
    at = (clock.now() + timedelta(minutes=30)).replace(second=0, microsecond=0)
    _prescribe(spanish, clinician, at)
    _prescribe(english, clinician, at)
    db.session.commit()
    clock.advance(timedelta(minutes=40))
    db.session.commit()
    assert jobs.dose_reminders(clock.now()) == 2
    db.session.commit()

    es = _message("health.dose_reminder", spanish.id)
    assert es.title == "Hora de tomar Lisinopril"
    assert es.body == f"10 mg, a las {at:%H:%M}."
    en = _message("health.dose_reminder", english.id)
    assert en.title == "Time for Lisinopril"
    assert en.body == f"10 mg, due at {at:%H:%M}."


def test_weekly_summary_is_romanian_for_a_romanian_patient(app, patient, clinician):
    romanian = _speaks(patient, "ro")
    english = make_user("other@example.com", "Otto Other")
    for user in (romanian, english):
        vitals.log_observation(user.id, "bp", 135, 85)
    db.session.commit()
    jobs.weekly_summary(clock.now() + timedelta(minutes=1))
    db.session.commit()
    ro = _message("health.weekly_summary", romanian.id)
    assert ro.title == "Săptămâna ta de sănătate" and "1 măsurătoare," in ro.body
    assert _message("health.weekly_summary", english.id).title == "Your health week"


def test_a_patients_crisis_reading_alerts_the_clinician_in_the_clinicians_language(
    app, patient, clinician
):
    """The patient's action, in the patient's Spanish, reaches a Romanian clinician in Romanian."""
    _speaks(patient, "es")
    _speaks(clinician, "ro")
    with in_locale("es"):  # as if the patient's own request were in Spanish
        vitals.log_observation(patient.id, "bp", 190, 115)
    db.session.commit()
    alert = _message("health.crisis_alert", clinician.id)
    assert alert.title == "Tensiune arterială de criză: Pat Patient"
    assert alert.body.startswith("190/115 mmHg la ") and "contactezi pacientul" in alert.body


def test_dose_reminders_read_every_patients_language_in_one_query(app, clinician, query_counter):
    def run(n: int) -> int:
        at = (clock.now() + timedelta(minutes=30)).replace(second=0, microsecond=0)
        for i in range(n):
            user = _speaks(make_user(f"p{n}-{i}@example.com"), ("es", "ro", "")[i % 3])
            _prescribe(user, clinician, at)
        db.session.commit()
        with query_counter() as q:
            jobs.dose_reminders(clock.now() + timedelta(minutes=40))
        db.session.rollback()
        return q()

    assert run(1) == run(6)
