"""Education rules: courses, progress and unlocking, topic mastery and suggestions.

Tests and scoring (module_tests), chat, office hours (meetings), the professor's side
(teaching) and the customer-360 card (customer_card) are modules of their own beside this one.

Plain functions over the models with explicit arguments; they add and flush, the caller
commits. Links are plain paths, not ``url_for``, because jobs and seeds call these without a
request. Thresholds that shape the story (mastery levels, what counts as weak, when a student
is away or stuck) live at the top of this module, in one place.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import abort
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dcx.education.models import (
    EducationAnswer,
    EducationAttempt,
    EducationChapter,
    EducationChapterProgress,
    EducationChapterSection,
    EducationCourse,
    EducationEnrollment,
    EducationExercise,
    EducationModule,
    EducationModuleTest,
    EducationQuestion,
)
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.inputs import db_int
from dcx.platform.links import link

# Mastery levels, highest first: a topic reaches a level at this share of the points possible.
MASTERY_LEVELS: tuple[tuple[str, float], ...] = (
    ("mastered", 0.90),
    ("proficient", 0.70),
    ("familiar", 0.50),
    ("attempted", 0.0),
)
# A topic below this share is weak: it gets suggestions.
WEAK_BELOW = 0.70
# A reply notifies the student through the platform when they have not had the thread open
# for this long (the chat page polls every few seconds while open).
AWAY_AFTER = timedelta(minutes=2)
# Seconds of network slack accepted after a test's time limit.
GRACE = timedelta(seconds=30)
# A student is inactive (nudged, and shown as stuck) after this long without activity.
INACTIVE_AFTER = timedelta(days=7)
# A student who failed a module's test this many times without passing is stuck.
STUCK_AFTER_FAILED_ATTEMPTS = 2


class EducationError(ValueError):
    """A rule of the course refused the action; the message says why, for the student."""


# --- courses, enrolment and progress -------------------------------------------------------


def student_courses(user_id: int) -> list[EducationCourse]:
    """The courses the student is enrolled in, by code."""
    stmt = (
        select(EducationCourse)
        .join(EducationEnrollment, EducationEnrollment.course_id == EducationCourse.id)
        .where(EducationEnrollment.user_id == user_id)
        .order_by(EducationCourse.code)
    )
    return list(db.session.execute(stmt).scalars())


def course_to_revisit(user_id: int) -> EducationCourse | None:
    """The student's first course (by code) with a weak topic, else their first course.

    The mastery page a student reaches without naming a course opens where the portal has
    something to suggest, not a course whose tests they have not taken yet.
    """
    courses = student_courses(user_id)
    for course in courses:
        if any(m.weak for m in topic_mastery(user_id, course)):
            return course
    return courses[0] if courses else None


def enrollment_for(user_id: int, course_id: int) -> EducationEnrollment | None:
    """The student's enrolment in the course, or None."""
    return db.session.execute(
        select(EducationEnrollment).where(
            EducationEnrollment.user_id == user_id, EducationEnrollment.course_id == course_id
        )
    ).scalar_one_or_none()


def enrolled_course_or_404(user_id: int, course_id: Any) -> EducationCourse:
    """The course if the student is enrolled in it; any other id answers 404."""
    try:
        pk = db_int(course_id)
    except (TypeError, ValueError):
        abort(404)
    if enrollment_for(user_id, pk) is None:
        abort(404)
    return db.get_or_404(EducationCourse, pk)


def enroll(user_id: int, course: EducationCourse) -> EducationEnrollment:
    """Enrol the student in the course (once)."""
    existing = enrollment_for(user_id, course.id)
    if existing:
        return existing
    enrollment = EducationEnrollment(user_id=user_id, course_id=course.id)
    db.session.add(enrollment)
    db.session.flush()
    return enrollment


def touch(user_id: int, course_id: int) -> None:
    """Note that the student did something in the course just now."""
    enrollment = enrollment_for(user_id, course_id)
    if enrollment is not None:
        enrollment.last_active_at = clock.now()
        db.session.flush()


