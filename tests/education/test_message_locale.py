"""Education's reminders, nudges, digests and replies arrive in each recipient's language."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dcx.education import chat, jobs, meetings, module_tests, services
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.models import Message
from tests.conftest import speaking
from tests.education.conftest import miss_beta

_speaks = speaking


def _messages(topic: str, user_id: int) -> list[Message]:
    return list(
        db.session.execute(
            select(Message)
            .where(Message.topic == topic, Message.user_id == user_id)
            .order_by(Message.id)
        ).scalars()
    )


def test_weekly_digest_is_spanish_for_a_spanish_student_and_english_for_another(world):
    _speaks(world.student, "es")
    services.mark_chapter_read(world.student.id, world.chapter)
    module_tests.submit_attempt(
        module_tests.start_attempt(world.student.id, world.t1), miss_beta(world)
    )
    db.session.commit()
    assert jobs.weekly_digest(clock.now()) == 2

    (es,) = _messages("education.digest", world.student.id)
    assert es.title == "Tu semana en clase: 1 capítulo leído, 1 examen hecho"
    assert "TST100:" in es.body and "completado" in es.body and "conviene repasar" in es.body
    (en,) = _messages("education.digest", world.other.id)
    assert en.title == "Your week in class: 0 chapters read, 0 tests taken"
    assert en.body == "TST100: 0% done"


def test_meeting_reminder_speaks_to_student_and_professor_each_in_their_language(world):
    _speaks(world.student, "ro")
    _speaks(world.professor, "es")
    meetings.book_slot(world.student.id, world.slot, "Beta topic")
    db.session.commit()
    clock.advance(timedelta(days=1))
    assert jobs.meeting_reminders(clock.now()) == 2

    (student,) = _messages("education.reminder", world.student.id)
    assert student.title.startswith("Consultații cu Prof Plum: ")
    assert student.body == ("Unde: Room 1 · https://meet.example.edu/plum. Subiect: Beta topic")
    (professor,) = _messages("education.reminder", world.professor.id)
    assert professor.title.startswith("Tutoría: ") and professor.title.endswith(" UTC")
    assert professor.body == "Reservada por: Stu Dent"
    # the booking itself, made by the student, told the professor in Spanish
    (booking,) = _messages("education.booking", world.professor.id)
    assert booking.title == "Stu Dent ha reservado tu tutoría"
    assert booking.body.endswith(" UTC, sobre Beta topic")


def test_inactivity_nudge_is_romanian_for_a_romanian_student(world):
    _speaks(world.student, "ro")
    clock.advance(timedelta(days=8))
    db.session.commit()
    assert jobs.inactivity_nudges(clock.now()) == 2
    (ro,) = _messages("education.nudge", world.student.id)
    assert ro.title == "TST100: continuă de unde ai rămas"
    assert ro.body == "Următorul pas sugerat: Citește „Alpha and beta”."
    (en,) = _messages("education.nudge", world.other.id)
    assert en.title == "TST100: pick up where you left off"


def test_a_professors_reply_reaches_the_student_in_the_students_language(world):
    _speaks(world.student, "es")
    conversation = chat.open_conversation(world.student.id, world.professor.id, world.course.id)
    chat.send_message(conversation, world.professor.id, "See you on Monday.")
    db.session.commit()
    (reply,) = _messages("education.reply", world.student.id)
    assert reply.title == "Prof Plum te ha respondido"
    assert reply.body == "See you on Monday."
