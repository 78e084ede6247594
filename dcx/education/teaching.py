"""The professor's side: class overview, who is stuck and why, and each course's results."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from dcx.database import rows_where
from dcx.education import services
from dcx.education.chat import id_or_404
from dcx.education.models import (
    EducationAttempt,
    EducationChapter,
    EducationChapterProgress,
    EducationCourse,
    EducationEnrollment,
    EducationModule,
    EducationOfficeHourSlot,
)
from dcx.education.services import (
    CourseProgress,
    EducationError,
    TopicMastery,
    _answer_rows,
    course_progress,
    passed_modules,
    topic_names,
)
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User

# --- professor side ------------------------------------------------------------------------


def professor_courses(user: User) -> list[EducationCourse]:
    """The courses a professor teaches (admins: every course)."""
    stmt = select(EducationCourse).order_by(EducationCourse.code)
    if not user.is_admin:
        stmt = stmt.where(EducationCourse.professor_id == user.id)
    return list(db.session.execute(stmt).scalars())


def professor_course_or_404(user: User, course_id: Any) -> EducationCourse:
    """A course this professor teaches; any other id answers 404."""
    course = db.session.get(EducationCourse, id_or_404(course_id))
    if course is None or (not user.is_admin and course.professor_id != user.id):
        abort(404)
    return course


def professor_slots(user: User) -> list[EducationOfficeHourSlot]:
    """The professor's slots from a day ago on, soonest first."""
    return rows_where(
        EducationOfficeHourSlot,
        EducationOfficeHourSlot.professor_id == user.id,
        EducationOfficeHourSlot.starts_at > clock.now() - timedelta(days=1),
        order_by=(EducationOfficeHourSlot.starts_at,),
    )


def professor_slot_or_404(user: User, slot_id: Any) -> EducationOfficeHourSlot:
    """One of the professor's own slots; any other id answers 404."""
    from dcx.database import owned_or_404

    return owned_or_404(EducationOfficeHourSlot, slot_id, user.id, owner_attr="professor_id")


def publish_slot(
    professor: User,
    starts_at: datetime,
    minutes: int,
    place: str,
    video_link: str,
    capacity: int,
    closes_hours_before: int,
    course_id: int | None = None,
) -> EducationOfficeHourSlot:
    """Publish an office-hour slot; EducationError if it is in the past or overlaps a time."""
    if starts_at <= clock.now():
        raise EducationError(_l("A slot must start in the future."))
    if not place and not video_link:
        raise EducationError(_l("Give a place or a video link."))
    clash = db.session.execute(
        select(EducationOfficeHourSlot.id).where(
            EducationOfficeHourSlot.professor_id == professor.id,
            EducationOfficeHourSlot.starts_at == starts_at,
        )
    ).first()
    if clash:
        raise EducationError(_l("You already have a slot at that time."))
    slot = EducationOfficeHourSlot(
        professor_id=professor.id,
        course_id=course_id,
        starts_at=starts_at,
        minutes=minutes,
        place=place,
        video_link=video_link,
        capacity=capacity,
        closes_hours_before=closes_hours_before,
    )
    db.session.add(slot)
    db.session.flush()
    return slot


@dataclass
class StudentRow:
    """One student of a class, as the professor sees them."""

    user: User
    enrollment: EducationEnrollment
    progress: CourseProgress
    mastery: dict[str, TopicMastery]
    stuck_reasons: list[str]  # in the locale of the page that asked (gettext at build time)


