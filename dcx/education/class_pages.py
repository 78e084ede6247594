"""The professor's class a page at a time: who is stuck decided in SQL, the class's topic totals
summed in SQL, and the progress of one page of students, so the professor's pages cost the same
for a class of twenty or of two thousand.

"Stuck" is :func:`dcx.education.teaching.class_overview`'s rule: a tested module not passed
(under the course's scoring rule) whose test the student failed at least
``STUCK_AFTER_FAILED_ATTEMPTS`` times, or no activity for ``INACTIVE_AFTER`` with a tested
module not passed yet. The students shown (a page, or the first stuck) are read as one
aggregate row each, summed in SQL over their attempts, answers and chapters read, so the rows
fetched are the rows shown; their reasons are worded by :func:`teaching.stuck_reasons`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Numeric, Select, and_, case, cast, exists, func, select

from dcx.education import services
from dcx.education.models import (
    EducationAnswer,
    EducationAttempt,
    EducationChapter,
    EducationChapterProgress,
    EducationCourse,
    EducationEnrollment,
    EducationModule,
    EducationModuleTest,
    EducationQuestion,
)
from dcx.education.services import CourseProgress, TopicMastery, topic_names
from dcx.education.teaching import StudentRow, stuck_reasons
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
    # the count rides along with the first rows (a window over the matches): the condition
    # is worked out once, not once for the count and again for the rows
    stmt = _enrolled(course).where(condition).add_columns(func.count().over())
    found = db.session.execute(stmt.limit(limit)).all()
    total = found[0][-1] if found else 0
    first = [(e, u) for e, u, _total in found]
    rows = student_rows(course, first)
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
    return page, student_rows(course, enrolled)


def _attempt_columns(course: EducationCourse, test_ids: list[int]) -> list[ColumnElement]:
    """Per test ``i``: its failed attempts ``f<i>``, and whether it counts as passed under the
    course's rule: any attempt passing ``p<i>`` (highest), or the number of the last attempt
    ``n<i>`` and of the last one passing ``pn<i>`` (last)."""
    marks = {m.test.id: m.test.pass_mark_percent for m in course.modules if m.test is not None}
    passes = _passes(marks)
    columns: list[ColumnElement] = []
    for i, test_id in enumerate(test_ids):
        on = EducationAttempt.test_id == test_id
        columns.append(func.sum(case((and_(on, passes), 0), (on, 1), else_=0)).label(f"f{i}"))
        if course.scoring_rule == "highest":
            columns.append(func.max(case((and_(on, passes), 1), else_=0)).label(f"p{i}"))
        else:
            columns.append(func.max(case((on, EducationAttempt.number))).label(f"n{i}"))
            pass_n = case((and_(on, passes), EducationAttempt.number))
            columns.append(func.max(pass_n).label(f"pn{i}"))
    return columns


def _topic_columns(by_topic: dict[str, list[int]]) -> list[ColumnElement]:
    """Per topic ``i`` (of ``by_topic``: its question ids): points earned ``e<i>``, points
    possible ``q<i>`` and answers ``a<i>`` over every submitted answer to its questions."""
    columns: list[ColumnElement] = []
    for i, question_ids in enumerate(by_topic.values()):
        mine = EducationAnswer.question_id.in_(question_ids)
        columns += [
            func.sum(case((mine, EducationAnswer.points), else_=0.0)).label(f"e{i}"),
            func.sum(case((mine, EducationQuestion.points), else_=0)).label(f"q{i}"),
            func.sum(case((mine, 1), else_=0)).label(f"a{i}"),
        ]
    return columns


def _questions_by_topic(course: EducationCourse) -> dict[str, list[int]]:
    """The ids of the course's questions per topic key (one query, as big as the course)."""
    by_topic: dict[str, list[int]] = defaultdict(list)
    for question_id, topics in db.session.execute(
        select(EducationQuestion.id, EducationQuestion.topics)
        .join(EducationModuleTest, EducationModuleTest.id == EducationQuestion.test_id)
        .join(EducationModule, EducationModule.id == EducationModuleTest.module_id)
        .where(EducationModule.course_id == course.id)
        .order_by(EducationQuestion.id)
    ):
        for key in topics or []:
            by_topic[key].append(question_id)
    return dict(sorted(by_topic.items()))


