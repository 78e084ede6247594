"""The study life of a period: students read on, take their tests and book office hours."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from dcx.education import services
from dcx.education.models import (
    EducationAttempt,
    EducationBooking,
    EducationChapterProgress,
    EducationCourse,
    EducationOfficeHourSlot,
)
from dcx.extensions import db
from dcx.platform import clock, simulation
from dcx.platform.showcase import presenter
from dcx.platform.showcase.loader import seed_showcase
from dcx.platform.timeline.models import Event
from dcx.verticals import registry


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _maria() -> int:
    user = presenter.persona_user("maria")
    assert user is not None
    return user.id


def _stat101() -> EducationCourse:
    return db.session.execute(
        select(EducationCourse).where(EducationCourse.code == "STAT101")
    ).scalar_one()


def _live(days: int) -> None:
    start = clock.now()
    simulation.advance(start, clock.advance(timedelta(days=days)))
    db.session.commit()


def test_after_a_month_maria_has_read_on_and_taken_tests_so_her_mastery_moved(app):
    with app.app_context():
        seed_showcase(registry(), "default", only=("education",))
        db.session.commit()
        maria, course = _maria(), _stat101()
        before = {m.key: (m.earned, m.possible) for m in services.topic_mastery(maria, course)}
        read_before = len(services.read_chapter_ids(maria, course))
        attempts_before = _count(EducationAttempt)
        _live(30)
        assert len(services.read_chapter_ids(maria, course)) > read_before
        assert _count(EducationAttempt) > attempts_before
        after = {m.key: (m.earned, m.possible) for m in services.topic_mastery(maria, course)}
        assert after != before  # new answers count on her topics
        kinds = set(
            db.session.execute(
                select(Event.kind).where(Event.user_id == maria, Event.vertical == "education")
            ).scalars()
        )
        assert "test_submitted" in kinds
        # professors published office hours, and students weak on a topic booked them
        assert _count(EducationOfficeHourSlot) > 0 and _count(EducationBooking) > 0


def test_weak_topics_score_worse_than_the_others(app):
    from dcx.education.simulate import ability
    from dcx.verticals import SimulationContext

    ctx = SimulationContext(key="education", data={})
    for student in range(20):
        weak = ability(ctx, student, ["spread"], {"spread"})
        strong = ability(ctx, student, ["centre"], {"spread"})
        both = ability(ctx, student, ["spread", "centre"], {"spread"})
        assert weak < 0.5 <= strong and both == weak


def test_a_month_lived_twice_or_in_four_weeks_writes_the_same(app):
    with app.app_context():
        seed_showcase(registry(), "default", only=("education",))
        db.session.commit()
        vertical = registry().get("education")
        users = {p["key"]: p["user"].id for p in presenter.personas() if p["user"]}
        start = clock.now()
        ctx = simulation._context(vertical, start, False, users)
        assert vertical.simulate(ctx, start, start + timedelta(days=28)) > 0
        db.session.flush()
        tables = (EducationChapterProgress, EducationAttempt, EducationBooking, Event)
        at_once = [_count(model) for model in tables]
        vertical.simulate(ctx, start, start + timedelta(days=28))  # again: nothing more
        db.session.flush()
        assert [_count(model) for model in tables] == at_once
        db.session.rollback()
        for week in range(4):
            vertical.simulate(
                ctx, start + timedelta(days=7 * week), start + timedelta(days=7 * (week + 1))
            )
            db.session.flush()
        assert [_count(model) for model in tables] == at_once


def test_the_mastery_page_shows_the_lived_month(app, client, auth):
    from tests.conftest import make_user

    seed_showcase(registry(), "default", only=("education",))
    # a student of her own (a persona's pages are read in a sandbox's copy, not here)
    student = make_user("new-student@example.com")
    course = _stat101()
    services.enroll(student.id, course)
    db.session.commit()
    auth.login(student.email)
    path = f"/education/courses/{course.id}/mastery"
    before = client.get(path).get_data(as_text=True)
    _live(30)
    after = client.get(path).get_data(as_text=True)

    def rows(page: str) -> list[str]:
        """The mastery table's rows: each topic's level and points."""
        return re.findall(r'<tr data-topic="[^"]+".*?</tr>', page, re.S)

    assert rows(before) and rows(after) != rows(before)  # levels and points moved
    assert after.count("not yet tested") < before.count("not yet tested")
