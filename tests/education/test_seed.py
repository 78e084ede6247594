"""The education showcase seeds once: twice changes nothing, and Maria has one weak topic."""

from sqlalchemy import func, select

from dcx.education import services
from dcx.education.models import (
    Answer,
    Attempt,
    Booking,
    ChapterSection,
    ChatMessage,
    Course,
    Enrollment,
    Module,
    OfficeHourSlot,
    Question,
)
from dcx.extensions import db
from dcx.platform.accounts.services import find_user
from dcx.platform.showcase.loader import seed_showcase
from dcx.verticals import registry

MODELS = (
    Course,
    Module,
    Question,
    ChapterSection,
    Enrollment,
    Attempt,
    Answer,
    OfficeHourSlot,
    Booking,
    ChatMessage,
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
    assert first["Course"] == 2 and first["Module"] == 6


def test_the_showcase_has_real_courses_and_maria_one_weak_topic(app):
    seed_showcase(registry())
    db.session.commit()
    for course in db.session.execute(select(Course)).scalars():
        assert len(course.modules) == 3
        for module in course.modules:
            assert module.chapters and all(ch.sections for ch in module.chapters)
            assert 8 <= len(module.test.questions) <= 12
            assert all(q.topics for q in module.test.questions)
    maria = find_user("maria@dcx.example")
    stat = db.session.execute(select(Course).where(Course.code == "STAT101")).scalar_one()
    weak = services.suggestions(maria.id, stat)
    assert [s.name for s in weak] == ["Variance and spread"]
    assert weak[0].sections and weak[0].missed
    assert services.module_unlocked(maria.id, stat.modules[1])
    professor = find_user("professor@dcx.example")
    assert len(services.professor_slots(professor)) == 3
    rows, _ = services.class_overview(stat)
    assert any(r.stuck_reasons for r in rows)  # Alex failed twice and went quiet