def _per_student(
    course: EducationCourse,
    user_ids: list[int],
    test_ids: list[int],
    by_topic: dict[str, list[int]],
) -> Select:
    """One row per student of ``user_ids``: their attempts per test, answers per topic and
    chapters read, each summed in SQL over those students only."""
    mine = EducationEnrollment.user_id
    stmt = select(mine.label("user_id")).where(
        EducationEnrollment.course_id == course.id, mine.in_(user_ids)
    )
    submitted = EducationAttempt.submitted_at.is_not(None)
    chapters = (
        select(
            EducationChapterProgress.user_id.label("user_id"),
            func.count(func.distinct(EducationChapterProgress.chapter_id)).label("read"),
        )
        .join(EducationChapter, EducationChapter.id == EducationChapterProgress.chapter_id)
        .join(EducationModule, EducationModule.id == EducationChapter.module_id)
        .where(
            EducationModule.course_id == course.id, EducationChapterProgress.user_id.in_(user_ids)
        )
        .group_by(EducationChapterProgress.user_id)
        .subquery()
    )
    parts = [chapters]
    if test_ids:
        parts.append(
            select(EducationAttempt.user_id.label("user_id"), *_attempt_columns(course, test_ids))
            .where(EducationAttempt.test_id.in_(test_ids), EducationAttempt.user_id.in_(user_ids))
            .where(submitted)
            .group_by(EducationAttempt.user_id)
            .subquery()
        )
    if by_topic:
        parts.append(
            select(EducationAttempt.user_id.label("user_id"), *_topic_columns(by_topic))
            .select_from(EducationAnswer)
            .join(EducationAttempt, EducationAttempt.id == EducationAnswer.attempt_id)
            .join(EducationQuestion, EducationQuestion.id == EducationAnswer.question_id)
            .where(EducationAttempt.test_id.in_(test_ids), EducationAttempt.user_id.in_(user_ids))
            .where(submitted)
            .group_by(EducationAttempt.user_id)
            .subquery()
        )
    for part in parts:
        stmt = stmt.outerjoin(part, part.c.user_id == mine).add_columns(
            *(c for c in part.c if c.key != "user_id")
        )
    return stmt


def student_rows(
    course: EducationCourse, enrolled: Sequence[tuple[EducationEnrollment, User]]
) -> list[StudentRow]:
    """The rows of these students (a page of the class, or its first stuck), as
    :func:`teaching.class_overview` words them, read as one aggregate row per student."""
    if not enrolled:
        return []
    tested = [m for m in course.modules if m.test is not None]
    test_ids = [m.test.id for m in tested if m.test is not None]
    by_topic = _questions_by_topic(course)
    names = topic_names(course)
    user_ids = [u.id for _, u in enrolled]
    found: dict[int, dict[str, Any]] = {
        row.user_id: dict(row._mapping)
        for row in db.session.execute(_per_student(course, user_ids, test_ids, by_topic))
    }
    chapters_total = sum(len(m.chapters) for m in course.modules)
    now = clock.now()
    rows = []
    for enrollment, user in enrolled:
        got = found.get(user.id, {})
        passed: set[int] = set()
        failed: dict[int, int] = {}
        for i, module in enumerate(tested):
            failed[test_ids[i]] = int(got.get(f"f{i}") or 0)
            if course.scoring_rule == "highest":
                if got.get(f"p{i}") == 1:
                    passed.add(module.id)
            elif got.get(f"pn{i}") is not None and got.get(f"pn{i}") == got.get(f"n{i}"):
                passed.add(module.id)
        progress = CourseProgress(
            chapters_read=int(got.get("read") or 0),
            chapters_total=chapters_total,
            modules_passed=len(passed),
            modules_total=len(tested),
        )
        mastery = {
            key: TopicMastery(key, names.get(key, key), float(got[f"e{i}"]), float(got[f"q{i}"]))
            for i, key in enumerate(by_topic)
            if got.get(f"a{i}")
        }
        reasons = stuck_reasons(course, enrollment, passed, failed, progress, now)
        rows.append(StudentRow(user, enrollment, progress, mastery, reasons))
    return rows