def read_chapter_ids(user_id: int, course: EducationCourse) -> set[int]:
    """Ids of the course's chapters the student has read."""
    stmt = (
        select(EducationChapterProgress.chapter_id)
        .join(EducationChapter, EducationChapter.id == EducationChapterProgress.chapter_id)
        .join(EducationModule, EducationModule.id == EducationChapter.module_id)
        .where(EducationChapterProgress.user_id == user_id, EducationModule.course_id == course.id)
    )
    return set(db.session.execute(stmt).scalars())


def mark_chapter_read(user_id: int, chapter: EducationChapter) -> bool:
    """Save that the student read the chapter; False if it was already saved."""
    exists = db.session.execute(
        select(EducationChapterProgress.id).where(
            EducationChapterProgress.user_id == user_id,
            EducationChapterProgress.chapter_id == chapter.id,
        )
    ).first()
    touch(user_id, chapter.module.course_id)
    if exists:
        return False
    db.session.add(EducationChapterProgress(user_id=user_id, chapter_id=chapter.id))
    db.session.flush()
    return True


def submitted_attempts(user_id: int, test: EducationModuleTest) -> list[EducationAttempt]:
    """The student's submitted attempts at a test, oldest first."""
    stmt = (
        select(EducationAttempt)
        .where(
            EducationAttempt.user_id == user_id,
            EducationAttempt.test_id == test.id,
            EducationAttempt.submitted_at.is_not(None),
        )
        .order_by(EducationAttempt.number)
    )
    return list(db.session.execute(stmt).scalars())


def score_by_rule(percents: list[float], rule: str) -> float | None:
    """The score that counts under the course's rule: the highest or the last attempt."""
    if not percents:
        return None
    return max(percents) if rule == "highest" else percents[-1]


def module_score(user_id: int, test: EducationModuleTest, rule: str) -> float | None:
    """The student's counting score on a test (percent), or None before any attempt."""
    return score_by_rule([a.percent for a in submitted_attempts(user_id, test)], rule)


def passed_modules(course: EducationCourse, user_ids: list[int]) -> dict[int, set[int]]:
    """Per student, the ids of the course's modules whose test score reaches the pass mark.

    One query for the whole class: every submitted attempt, scored by the course's rule.
    Modules without a test count as passed.
    """
    tests = {m.test.id: (m.id, m.test) for m in course.modules if m.test is not None}
    untested = {m.id for m in course.modules if m.test is None}
    result: dict[int, set[int]] = {uid: set(untested) for uid in user_ids}
    if not tests or not user_ids:
        return result
    rows = db.session.execute(
        select(
            EducationAttempt.user_id,
            EducationAttempt.test_id,
            EducationAttempt.points,
            EducationAttempt.max_points,
        )
        .where(
            EducationAttempt.test_id.in_(tests),
            EducationAttempt.user_id.in_(user_ids),
            EducationAttempt.submitted_at.is_not(None),
        )
        .order_by(EducationAttempt.number)
    ).all()
    percents: dict[tuple[int, int], list[float]] = defaultdict(list)
    for user_id, test_id, points, max_points in rows:
        percents[(user_id, test_id)].append(
            round(100 * points / max_points, 1) if max_points else 0.0
        )
    for (user_id, test_id), values in percents.items():
        module_id, test = tests[test_id]
        score = score_by_rule(values, course.scoring_rule)
        if score is not None and score >= test.pass_mark_percent:
            result[user_id].add(module_id)
    return result


def module_passed(user_id: int, module: EducationModule) -> bool:
    """True when the module's test score reaches its pass mark (a module without test: True)."""
    return module.id in passed_modules(module.course, [user_id])[user_id]


def unlocked_module_ids(
    user_id: int, course: EducationCourse, passed: set[int] | None = None
) -> set[int]:
    """The modules open to the student: the first, then each after a passed one."""
    if passed is None:
        passed = passed_modules(course, [user_id])[user_id]
    unlocked: set[int] = set()
    for module in course.modules:
        unlocked.add(module.id)
        if module.id not in passed:
            break
    return unlocked


