"""Daily automotive jobs: each message goes out once, however often the job runs."""

from datetime import timedelta

from sqlalchemy import select

from dcx.automotive import jobs, recalls, telemetry
from dcx.automotive import obligations as owed
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.jobs.runner import run_due_jobs
from dcx.platform.notify.models import Message
from tests.automotive.conftest import VIN_RAV4, daily_readings, make_loan, make_vehicle
from tests.conftest import make_user


def _messages(topic):
    return db.session.execute(select(Message).where(Message.topic == topic)).scalars().all()


def test_service_reminder_arrives_once_when_it_becomes_due(app):
    user = make_user()
    car = make_vehicle(user, last_service_on=clock.today() - timedelta(days=300), last_service_km=0)
    daily_readings(car, 20, start_km=1000, daily_km=10)
    assert jobs.service_reminders(clock.now()) == 0  # 65 days left: not urgent
    db.session.commit()
    clock.advance(timedelta(days=30))
    db.session.commit()
    jobs.service_reminders(clock.now())
    jobs.service_reminders(clock.now())
    db.session.commit()
    sent = _messages("automotive.service_reminder")
    assert len(sent) == 1 and sent[0].user_id == user.id
    assert "due soon" in sent[0].title and f"/automotive/vehicles/{car.id}/book" in sent[0].link
    # when it becomes overdue, one more (different urgency), still once
    clock.advance(timedelta(days=40))
    db.session.commit()
    jobs.service_reminders(clock.now())
    jobs.service_reminders(clock.now())
    assert [m.title.split(":")[0] for m in _messages("automotive.service_reminder")] == [
        "Service due soon",
        "Service overdue",
    ]


def test_critical_codes_notify_once_and_minor_ones_do_not(app):
    user = make_user()
    car = make_vehicle(user)
    telemetry.ingest_readings(
        car,
        [
            {
                "odometer_km": 1,
                "codes": [
                    {"code": "U0100"},
                    {"code": "P0455"},
                    {"code": "P0300", "status": "pending"},
                ],
            }
        ],
    )
    jobs.critical_codes(clock.now())
    jobs.critical_codes(clock.now())
    assert [m.title.split(" ")[0] for m in _messages("automotive.trouble_code")] == ["U0100"]


def test_recall_matches_cover_cars_added_after_the_recall(app):
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
    user = make_user()
    make_vehicle(user, vin=VIN_RAV4, make="Toyota", model="RAV4", year=2022)
    assert jobs.recall_matches(clock.now()) == 1
    assert jobs.recall_matches(clock.now()) == 0
    assert len(_messages("automotive.recall")) == 1


def test_instalments_are_issued_and_reminded_three_days_ahead_once(app):
    user = make_user()
    car = make_vehicle(user)
    make_loan(user, car, first_due_on=clock.today() + timedelta(days=2))
    jobs.bills_due(clock.now())
    jobs.bills_due(clock.now())
    sent = _messages("automotive.bill_due")
    assert len(sent) == 1 and "instalment 1 of 48" in sent[0].title
    assert owed.obligations(user.id, clock.today(), clock.today() + timedelta(days=5))


def test_the_platform_runner_runs_every_automotive_job_once(app):
    user = make_user()
    car = make_vehicle(user, last_service_on=clock.today() - timedelta(days=330))
    daily_readings(car, 10)
    clock.advance(timedelta(days=2))
    db.session.commit()
    runs = [r for r in run_due_jobs() if r.job_id.startswith("automotive.")]
    assert {r.job_id for r in runs} == {
        "automotive.service_reminders",
        "automotive.critical_codes",
        "automotive.recall_matches",
        "automotive.bills_due",
    }
    assert all(r.status == "succeeded" for r in runs), [r.error for r in runs]
    assert not [r for r in run_due_jobs() if r.job_id.startswith("automotive.")]
    assert len(_messages("automotive.service_reminder")) == 1