def class_overview(
    course: EducationCourse,
    enrolled: Sequence[tuple[EducationEnrollment, User]] | None = None,
) -> tuple[list[StudentRow], list[TopicMastery]]:
    """Each enrolled student's progress and topic mastery, and the class totals per topic.

    The class row is the heat map's summary: points earned over possible across everyone.
    Given ``enrolled`` (a page of the class, as (enrollment, user)), only those students'
    rows are read, and the totals are theirs.
    """
    names = topic_names(course)
    if enrolled is None:
        enrolled = [
            (e, u)
            for e, u in db.session.execute(
                select(EducationEnrollment, User)
                .join(User, User.id == EducationEnrollment.user_id)
                .where(EducationEnrollment.course_id == course.id)
                .order_by(User.name)
            ).all()
        ]
    per_student: dict[int, dict[str, TopicMastery]] = defaultdict(dict)
    failed: dict[int, dict[int, int]] = defaultdict(dict)
    for user_id, answer, question, _attempt in _answer_rows(course, [u.id for _, u in enrolled]):
        for key in question.topics:
            entry = per_student[user_id].setdefault(key, TopicMastery(key, names.get(key, key)))
            entry.earned += answer.points
            entry.possible += question.points
    pass_marks = {m.test.id: m.test.pass_mark_percent for m in course.modules if m.test}
    attempts = db.session.execute(
        select(
            EducationAttempt.user_id,
            EducationAttempt.test_id,
            EducationAttempt.points,
            EducationAttempt.max_points,
        ).where(
            EducationAttempt.test_id.in_(pass_marks),
            EducationAttempt.submitted_at.is_not(None),
            EducationAttempt.user_id.in_([u.id for _, u in enrolled]),
        )
    ).all()
    for user_id, test_id, points, max_points in attempts:
        percent = round(100 * points / max_points, 1) if max_points else 0.0
        if percent < pass_marks[test_id]:
            failed[user_id][test_id] = failed[user_id].get(test_id, 0) + 1
    user_ids = [u.id for _, u in enrolled]
    passed = passed_modules(course, user_ids)
    read: dict[int, set[int]] = defaultdict(set)
    for user_id, chapter_id in db.session.execute(
        select(EducationChapterProgress.user_id, EducationChapterProgress.chapter_id)
        .join(EducationChapter, EducationChapter.id == EducationChapterProgress.chapter_id)
        .join(EducationModule, EducationModule.id == EducationChapter.module_id)
        .where(
            EducationModule.course_id == course.id, EducationChapterProgress.user_id.in_(user_ids)
        )
    ).all():
        read[user_id].add(chapter_id)
    now = clock.now()
    rows = []
    for enrollment, user in enrolled:
        progress = course_progress(user.id, course, passed[user.id], read[user.id])
        reasons = stuck_reasons(course, enrollment, passed[user.id], failed[user.id], progress, now)
        rows.append(StudentRow(user, enrollment, progress, per_student[user.id], reasons))
    totals = {key: TopicMastery(key, name) for key, name in names.items()}
    for mastery in per_student.values():
        for key, entry in mastery.items():
            total = totals.setdefault(key, TopicMastery(key, entry.name))
            total.earned += entry.earned
            total.possible += entry.possible
    return rows, sorted(totals.values(), key=lambda t: t.name)


def stuck_reasons(
    course: EducationCourse,
    enrollment: EducationEnrollment,
    passed: set[int],
    failed: dict[int, int],
    progress: CourseProgress,
    now: datetime,
) -> list[str]:
    """Why a student is stuck, worded in the page's locale (none: not stuck).

    ``passed`` holds the ids of the modules passed, ``failed`` the failed attempts per test id.
    """
    reasons = []
    for module in course.modules:
        test = module.test
        if test is None or module.id in passed:
            continue
        count = failed.get(test.id, 0)
        if count >= services.STUCK_AFTER_FAILED_ATTEMPTS:
            reasons.append(
                ngettext(
                    "failed %(test)s %(num)d time",
                    "failed %(test)s %(num)d times",
                    count,
                    test=test.title,
                )
            )
    if (
        now - enrollment.last_active_at > services.INACTIVE_AFTER
        and progress.modules_passed < progress.modules_total
    ):
        days = (now - enrollment.last_active_at).days
        reasons.append(ngettext("inactive for %(num)d day", "inactive for %(num)d days", days))
    return reasons


def heat_colour(ratio: float | None) -> str:
    """A background colour from red (hard) through amber to green (easy) for a share."""
    if ratio is None:
        return "#f1f3f5"
    # Hue 0 (red) to 130 (green); light enough for dark text to keep its contrast.
    return f"hsl({round(130 * max(0.0, min(1.0, ratio)))}, 70%, 82%)"