def unlocked_events(
    user_id: int, course: EducationCourse, opened: set[int], at: datetime
) -> list[dict[str, Any]]:
    """Timeline rows (for ``record_bulk``) saying each module of ``opened`` unlocked at ``at``:
    what a seed's and a simulated month's attempts write when a test opens the next module."""
    return [
        {
            "user_id": user_id,
            "vertical": "education",
            "kind": "module_unlocked",
            "subject": _l(
                "%(course)s: %(module)s unlocked", course=course.code, module=module.title
            ),
            "link": link("education.course", course_id=course.id),
            "key": f"education.unlocked:{module.id}",
            "occurred_at": at,
        }
        for module in course.modules
        if module.id in opened
    ]


def module_unlocked(user_id: int, module: EducationModule) -> bool:
    """Whether the student may open the module's chapters and test."""
    return module.id in unlocked_module_ids(user_id, module.course)


@dataclass
class CourseProgress:
    """How far a student is in a course."""

    chapters_read: int
    chapters_total: int
    modules_passed: int
    modules_total: int

    @property
    def percent(self) -> int:
        """Chapters read and tests passed, as one percentage (each counts one step)."""
        total = self.chapters_total + self.modules_total
        done = self.chapters_read + self.modules_passed
        return round(100 * done / total) if total else 0


def course_progress(
    user_id: int,
    course: EducationCourse,
    passed: set[int] | None = None,
    read: set[int] | None = None,
) -> CourseProgress:
    """Chapters read and modules passed in the course (pass ``passed``/``read`` if known)."""
    if read is None:
        read = read_chapter_ids(user_id, course)
    if passed is None:
        passed = passed_modules(course, [user_id])[user_id]
    chapters = [c.id for m in course.modules for c in m.chapters]
    tested = [m.id for m in course.modules if m.test is not None]
    return CourseProgress(
        chapters_read=len(read & set(chapters)),
        chapters_total=len(chapters),
        modules_passed=len(passed & set(tested)),
        modules_total=len(tested),
    )


def next_step(user_id: int, course: EducationCourse) -> tuple[Any, str] | None:
    """The student's suggested next step in the course: (label, url), or None when done.

    The label is a lazy translation, rendered in the reader's language where it is shown.
    """
    return next_steps(course, [user_id])[user_id]


def next_steps(course: EducationCourse, user_ids: list[int]) -> dict[int, tuple[Any, str] | None]:
    """:func:`next_step` for many students of the course, in a fixed number of queries: the
    next unread chapter of the first module not passed, else its test, else (everything
    passed) a review of the weakest topic."""
    read: dict[int, set[int]] = {user_id: set() for user_id in user_ids}
    if user_ids:
        for user_id, chapter_id in db.session.execute(
            select(EducationChapterProgress.user_id, EducationChapterProgress.chapter_id)
            .join(EducationChapter, EducationChapter.id == EducationChapterProgress.chapter_id)
            .join(EducationModule, EducationModule.id == EducationChapter.module_id)
            .where(
                EducationChapterProgress.user_id.in_(user_ids),
                EducationModule.course_id == course.id,
            )
        ):
            read[user_id].add(chapter_id)
    passed_by = passed_modules(course, user_ids)
    steps: dict[int, tuple[Any, str] | None] = {}
    done = []
    for user_id in user_ids:
        steps[user_id] = _step_in_modules(course, read[user_id], passed_by[user_id])
        if steps[user_id] is None:
            done.append(user_id)
    for user_id, topics in topic_mastery_many(course, done).items():
        weak = [m for m in topics if m.weak]
        if weak:  # the weakest first, as suggestions() orders them (the first of equals)
            steps[user_id] = (
                _l("Review “%(topic)s”", topic=min(weak, key=lambda m: m.ratio).name),
                link("education.mastery", course_id=course.id),
            )
    return steps


def _step_in_modules(
    course: EducationCourse, read: set[int], passed: set[int]
) -> tuple[Any, str] | None:
    unlocked = unlocked_module_ids(0, course, passed)
    for module in course.modules:
        if module.id not in unlocked:
            break
        for chapter in module.chapters:
            if chapter.id not in read:
                return (
                    _l("Read “%(title)s”", title=chapter.title),
                    link("education.chapter", chapter_id=chapter.id),
                )
        if module.test is not None and module.id not in passed:
            return (
                _l("Take the test “%(title)s”", title=module.test.title),
                link("education.test", test_id=module.test.id),
            )
    return None


