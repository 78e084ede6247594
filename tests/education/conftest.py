"""Education fixtures: a small course built in code, with a professor and an enrolled student."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from dcx.education import services
from dcx.education.models import (
    EducationChapter,
    EducationChapterSection,
    EducationCourse,
    EducationCourseTopic,
    EducationExercise,
    EducationModule,
    EducationModuleTest,
    EducationOfficeHourSlot,
    EducationQuestion,
)
from dcx.extensions import db
from dcx.platform import clock
from tests.conftest import make_user


def build_course(professor, code: str = "TST100", rule: str = "highest", time_limit=None):
    """Two modules; module 1 has a chapter (sections on topics a and b) and a 4-question test."""
    course = EducationCourse(
        code=code, title=f"Course {code}", professor_id=professor.id, scoring_rule=rule
    )
    db.session.add(course)
    db.session.flush()
    db.session.add_all(
        [
            EducationCourseTopic(course_id=course.id, key="alpha", name="Alpha topic"),
            EducationCourseTopic(course_id=course.id, key="beta", name="Beta topic"),
            EducationExercise(
                course_id=course.id, topic="beta", title="Beta drill", prompt="Do beta."
            ),
            EducationExercise(
                course_id=course.id, topic="alpha", title="Alpha drill", prompt="Do alpha."
            ),
        ]
    )
    m1 = EducationModule(course_id=course.id, position=1, title="First module")
    m2 = EducationModule(course_id=course.id, position=2, title="Second module")
    db.session.add_all([m1, m2])
    db.session.flush()
    ch = EducationChapter(module_id=m1.id, position=1, title="Alpha and beta")
    ch2 = EducationChapter(module_id=m2.id, position=1, title="Later chapter")
    db.session.add_all([ch, ch2])
    db.session.flush()
    db.session.add_all(
        [
            EducationChapterSection(
                chapter_id=ch.id, position=1, heading="About alpha", topic="alpha", body="A.\n\nB."
            ),
            EducationChapterSection(
                chapter_id=ch.id,
                position=2,
                heading="About beta",
                topic="beta",
                body="Beta text.",
                figure={"caption": "Beta bars", "bars": [["x", 2], ["y", 4]]},
            ),
            EducationChapterSection(
                chapter_id=ch2.id, position=1, heading="Later", topic="alpha", body="L."
            ),
        ]
    )
    t1 = EducationModuleTest(
        module_id=m1.id,
        title="Test one",
        attempts_allowed=3,
        pass_mark_percent=60,
        time_limit_minutes=time_limit,
    )
    t2 = EducationModuleTest(
        module_id=m2.id, title="Test two", attempts_allowed=2, pass_mark_percent=50
    )
    db.session.add_all([t1, t2])
    db.session.flush()
    questions = [
        EducationQuestion(
            test_id=t1.id,
            position=1,
            kind="single",
            prompt="Alpha single?",
            choices=["no", "yes"],
            correct=[1],
            topics=["alpha"],
            explanation="Because yes.",
        ),
        EducationQuestion(
            test_id=t1.id,
            position=2,
            kind="multiple",
            prompt="Alpha multiple?",
            choices=["a", "b", "c"],
            correct=[0, 2],
            topics=["alpha"],
        ),
        EducationQuestion(
            test_id=t1.id,
            position=3,
            kind="numeric",
            prompt="Beta number?",
            correct=[2.5],
            tolerance=0.1,
            points=2,
            topics=["beta"],
        ),
        EducationQuestion(
            test_id=t1.id,
            position=4,
            kind="single",
            prompt="Both topics?",
            choices=["x", "y"],
            correct=[0],
            topics=["alpha", "beta"],
        ),
        EducationQuestion(
            test_id=t2.id,
            position=1,
            kind="single",
            prompt="Second test?",
            choices=["x", "y"],
            correct=[1],
            topics=["alpha"],
        ),
    ]
    db.session.add_all(questions)
    db.session.commit()
    return SimpleNamespace(
        course=course, m1=m1, m2=m2, chapter=ch, chapter2=ch2, t1=t1, t2=t2, q=questions
    )


def right_answers(t) -> dict:
    """Every question of ``t.t1`` answered right."""
    q = t.q
    return {q[0].id: [1], q[1].id: [0, 2], q[2].id: [2.5], q[3].id: [0]}


def miss_beta(t) -> dict:
    """Alpha-only questions right, every beta question wrong (q3 and q4)."""
    q = t.q
    return {q[0].id: [1], q[1].id: [0, 2], q[2].id: [9], q[3].id: [1]}


@pytest.fixture
def world(app):
    """A professor, a course, an enrolled student, another student and a future slot."""
    professor = make_user("prof@example.com", "Prof Plum", role="staff", department="education")
    student = make_user("student@example.com", "Stu Dent")
    other = make_user("other@example.com", "Otto Other")
    t = build_course(professor)
    services.enroll(student.id, t.course)
    services.enroll(other.id, t.course)
    slot = EducationOfficeHourSlot(
        professor_id=professor.id,
        course_id=t.course.id,
        starts_at=clock.now().replace(microsecond=0) + timedelta(days=2),
        minutes=30,
        place="Room 1",
        video_link="https://meet.example.edu/plum",
        capacity=1,
        closes_hours_before=12,
    )
    db.session.add(slot)
    db.session.commit()
    t.professor, t.student, t.other, t.slot = professor, student, other, slot
    return t
