"""Education jobs: each message once, whatever the number of runs."""

from datetime import timedelta

from sqlalchemy import select

from dcx.education import jobs, meetings, module_tests, services
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.jobs.runner import run_due_jobs
from dcx.platform.notify.models import Message
from tests.education.conftest import miss_beta


def messages(topic, user_id=None):
    stmt = select(Message).where(Message.topic == topic)
    if user_id is not None:
        stmt = stmt.where(Message.user_id == user_id)
    return db.session.execute(stmt.order_by(Message.id)).scalars().all()


def test_meeting_reminder_the_day_before_once_for_student_and_professor(world):
    meetings.book_slot(world.student.id, world.slot, "Beta topic")
    db.session.commit()
    # the slot is two days ahead: too early
    assert jobs.meeting_reminders(clock.now()) == 0
    clock.advance(timedelta(days=1))
    assert jobs.meeting_reminders(clock.now()) == 2
    assert jobs.meeting_reminders(clock.now()) == 0
    (student,) = messages("education.reminder", world.student.id)
    assert "Prof Plum" in student.title and "Beta topic" in student.body
    (professor,) = messages("education.reminder", world.professor.id)
    assert "Stu Dent" in professor.body


def test_a_cancelled_booking_gets_no_reminder(world):
    booking = meetings.book_slot(world.student.id, world.slot)
    meetings.cancel_booking(booking)
    clock.advance(timedelta(days=1))
    assert jobs.meeting_reminders(clock.now()) == 0


def test_inactive_students_are_nudged_once_with_a_next_step(world):
    assert jobs.inactivity_nudges(clock.now()) == 0
    clock.advance(timedelta(days=8))
    db.session.commit()
    assert jobs.inactivity_nudges(clock.now()) == 2  # both enrolled students
    assert jobs.inactivity_nudges(clock.now()) == 0
    nudge = messages("education.nudge", world.student.id)[0]
    assert (
        "Alpha and beta" in nudge.body and nudge.link == f"/education/chapters/{world.chapter.id}"
    )
    # active again, then quiet for another week: a new nudge
    services.mark_chapter_read(world.student.id, world.chapter)
    clock.advance(timedelta(days=8))
    assert jobs.inactivity_nudges(clock.now()) == 1  # the other student: same quiet spell
    assert "Test one" in messages("education.nudge", world.student.id)[-1].body


def test_weekly_digest_once_per_week(world):
    services.mark_chapter_read(world.student.id, world.chapter)
    module_tests.submit_attempt(
        module_tests.start_attempt(world.student.id, world.t1), miss_beta(world)
    )
    db.session.commit()
    assert jobs.weekly_digest(clock.now()) == 2
    assert jobs.weekly_digest(clock.now()) == 0
    digest = messages("education.digest", world.student.id)[0]
    assert "1 chapter read, 1 test taken" in digest.title
    assert "TST100" in digest.body and "Beta topic" in digest.body
    clock.advance(timedelta(days=7))
    assert jobs.weekly_digest(clock.now()) == 2


def test_the_platform_runner_runs_the_education_jobs_once(world):
    meetings.book_slot(world.student.id, world.slot)
    db.session.commit()
    clock.advance(timedelta(days=10))
    db.session.commit()
    run_due_jobs()
    db.session.commit()
    first = len(messages("education.nudge")) + len(messages("education.digest"))
    assert first >= 2
    run_due_jobs()
    assert len(messages("education.nudge")) + len(messages("education.digest")) == first
