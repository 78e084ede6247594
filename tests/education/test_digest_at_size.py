"""The weekly digest is set-based: the same statements for three students as for thirty, and
each student's lines carry the figures of their own pages."""

from __future__ import annotations

from sqlalchemy import select

from dcx.education import jobs, module_tests, services
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.models import Message
from tests.conftest import make_user
from tests.education.conftest import miss_beta
from tests.page_cost import page_cost


def _students(world, n: int, start: int) -> list:
    """``n`` more students enrolled in the course, half of them with a test that missed beta."""
    people = []
    for i in range(start, start + n):
        student = make_user(f"s{i}@example.com", f"Student {i}")
        services.enroll(student.id, world.course)
        services.mark_chapter_read(student.id, world.chapter)
        if i % 2:
            module_tests.submit_attempt(
                module_tests.start_attempt(student.id, world.t1), miss_beta(world)
            )
        people.append(student)
    db.session.commit()
    return people


def test_the_digest_runs_the_same_statements_for_more_students(world):
    _students(world, 3, 0)
    with page_cost(db.engine) as few:
        assert jobs.weekly_digest(clock.now()) == 5
    db.session.execute(Message.__table__.delete())
    db.session.commit()
    _students(world, 27, 3)
    with page_cost(db.engine) as many:
        assert jobs.weekly_digest(clock.now()) == 32
    assert many.statements == few.statements, (few.sql, many.sql)


def test_each_digest_line_is_the_students_own_progress_and_weak_topics(world):
    people = _students(world, 4, 0)
    jobs.weekly_digest(clock.now())
    for n, student in enumerate(people):
        body = db.session.execute(
            select(Message.body).where(
                Message.user_id == student.id, Message.topic == "education.digest"
            )
        ).scalar_one()
        progress = services.course_progress(student.id, world.course)
        weak = [s.name for s in services.suggestions(student.id, world.course)]
        assert body.startswith(f"{world.course.code}: {progress.percent}% done")
        assert (", ".join(weak) in body) if weak else ("worth reviewing" not in body)
        assert bool(weak) == (n % 2 == 1)
