"""Health jobs: each message once, whatever runs twice."""

from datetime import timedelta

from dcx.extensions import db
from dcx.health import care_team, food_and_exercise, jobs, medication, vitals
from dcx.platform import clock
from dcx.platform.jobs.runner import run_due_jobs
from dcx.platform.notify.models import Message


def _messages(user_id, topic):
    return db.session.query(Message).filter_by(user_id=user_id, topic=topic).all()


def _med_due_soon(patient, clinician, minutes_ahead=30):
    at = (clock.now() + timedelta(minutes=minutes_ahead)).replace(second=0, microsecond=0)
    med = medication.prescribe(
        patient.id,
        clinician.id,
        "Lisinopril",
        "10 mg",
        at.strftime("%H:%M"),
        start_on=clock.today() - timedelta(days=1),
    )
    db.session.commit()
    return med, at


def test_dose_reminder_is_sent_once_at_dose_time(app, patient, clinician):
    med, at = _med_due_soon(patient, clinician)
    jobs.dose_reminders(clock.now())
    assert _messages(patient.id, "health.dose_reminder") == []
    clock.advance(timedelta(minutes=40))
    db.session.commit()
    jobs.dose_reminders(clock.now())
    jobs.dose_reminders(clock.now())
    db.session.commit()
    sent = _messages(patient.id, "health.dose_reminder")
    assert len(sent) == 1 and "Lisinopril" in sent[0].title
    assert sent[0].key == f"health.dose:{med.id}:{at:%Y%m%dT%H%M}"


def test_no_reminder_for_a_dose_already_taken(app, patient, clinician):
    med, at = _med_due_soon(patient, clinician, minutes_ahead=5)
    medication.record_dose(patient.id, med.id, at, taken=True)
    clock.advance(timedelta(minutes=10))
    db.session.commit()
    jobs.dose_reminders(clock.now())
    assert _messages(patient.id, "health.dose_reminder") == []


def test_runner_sends_the_reminder_exactly_once(app, patient, clinician):
    _med_due_soon(patient, clinician, minutes_ahead=20)
    clock.advance(timedelta(minutes=35))
    db.session.commit()
    run_due_jobs()
    run_due_jobs()
    clock.advance(timedelta(minutes=15))
    db.session.commit()
    run_due_jobs()
    assert len(_messages(patient.id, "health.dose_reminder")) == 1


def test_missed_dose_follow_up_once(app, patient, clinician):
    med, at = _med_due_soon(patient, clinician, minutes_ahead=5)
    clock.advance(timedelta(hours=4))
    db.session.commit()
    jobs.missed_dose_follow_up(clock.now())
    jobs.missed_dose_follow_up(clock.now())
    sent = _messages(patient.id, "health.missed_dose")
    assert len(sent) >= 1
    assert len({m.key for m in sent}) == len(sent)
    assert any(m.key == f"health.missed:{med.id}:{at:%Y%m%dT%H%M}" for m in sent)


def test_crisis_catch_up_alerts_clinicians_not_yet_alerted(app, patient, clinician, users):
    obs = vitals.log_observation(patient.id, "bp", 195, 125)
    second = users("doc2@example.com", "Dr. Two", role="staff", department="health")
    care_team.add_to_care_team(patient.id, second.id)  # joined after the reading
    db.session.commit()
    jobs.crisis_alerts(clock.now())
    jobs.crisis_alerts(clock.now())
    assert len(_messages(clinician.id, "health.crisis_alert")) == 1
    late = _messages(second.id, "health.crisis_alert")
    assert len(late) == 1 and late[0].key == f"health.crisis:{obs.id}"
    assert _messages(patient.id, "health.crisis_alert") == []


def test_weekly_summary_once_per_week(app, patient):
    vitals.log_observation(patient.id, "bp", 140, 90)
    vitals.log_observation(patient.id, "bp", 130, 80)
    food_and_exercise.log_exercise(patient.id, clock.today(), "Swim", 30, "vigorous")
    db.session.commit()
    now = clock.now()
    jobs.weekly_summary(now)
    jobs.weekly_summary(now)
    sent = _messages(patient.id, "health.weekly_summary")
    assert len(sent) == 1
    assert "average BP 135/85" in sent[0].body and "60 active minutes" in sent[0].body


def test_job_ids_are_declared(app):
    ids = {j.id for j in app.extensions["dcx_verticals"].get("health").jobs}
    assert ids == {
        "health.dose_reminders",
        "health.missed_doses",
        "health.crisis_alerts",
        "health.weekly_summary",
    }