# --- topic mastery and suggestions ---------------------------------------------------------


def mastery_level(earned: float, possible: float) -> str | None:
    """The level for points earned over points possible; None when nothing was attempted."""
    if possible <= 0:
        return None
    ratio = earned / possible
    for level, threshold in MASTERY_LEVELS:
        if ratio >= threshold:
            return level
    return MASTERY_LEVELS[-1][0]


@dataclass
class TopicMastery:
    """One topic's standing for one student."""

    key: str
    name: str
    earned: float = 0.0
    possible: float = 0.0

    @property
    def ratio(self) -> float:
        """Points earned over points possible (0 when nothing attempted)."""
        return self.earned / self.possible if self.possible else 0.0

    @property
    def percent(self) -> int:
        """The ratio as a whole percentage."""
        return round(100 * self.ratio)

    @property
    def level(self) -> str | None:
        """attempted, familiar, proficient or mastered; None before any question."""
        return mastery_level(self.earned, self.possible)

    @property
    def weak(self) -> bool:
        """Attempted and below the weak threshold."""
        return self.possible > 0 and self.ratio < WEAK_BELOW


def _answer_rows(course: EducationCourse, user_ids: list[int] | None = None):
    """Every graded answer of the course's tests: (user_id, answer, question, attempt)."""
    stmt = (
        select(EducationAttempt.user_id, EducationAnswer, EducationQuestion, EducationAttempt)
        .join(EducationAttempt, EducationAttempt.id == EducationAnswer.attempt_id)
        .join(EducationQuestion, EducationQuestion.id == EducationAnswer.question_id)
        .join(EducationModuleTest, EducationModuleTest.id == EducationAttempt.test_id)
        .join(EducationModule, EducationModule.id == EducationModuleTest.module_id)
        .where(EducationModule.course_id == course.id, EducationAttempt.submitted_at.is_not(None))
        .order_by(EducationAttempt.submitted_at, EducationQuestion.position)
    )
    if user_ids is not None:
        stmt = stmt.where(EducationAttempt.user_id.in_(user_ids))
    return db.session.execute(stmt).all()


def topic_names(course: EducationCourse) -> dict[str, str]:
    """The course's topic keys and names."""
    return {t.key: t.name for t in course.topics}


def topic_mastery(user_id: int, course: EducationCourse) -> list[TopicMastery]:
    """Per topic of the course: points earned over points possible across every attempt."""
    return topic_mastery_many(course, [user_id])[user_id]


def topic_mastery_many(
    course: EducationCourse, user_ids: list[int]
) -> dict[int, list[TopicMastery]]:
    """:func:`topic_mastery` for many students in one query: their points summed per
    question in SQL (every answer of every attempt), spread over each question's topics here.
    A student with no answer has every topic at nothing attempted."""
    names = topic_names(course)
    tables = {
        uid: {key: TopicMastery(key, name) for key, name in names.items()} for uid in user_ids
    }
    if user_ids:
        # the course's questions once (their topics and points), not once per student
        questions = {
            question_id: (topics or [], points)
            for question_id, topics, points in db.session.execute(
                select(EducationQuestion.id, EducationQuestion.topics, EducationQuestion.points)
                .join(EducationModuleTest, EducationModuleTest.id == EducationQuestion.test_id)
                .join(EducationModule, EducationModule.id == EducationModuleTest.module_id)
                .where(EducationModule.course_id == course.id)
            )
        }
        rows = db.session.execute(
            select(
                EducationAttempt.user_id,
                EducationAnswer.question_id,
                func.sum(EducationAnswer.points),
                func.count(EducationAnswer.id),
            )
            .join(EducationAttempt, EducationAttempt.id == EducationAnswer.attempt_id)
            .join(EducationModuleTest, EducationModuleTest.id == EducationAttempt.test_id)
            .join(EducationModule, EducationModule.id == EducationModuleTest.module_id)
            .where(
                EducationModule.course_id == course.id,
                EducationAttempt.submitted_at.is_not(None),
                EducationAttempt.user_id.in_(user_ids),
            )
            .group_by(EducationAttempt.user_id, EducationAnswer.question_id)
        ).all()
        for user_id, question_id, earned, answers in rows:
            if question_id not in questions:
                continue  # an answer to a question of another course's test
            topics, points = questions[question_id]
            table = tables[user_id]
            for key in topics:
                entry = table.setdefault(key, TopicMastery(key, names.get(key, key)))
                entry.earned += float(earned or 0)
                entry.possible += points * answers
    return {uid: sorted(t.values(), key=lambda m: m.name) for uid, t in tables.items()}


