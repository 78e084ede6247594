"""The education showcase seeds once: twice changes nothing, and Maria has one weak topic."""

from sqlalchemy import func, select

from dcx import filters
from dcx.education import services, teaching
from dcx.education.models import (
    EducationAnswer,
    EducationAttempt,
    EducationBooking,
    EducationChapterSection,
    EducationChatMessage,
    EducationCourse,
    EducationEnrollment,
    EducationModule,
    EducationOfficeHourSlot,
    EducationQuestion,
)
from dcx.extensions import db
from dcx.platform.accounts.services import find_user
from dcx.platform.showcase.loader import seed_showcase
from dcx.platform.timeline.models import Event
from dcx.verticals import registry

MODELS = (
    EducationCourse,
    EducationModule,
    EducationQuestion,
    EducationChapterSection,
    EducationEnrollment,
    EducationAttempt,
    EducationAnswer,
    EducationOfficeHourSlot,
    EducationBooking,
    EducationChatMessage,
)


def counts():
    return {
        m.__name__: db.session.execute(select(func.count()).select_from(m)).scalar_one()
        for m in MODELS
    }


def test_seeding_twice_changes_nothing(app):
    seed_showcase(registry())
    db.session.commit()
    first = counts()
    seed_showcase(registry())
    db.session.commit()
    assert counts() == first
    assert first["EducationCourse"] == 2 and first["EducationModule"] == 6


def test_the_showcase_has_real_courses_and_maria_one_weak_topic(app):
    seed_showcase(registry())
    db.session.commit()
    for course in db.session.execute(select(EducationCourse)).scalars():
        assert len(course.modules) == 3
        for module in course.modules:
            assert module.chapters and all(ch.sections for ch in module.chapters)
            assert 8 <= len(module.test.questions) <= 12
            assert all(q.topics for q in module.test.questions)
    maria = find_user("maria@dcx.example")
    stat = db.session.execute(
        select(EducationCourse).where(EducationCourse.code == "STAT101")
    ).scalar_one()
    weak = services.suggestions(maria.id, stat)
    assert [s.name for s in weak] == ["Variance and spread"]
    assert weak[0].sections and weak[0].missed
    assert services.module_unlocked(maria.id, stat.modules[1])
    professor = find_user("professor@dcx.example")
    assert len(teaching.professor_slots(professor)) == 3
    rows, _ = teaching.class_overview(stat)
    assert any(r.stuck_reasons for r in rows)  # Alex failed twice and went quiet


def test_scale_gives_each_synthetic_student_a_coherent_course_history(app):
    from dcx.platform.accounts.models import User
    from dcx.platform.showcase.loader import scale_showcase

    seed_showcase(registry(), "default", only=("education",))
    db.session.commit()
    only = [v for v in registry() if v.key == "education"]
    scale_showcase(only, "default", 12, batch=5)
    students = list(
        db.session.execute(select(User).where(User.email.like("%@scale.dcx.example"))).scalars()
    )
    assert len(students) == 12
    tested = 0
    for student in students:
        courses = services.student_courses(student.id)
        assert courses, student.email  # every synthetic student is enrolled somewhere
        timeline = {}  # what submit_attempt would have recorded: key -> (kind, subject, when)
        for course in courses:
            unlocked = services.unlocked_module_ids(student.id, course)
            untested = {m.id for m in course.modules if m.test is None}
            at_first = services.unlocked_module_ids(student.id, course, untested)
            for module in course.modules:
                if module.id in unlocked - at_first:
                    timeline[f"education.unlocked:{module.id}"] = (
                        "module_unlocked",
                        f"{course.code}: {module.title} unlocked",
                    )
            for module in course.modules:
                attempts = services.submitted_attempts(student.id, module.test)
                # Tests are only taken on unlocked modules, within the attempts allowed,
                # and every attempt answers every question, graded by the real rules.
                assert not attempts or module.id in unlocked
                assert len(attempts) <= module.test.attempts_allowed
                for attempt in attempts:
                    tested += 1
                    assert len(attempt.answers) == len(module.test.questions)
                    assert attempt.points == sum(a.points for a in attempt.answers)
                    assert attempt.submitted_at > attempt.started_at
                    timeline[f"education.attempt:{attempt.id}"] = (
                        "test_submitted",
                        f"{module.test.title}: {filters.percent(attempt.percent, 1)}",
                    )
        events = db.session.execute(select(Event).where(Event.user_id == student.id)).scalars()
        assert {e.key: (e.kind, e.subject) for e in events} == timeline
    assert tested >= 12  # most students have taken at least one test
    events = db.session.execute(select(func.count(Event.id))).scalar()
    assert events > tested  # the tests, and the modules they unlocked
    scale_showcase(only, "default", 12, batch=5)
    assert db.session.execute(select(func.count(Event.id))).scalar() == events
    # Somebody struggled somewhere: the class views have weak topics to show.
    assert any(
        services.suggestions(s.id, c) for s in students for c in services.student_courses(s.id)
    )


def test_marias_mastery_page_opens_the_course_where_she_missed_questions(app):
    from tests.conftest import AuthActions

    seed_showcase(registry(), "default", only=("education",))
    db.session.commit()
    client = app.test_client()
    AuthActions(client).login("maria@dcx.example", "showcase-maria-2026")
    page = client.get("/education/mastery", follow_redirects=True).get_data(as_text=True)
    assert "STAT101" in page
    assert 'data-suggestion="spread"' in page and "Questions missed" in page
    assert "No weak topics" not in page
