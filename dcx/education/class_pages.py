"""The professor's class a page at a time: who is stuck decided in SQL, the class's topic totals
summed in SQL, and the progress of one page of students, so the professor's pages cost the same
for a class of twenty or of two thousand.

"Stuck" is :func:`dcx.education.teaching.class_overview`'s rule: a tested module not passed
(under the course's scoring rule) whose test the student failed at least
``STUCK_AFTER_FAILED_ATTEMPTS`` times, or no activity for ``INACTIVE_AFTER`` with a tested
module not passed yet. The reasons shown are still worded by ``class_overview``, for the few
students listed only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Numeric, Select, and_, case, cast, exists, func, select

from dcx.education import services
from dcx.education.models import (
    EducationAnswer,
    EducationAttempt,
    EducationCourse,
    EducationEnrollment,
    EducationModule,
    EducationModuleTest,
    EducationQuestion,
)
from dcx.education.services import TopicMastery, topic_names
from dcx.education.teaching import StudentRow, class_overview
from dcx.extensions import db
from dcx.platform import clock, staff_lists
from dcx.platform.accounts.models import User
from dcx.platform.staff_lists import ListRequest


@dataclass
class StuckSummary:
    """How many of a class are stuck, and the first of them by name, with their reasons."""

    total: int
    rows: list[StudentRow]


def _enrolled(course: EducationCourse) -> Select:
    return (
        select(EducationEnrollment, User)
        .join(User, User.id == EducationEnrollment.user_id)
        .where(EducationEnrollment.course_id == course.id)
        .order_by(User.name, User.id)
    )


def student_count(course: EducationCourse) -> int:
    """How many students the course has (one count)."""
    return int(
        db.session.execute(
            select(func.count(EducationEnrollment.id)).where(
                EducationEnrollment.course_id == course.id
            )
        ).scalar_one()
    )


def _passes(marks: dict[int, int]) -> ColumnElement[bool]:
    """Whether an attempt reaches its test's pass mark: its percent rounded to one place, as
    :attr:`EducationAttempt.percent` rounds it (no points possible is 0 %)."""
    percent = case(
        (
            EducationAttempt.max_points > 0,
            func.round(
                cast(100 * EducationAttempt.points / EducationAttempt.max_points, Numeric), 1
            ),
        ),
        else_=0,
    )
    mark = case(marks, value=EducationAttempt.test_id, else_=0)
    return percent >= mark


def stuck_condition(course: EducationCourse, now: datetime) -> ColumnElement[bool] | None:
    """A condition on :class:`EducationEnrollment` true for the stuck students of the course
    (None when the course has no test, so nobody can be stuck)."""
    marks = {m.test.id: m.test.pass_mark_percent for m in course.modules if m.test is not None}
    if not marks:
        return None
    passes = _passes(marks)
    per_test = (
        select(
            EducationAttempt.user_id.label("user_id"),
            func.sum(case((passes, 0), else_=1)).label("fails"),
            func.max(case((passes, 1), else_=0)).label("any_pass"),
            func.max(EducationAttempt.number).label("last_n"),
            func.max(case((passes, EducationAttempt.number), else_=None)).label("last_pass_n"),
        )
        .where(
            EducationAttempt.test_id.in_(marks),
            EducationAttempt.submitted_at.is_not(None),
        )
        .group_by(EducationAttempt.user_id, EducationAttempt.test_id)
        .subquery()
    )
    if course.scoring_rule == "highest":
        passed = per_test.c.any_pass == 1
    else:
        passed = func.coalesce(per_test.c.last_pass_n, -1) == per_test.c.last_n
    mine = per_test.c.user_id == EducationEnrollment.user_id
    failing = exists().where(
        mine, ~passed, per_test.c.fails >= services.STUCK_AFTER_FAILED_ATTEMPTS
    )
    passed_count = select(func.count()).where(mine, passed).scalar_subquery()
    inactive = and_(
        EducationEnrollment.last_active_at < now - services.INACTIVE_AFTER,
        passed_count < len(marks),
    )
    return failing | inactive


def stuck_students(course: EducationCourse, limit: int) -> StuckSummary:
    """The course's stuck students: how many, and the first ``limit`` by name with reasons."""
    condition = stuck_condition(course, clock.now())
    if condition is None:
        return StuckSummary(0, [])
    stmt = _enrolled(course).where(condition)
    total = db.session.execute(
        select(func.count()).select_from(stmt.order_by(None).subquery())
    ).scalar_one()
    first = [(e, u) for e, u in db.session.execute(stmt.limit(limit)).all()]
    rows, _ = class_overview(course, first) if first else ([], [])
    return StuckSummary(int(total), [r for r in rows if r.stuck_reasons])


def class_totals(course: EducationCourse) -> list[TopicMastery]:
    """The whole class's points earned over possible per topic, summed in SQL per question."""
    names = topic_names(course)
    totals = {key: TopicMastery(key, name) for key, name in names.items()}
    rows = db.session.execute(
        select(EducationQuestion, func.sum(EducationAnswer.points), func.count(EducationAnswer.id))
        .join(EducationAnswer, EducationAnswer.question_id == EducationQuestion.id)
        .join(EducationAttempt, EducationAttempt.id == EducationAnswer.attempt_id)
        .join(EducationModuleTest, EducationModuleTest.id == EducationAttempt.test_id)
        .join(EducationModule, EducationModule.id == EducationModuleTest.module_id)
        .where(EducationModule.course_id == course.id, EducationAttempt.submitted_at.is_not(None))
        .group_by(EducationQuestion.id)
    ).all()
    for question, earned, answers in rows:
        for key in question.topics:
            total = totals.setdefault(key, TopicMastery(key, names.get(key, key)))
            total.earned += float(earned or 0)
            total.possible += question.points * answers
    return sorted(totals.values(), key=lambda t: t.name)


def class_page(course: EducationCourse, wanted: ListRequest) -> tuple[Pagination, list[StudentRow]]:
    """One page of the class by name (searchable by name or email) and those students' rows."""
    stmt = (
        select(EducationEnrollment)
        .join(User, User.id == EducationEnrollment.user_id)
        .where(EducationEnrollment.course_id == course.id)
        .order_by(User.name, User.id)
    )
    page = staff_lists.page_of(stmt, wanted, search=(User.name, User.email))
    ids = [e.user_id for e in page.items]
    users = (
        {u.id: u for u in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}
        if ids
        else {}
    )
    enrolled = [(e, users[e.user_id]) for e in page.items]
    rows, _ = class_overview(course, enrolled) if enrolled else ([], [])
    return page, rows