def read_chapter_counts(course: EducationCourse, user_ids: list[int]) -> dict[int, int]:
    """How many of the course's chapters each of these students has read (one query)."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(EducationChapterProgress.user_id, func.count(EducationChapterProgress.id))
        .join(EducationChapter, EducationChapter.id == EducationChapterProgress.chapter_id)
        .join(EducationModule, EducationModule.id == EducationChapter.module_id)
        .where(
            EducationChapterProgress.user_id.in_(user_ids),
            EducationModule.course_id == course.id,
        )
        .group_by(EducationChapterProgress.user_id)
    ).all()
    return {int(uid): int(n) for uid, n in rows}


@dataclass
class MissedQuestion:
    """A question the student got wrong, named in a suggestion's reason."""

    test_title: str
    position: int
    prompt: str
    attempt_number: int


@dataclass
class Suggestion:
    """What to study for one weak topic, and why it is suggested."""

    key: str
    name: str
    mastery: TopicMastery
    sections: list[EducationChapterSection] = field(default_factory=list)
    exercises: list[EducationExercise] = field(default_factory=list)
    missed: list[MissedQuestion] = field(default_factory=list)

    @property
    def reason(self) -> str:
        """Why suggested: the share earned and the questions missed, by test and number.

        In the current locale, with the message ids the mastery page uses for the same parts.
        """
        named = "; ".join(
            f"{m.test_title}, {gettext('question %(n)s', n=m.position)}: {m.prompt}"
            for m in self.missed
        )
        earned = gettext(
            "You earned %(percent)s%% of the points on %(topic)s.",
            percent=self.mastery.percent,
            topic=self.name,
        )
        return f"{earned} {gettext('Questions missed')}: {named}."


def suggestions(user_id: int, course: EducationCourse) -> list[Suggestion]:
    """For each weak topic: its chapter sections and exercises, and the questions missed.

    A question missed in several attempts is named once (with its latest attempt); a question
    answered right in a later attempt is no longer named.
    """
    mastery = {m.key: m for m in topic_mastery(user_id, course)}
    weak = {key: m for key, m in mastery.items() if m.weak}
    if not weak:
        return []
    latest: dict[int, tuple[bool, MissedQuestion, list[str]]] = {}
    for _, answer, question, attempt in _answer_rows(course, [user_id]):
        latest[question.id] = (
            answer.correct,
            MissedQuestion(
                question.test.title, question.position, _short(question.prompt), attempt.number
            ),
            question.topics,
        )
    sections = db.session.execute(
        select(EducationChapterSection)
        .join(EducationChapter, EducationChapter.id == EducationChapterSection.chapter_id)
        .join(EducationModule, EducationModule.id == EducationChapter.module_id)
        .where(EducationModule.course_id == course.id, EducationChapterSection.topic.in_(weak))
        .order_by(
            EducationModule.position, EducationChapter.position, EducationChapterSection.position
        )
    ).scalars()
    exercises = db.session.execute(
        select(EducationExercise)
        .where(EducationExercise.course_id == course.id, EducationExercise.topic.in_(weak))
        .order_by(EducationExercise.title)
    ).scalars()
    result = {key: Suggestion(key, m.name, m) for key, m in weak.items()}
    for section in sections:
        result[section.topic].sections.append(section)
    for exercise in exercises:
        result[exercise.topic].exercises.append(exercise)
    for right, missed, topics in latest.values():
        if right:
            continue
        for key in topics:
            if key in result:
                result[key].missed.append(missed)
    return sorted(result.values(), key=lambda s: s.mastery.ratio)


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
