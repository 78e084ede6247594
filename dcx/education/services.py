"""Education rules: progress, unlocking, scoring, topic mastery, suggestions, chat, office hours.

Plain functions over the models with explicit arguments; they add and flush, the caller
commits. Links are plain paths, not ``url_for``, because jobs and seeds call these without a
request. Thresholds that shape the story (mastery levels, what counts as weak, when a student
is away or stuck) live at the top of this module, in one place.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import abort
from flask_babel import LazyString, format_datetime, gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dcx.education.models import (
    EducationAnswer,
    EducationAttempt,
    EducationBooking,
    EducationChapter,
    EducationChapterProgress,
    EducationChapterSection,
    EducationChatMessage,
    EducationConversation,
    EducationCourse,
    EducationEnrollment,
    EducationExercise,
    EducationModule,
    EducationModuleTest,
    EducationOfficeHourSlot,
    EducationQuestion,
)
from dcx.extensions import db
from dcx.platform import brand, clock
from dcx.platform.accounts.models import User
from dcx.platform.notify.services import in_locale, notify, recipient_locales
from dcx.platform.timeline.calendar import ics_file
from dcx.platform.timeline.services import record
from dcx.verticals import CalendarEntry

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
        pk = int(course_id)
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
    read = read_chapter_ids(user_id, course)
    passed = passed_modules(course, [user_id])[user_id]
    unlocked = unlocked_module_ids(user_id, course, passed)
    for module in course.modules:
        if module.id not in unlocked:
            break
        for chapter in module.chapters:
            if chapter.id not in read:
                return (
                    _l("Read “%(title)s”", title=chapter.title),
                    f"/education/chapters/{chapter.id}",
                )
        if module.test is not None and module.id not in passed:
            return (
                _l("Take the test “%(title)s”", title=module.test.title),
                f"/education/tests/{module.test.id}",
            )
    weak = [s for s in suggestions(user_id, course)]
    if weak:
        return (
            _l("Review “%(topic)s”", topic=weak[0].name),
            f"/education/courses/{course.id}/mastery",
        )
    return None


# --- tests and scoring ---------------------------------------------------------------------


def grade(question: EducationQuestion, response: list[Any]) -> tuple[bool, float]:
    """Mark one response: (right?, points earned).

    Single choice: the one right index. Multiple choice: exactly the set of right indices
    (all or nothing). Numeric: within ``tolerance`` of the right value.
    """
    if question.kind == "numeric":
        if not response or response[0] is None:
            return False, 0.0
        try:
            value = float(response[0])
        except (TypeError, ValueError):
            return False, 0.0
        if not math.isfinite(value):
            return False, 0.0
        target = float(question.correct[0])
        right = abs(value - target) <= float(question.tolerance) + 1e-9
    else:
        try:
            chosen = {int(r) for r in response}
        except (TypeError, ValueError):
            return False, 0.0
        right = chosen == {int(c) for c in question.correct}
        if question.kind == "single":
            right = right and len(chosen) == 1
    return right, float(question.points) if right else 0.0


def attempts_used(user_id: int, test: EducationModuleTest) -> int:
    """How many attempts the student has started (submitted or open)."""
    return db.session.execute(
        select(func.count(EducationAttempt.id)).where(
            EducationAttempt.user_id == user_id, EducationAttempt.test_id == test.id
        )
    ).scalar_one()


def open_attempt(user_id: int, test: EducationModuleTest) -> EducationAttempt | None:
    """The student's unsubmitted attempt at the test, if any."""
    return db.session.execute(
        select(EducationAttempt).where(
            EducationAttempt.user_id == user_id,
            EducationAttempt.test_id == test.id,
            EducationAttempt.submitted_at.is_(None),
        )
    ).scalar_one_or_none()


def start_attempt(user_id: int, test: EducationModuleTest) -> EducationAttempt:
    """Start (or resume) an attempt; EducationError when no attempt is left or it is locked."""
    if not module_unlocked(user_id, test.module):
        raise EducationError(_l("This module is still locked: pass the previous module first."))
    current = open_attempt(user_id, test)
    if current is not None:
        if expired(current):
            submit_attempt(current, {})
        else:
            return current
    used = attempts_used(user_id, test)
    if used >= test.attempts_allowed:
        raise EducationError(_l("You have used every attempt allowed for this test."))
    now = clock.now()
    attempt = EducationAttempt(
        user_id=user_id,
        test_id=test.id,
        number=used + 1,
        started_at=now,
        deadline_at=now + timedelta(minutes=test.time_limit_minutes)
        if test.time_limit_minutes
        else None,
    )
    db.session.add(attempt)
    db.session.flush()
    touch(user_id, test.module.course_id)
    return attempt


def expired(attempt: EducationAttempt, now: datetime | None = None) -> bool:
    """True when the attempt's time limit (plus a little slack) has passed."""
    if attempt.deadline_at is None:
        return False
    return (now or clock.now()) > attempt.deadline_at + GRACE


def submit_attempt(attempt: EducationAttempt, responses: dict[int, list[Any]]) -> EducationAttempt:
    """Grade and close an attempt; after the time limit every answer scores zero.

    Records the result on the timeline and, when it passes the module, the next unlock.
    """
    if attempt.submitted_at is not None:
        raise EducationError(_l("This attempt was already submitted."))
    test = attempt.test
    module = test.module
    was_unlocked = unlocked_module_ids(attempt.user_id, module.course)
    late = expired(attempt)
    points = 0.0
    possible = 0.0
    for question in test.questions:
        response = responses.get(question.id, [])
        right, earned = grade(question, response)
        if late:
            right, earned = False, 0.0
        possible += question.points
        points += earned
        attempt.answers.append(
            EducationAnswer(
                question_id=question.id, response=list(response), correct=right, points=earned
            )
        )
    attempt.points = points
    attempt.max_points = possible
    attempt.late = late
    attempt.submitted_at = clock.now()
    db.session.flush()
    touch(attempt.user_id, module.course_id)
    link = f"/education/attempts/{attempt.id}"
    record(
        attempt.user_id,
        "education",
        "test_submitted",
        f"{test.title}: {attempt.percent:g}%",
        _l("Attempt %(number)s of %(total)s", number=attempt.number, total=test.attempts_allowed),
        {"test_id": test.id, "percent": attempt.percent},
        link,
        key=f"education.attempt:{attempt.id}",
    )
    now_unlocked = unlocked_module_ids(attempt.user_id, module.course) - was_unlocked
    for module_id in now_unlocked:
        unlocked = db.session.get_one(EducationModule, module_id)
        record(
            attempt.user_id,
            "education",
            "module_unlocked",
            _l(
                "%(course)s: %(module)s unlocked",
                course=unlocked.course.code,
                module=unlocked.title,
            ),
            link=f"/education/courses/{unlocked.course_id}",
            key=f"education.unlocked:{module_id}",
        )
    return attempt


def student_attempt_or_404(user_id: int, attempt_id: Any) -> EducationAttempt:
    """One of the student's own attempts; another student's id answers 404."""
    from dcx.database import owned_or_404

    return owned_or_404(EducationAttempt, attempt_id, user_id)


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
    names = topic_names(course)
    table = {key: TopicMastery(key, name) for key, name in names.items()}
    for _, answer, question, _attempt in _answer_rows(course, [user_id]):
        for key in question.topics:
            entry = table.setdefault(key, TopicMastery(key, names.get(key, key)))
            entry.earned += answer.points
            entry.possible += question.points
    return sorted(table.values(), key=lambda t: t.name)


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


# --- chat ----------------------------------------------------------------------------------


def professors_for(user_id: int) -> list[tuple[User, EducationCourse]]:
    """The professors of the student's courses, with the course."""
    stmt = (
        select(User, EducationCourse)
        .join(EducationCourse, EducationCourse.professor_id == User.id)
        .join(EducationEnrollment, EducationEnrollment.course_id == EducationCourse.id)
        .where(EducationEnrollment.user_id == user_id)
        .order_by(EducationCourse.code)
    )
    return [(u, c) for u, c in db.session.execute(stmt).all()]


def open_conversation(
    student_id: int, professor_id: int, course_id: int | None
) -> EducationConversation:
    """Get or create the thread between a student and a professor (per course or direct).

    EducationError unless the professor teaches one of the student's courses (and, for a
    course thread, that very course).
    """
    taught = {c.id for u, c in professors_for(student_id) if u.id == professor_id}
    if not taught or (course_id is not None and course_id not in taught):
        raise EducationError(_l("You can message only the professors of your courses."))
    stmt = select(EducationConversation).where(
        EducationConversation.student_id == student_id,
        EducationConversation.professor_id == professor_id,
        EducationConversation.course_id.is_(None)
        if course_id is None
        else EducationConversation.course_id == course_id,
    )
    conversation = db.session.execute(stmt).scalar_one_or_none()
    if conversation is None:
        conversation = EducationConversation(
            student_id=student_id, professor_id=professor_id, course_id=course_id
        )
        db.session.add(conversation)
        db.session.flush()
    return conversation


def student_conversation_or_404(user_id: int, conversation_id: Any) -> EducationConversation:
    """One of the student's own threads; any other id answers 404."""
    from dcx.database import owned_or_404

    return owned_or_404(EducationConversation, conversation_id, user_id, owner_attr="student_id")


def professor_conversation_or_404(user: User, conversation_id: Any) -> EducationConversation:
    """A thread of this professor (admins: any); any other id answers 404."""
    from dcx.database import owned_or_404

    if user.is_admin:
        row = db.session.get(EducationConversation, _int_or_404(conversation_id))
        if row is None:
            abort(404)
        return row
    return owned_or_404(EducationConversation, conversation_id, user.id, owner_attr="professor_id")


def _int_or_404(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        abort(404)


def is_student_side(conversation: EducationConversation, user_id: int) -> bool:
    """True when ``user_id`` is the student of the thread."""
    return conversation.student_id == user_id


def send_message(
    conversation: EducationConversation, sender_id: int, body: str
) -> EducationChatMessage:
    """Post a message; a professor's reply notifies the student when they are away."""
    body = body.strip()
    if not body:
        raise EducationError(_l("Write a message first."))
    message = EducationChatMessage(
        conversation_id=conversation.id, sender_id=sender_id, body=body[:4000]
    )
    db.session.add(message)
    conversation.updated_at = clock.now()
    db.session.flush()
    if sender_id == conversation.student_id:
        conversation.student_last_read_id = message.id
        if conversation.course_id:
            touch(sender_id, conversation.course_id)
    else:
        conversation.professor_last_read_id = message.id
        seen = conversation.student_seen_at
        if seen is None or clock.now() - seen > AWAY_AFTER:
            sender = db.session.get_one(User, sender_id)
            student = conversation.student_id
            with in_locale(recipient_locales([student])[student]):
                title = str(_l("%(name)s replied", name=sender.name))
            notify(
                conversation.student_id,
                "education.reply",
                title,
                _short(body, 180),
                f"/education/messages/{conversation.id}",
                key=f"education.reply:{message.id}",
            )
    db.session.flush()
    return message


def messages_after(
    conversation: EducationConversation, viewer_id: int, after_id: int = 0
) -> list[EducationChatMessage]:
    """The thread's messages newer than ``after_id``; marks them read for the viewer.

    When the viewer is the student this also notes that they are present (not away).
    """
    rows = list(
        db.session.execute(
            select(EducationChatMessage)
            .where(
                EducationChatMessage.conversation_id == conversation.id,
                EducationChatMessage.id > after_id,
            )
            .order_by(EducationChatMessage.id)
        ).scalars()
    )
    last = rows[-1].id if rows else 0
    if viewer_id == conversation.student_id:
        conversation.student_seen_at = clock.now()
        conversation.student_last_read_id = max(conversation.student_last_read_id, last)
    elif viewer_id == conversation.professor_id:
        conversation.professor_last_read_id = max(conversation.professor_last_read_id, last)
    db.session.flush()
    return rows


def unread_counts(conversations: list[EducationConversation], viewer_id: int) -> dict[int, int]:
    """Unread messages per thread for the viewer (messages from the other side, not yet read)."""
    if not conversations:
        return {}
    counts: dict[int, int] = {}
    for conversation in conversations:
        last_read = (
            conversation.student_last_read_id
            if viewer_id == conversation.student_id
            else conversation.professor_last_read_id
        )
        counts[conversation.id] = db.session.execute(
            select(func.count(EducationChatMessage.id)).where(
                EducationChatMessage.conversation_id == conversation.id,
                EducationChatMessage.id > last_read,
                EducationChatMessage.sender_id != viewer_id,
            )
        ).scalar_one()
    return counts


def student_conversations(user_id: int) -> list[EducationConversation]:
    """The student's threads, most recent first."""
    return list(
        db.session.execute(
            select(EducationConversation)
            .where(EducationConversation.student_id == user_id)
            .order_by(EducationConversation.updated_at.desc())
        ).scalars()
    )


def professor_conversations(professor_id: int) -> list[EducationConversation]:
    """The professor's threads, most recent first."""
    return list(
        db.session.execute(
            select(EducationConversation)
            .where(EducationConversation.professor_id == professor_id)
            .order_by(EducationConversation.updated_at.desc())
        ).scalars()
    )


def message_json(
    message: EducationChatMessage, names: dict[int, str], viewer_id: int
) -> dict[str, Any]:
    """A message as the polling endpoint returns it."""
    return {
        "id": message.id,
        "sender": names.get(message.sender_id, ""),
        "mine": message.sender_id == viewer_id,
        "body": message.body,
        "at": message.created_at.isoformat(),
    }


# --- office hours --------------------------------------------------------------------------


def meeting_time(starts_at: datetime) -> str:
    """A meeting's day and time in the locale in force, e.g. "Tue 24 Nov 2026, 14:00 UTC"."""
    return format_datetime(starts_at, "EEE dd MMM yyyy, HH:mm") + " UTC"


def _booking_summary(starts_at: datetime, topic: str) -> str:
    """The timeline line of a booking: when, and what about (rendered in the reader's locale)."""
    when = meeting_time(starts_at)
    return f"{when} · {topic}" if topic else when


def closes_at(slot: EducationOfficeHourSlot) -> datetime:
    """When booking the slot closes."""
    return slot.starts_at - timedelta(hours=slot.closes_hours_before)


def active_bookings(slot: EducationOfficeHourSlot) -> list[EducationBooking]:
    """The slot's bookings that are not cancelled."""
    return [b for b in slot.bookings if b.cancelled_at is None]


def bookable_slots(user_id: int) -> list[EducationOfficeHourSlot]:
    """Future slots of the professors of the student's courses, soonest first."""
    professor_ids = {u.id for u, _ in professors_for(user_id)}
    if not professor_ids:
        return []
    return list(
        db.session.execute(
            select(EducationOfficeHourSlot)
            .where(
                EducationOfficeHourSlot.professor_id.in_(professor_ids),
                EducationOfficeHourSlot.starts_at > clock.now(),
            )
            .order_by(EducationOfficeHourSlot.starts_at)
        ).scalars()
    )


def book_slot(
    user_id: int, slot: EducationOfficeHourSlot, topic: str = "", note: str = ""
) -> EducationBooking:
    """Book a place in a slot; EducationError when closed, full, booked or not your professor."""
    if slot.professor_id not in {u.id for u, _ in professors_for(user_id)}:
        raise EducationError(_l("You can book only the professors of your courses."))
    if clock.now() >= closes_at(slot):
        raise EducationError(_l("Booking for this slot has closed."))
    booking = db.session.execute(
        select(EducationBooking).where(
            EducationBooking.slot_id == slot.id, EducationBooking.user_id == user_id
        )
    ).scalar_one_or_none()
    if booking is not None and booking.cancelled_at is None:
        raise EducationError(_l("You have already booked this slot."))
    if len(active_bookings(slot)) >= slot.capacity:
        raise EducationError(_l("This slot is full."))
    if booking is None:
        booking = EducationBooking(slot_id=slot.id, user_id=user_id)
        db.session.add(booking)
        slot.bookings.append(booking)
    booking.topic = topic[:120]
    booking.note = note[:500]
    booking.cancelled_at = None
    booking.created_at = clock.now()
    db.session.flush()
    professor = db.session.get_one(User, slot.professor_id)
    student = db.session.get_one(User, user_id)
    record(
        user_id,
        "education",
        "office_hours_booked",
        _l("Office hours with %(name)s", name=professor.name),
        # Lazy, like the subject: the timeline writes the date in the student's language.
        LazyString(_booking_summary, slot.starts_at, booking.topic),
        {"slot_id": slot.id},
        "/education/office-hours",
        key=f"education.booking:{booking.id}:{booking.created_at.isoformat()}",
    )
    with in_locale(recipient_locales([professor.id])[professor.id]):
        when = meeting_time(slot.starts_at)
        title = str(_l("%(name)s booked your office hours", name=student.name))
        body = (
            str(_l("%(when)s about %(topic)s", when=when, topic=booking.topic))
            if booking.topic
            else when
        )
    notify(
        professor,
        "education.booking",
        title,
        body,
        "/education/staff/slots",
        key=f"education.booking:{booking.id}:{booking.created_at.isoformat()}",
    )
    return booking


def cancel_booking(booking: EducationBooking) -> None:
    """Cancel a booking (freeing the place)."""
    if booking.cancelled_at is not None:
        raise EducationError(_l("This booking is already cancelled."))
    if booking.slot.starts_at <= clock.now():
        raise EducationError(_l("This meeting has already started."))
    booking.cancelled_at = clock.now()
    db.session.flush()


def student_bookings(user_id: int) -> list[EducationBooking]:
    """The student's bookings that are not cancelled, soonest first."""
    return list(
        db.session.execute(
            select(EducationBooking)
            .join(EducationOfficeHourSlot, EducationOfficeHourSlot.id == EducationBooking.slot_id)
            .where(EducationBooking.user_id == user_id, EducationBooking.cancelled_at.is_(None))
            .order_by(EducationOfficeHourSlot.starts_at)
        ).scalars()
    )


def slot_location(slot: EducationOfficeHourSlot) -> str:
    """Where the meeting happens: the place, the video link, or both."""
    return " · ".join(p for p in (slot.place, slot.video_link) if p)


def invitation_ics(slot: EducationOfficeHourSlot, attendees: list[User], uid: str) -> bytes:
    """An iCalendar invitation (METHOD:REQUEST) for one slot, organised by its professor."""
    professor = db.session.get_one(User, slot.professor_id)
    title = gettext("Office hours with %(name)s", name=professor.name)
    if slot.course is not None:
        title += f" ({slot.course.code})"
    entry = CalendarEntry(
        uid=uid,
        title=title,
        starts_at=slot.starts_at,
        ends_at=slot.starts_at + timedelta(minutes=slot.minutes),
        location=slot_location(slot),
        url=slot.video_link or "",
        organizer=(professor.name, professor.email),
        attendees=tuple((person.name, person.email) for person in attendees),
    )
    return ics_file([("education", entry)], title, brand.name(), method="REQUEST")


def booking_ics(booking: EducationBooking) -> bytes:
    """The student's invitation for their booking."""
    student = db.session.get_one(User, booking.user_id)
    return invitation_ics(booking.slot, [student], f"education-booking-{booking.id}@dcx")


def slot_ics(slot: EducationOfficeHourSlot) -> bytes:
    """The professor's invitation for a slot, with everyone who booked."""
    people = [db.session.get_one(User, b.user_id) for b in active_bookings(slot)]
    return invitation_ics(slot, people, f"education-slot-{slot.id}@dcx")


def calendar_entries(user_id: int) -> list[CalendarEntry]:
    """The student's booked office hours, for the platform's calendar feed.

    Titles are in the current locale: the visitor's on /calendar and the home page, the
    showcase's in the subscribed .ics feed (which has no visitor).
    """
    entries = []
    for booking in student_bookings(user_id):
        slot = booking.slot
        professor = db.session.get_one(User, slot.professor_id)
        entries.append(
            CalendarEntry(
                uid=f"education-booking-{booking.id}@dcx",
                title=gettext("Office hours with %(name)s", name=professor.name),
                starts_at=slot.starts_at,
                ends_at=slot.starts_at + timedelta(minutes=slot.minutes),
                location=slot_location(slot),
                description=gettext("About: %(topic)s", topic=booking.topic)
                if booking.topic
                else "",
            )
        )
    return entries


# --- professor side ------------------------------------------------------------------------


def professor_courses(user: User) -> list[EducationCourse]:
    """The courses a professor teaches (admins: every course)."""
    stmt = select(EducationCourse).order_by(EducationCourse.code)
    if not user.is_admin:
        stmt = stmt.where(EducationCourse.professor_id == user.id)
    return list(db.session.execute(stmt).scalars())


def professor_course_or_404(user: User, course_id: Any) -> EducationCourse:
    """A course this professor teaches; any other id answers 404."""
    course = db.session.get(EducationCourse, _int_or_404(course_id))
    if course is None or (not user.is_admin and course.professor_id != user.id):
        abort(404)
    return course


def professor_slots(user: User) -> list[EducationOfficeHourSlot]:
    """The professor's slots from a day ago on, soonest first."""
    return list(
        db.session.execute(
            select(EducationOfficeHourSlot)
            .where(
                EducationOfficeHourSlot.professor_id == user.id,
                EducationOfficeHourSlot.starts_at > clock.now() - timedelta(days=1),
            )
            .order_by(EducationOfficeHourSlot.starts_at)
        ).scalars()
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


def class_overview(course: EducationCourse) -> tuple[list[StudentRow], list[TopicMastery]]:
    """Each enrolled student's progress and topic mastery, and the class totals per topic.

    The class row is the heat map's summary: points earned over possible across everyone.
    """
    names = topic_names(course)
    enrolled = db.session.execute(
        select(EducationEnrollment, User)
        .join(User, User.id == EducationEnrollment.user_id)
        .where(EducationEnrollment.course_id == course.id)
        .order_by(User.name)
    ).all()
    per_student: dict[int, dict[str, TopicMastery]] = defaultdict(dict)
    failed: dict[tuple[int, int], int] = defaultdict(int)
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
            EducationAttempt.test_id.in_(pass_marks), EducationAttempt.submitted_at.is_not(None)
        )
    ).all()
    for user_id, test_id, points, max_points in attempts:
        percent = round(100 * points / max_points, 1) if max_points else 0.0
        if percent < pass_marks[test_id]:
            failed[(user_id, test_id)] += 1
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
        reasons = []
        for module in course.modules:
            test = module.test
            if test is None or module.id in passed[user.id]:
                continue
            count = failed[(user.id, test.id)]
            if count >= STUCK_AFTER_FAILED_ATTEMPTS:
                reasons.append(
                    ngettext(
                        "failed %(test)s %(num)d time",
                        "failed %(test)s %(num)d times",
                        count,
                        test=test.title,
                    )
                )
        progress = course_progress(user.id, course, passed[user.id], read[user.id])
        if (
            now - enrollment.last_active_at > INACTIVE_AFTER
            and progress.modules_passed < progress.modules_total
        ):
            days = (now - enrollment.last_active_at).days
            reasons.append(ngettext("inactive for %(num)d day", "inactive for %(num)d days", days))
        rows.append(StudentRow(user, enrollment, progress, per_student[user.id], reasons))
    totals = {key: TopicMastery(key, name) for key, name in names.items()}
    for mastery in per_student.values():
        for key, entry in mastery.items():
            total = totals.setdefault(key, TopicMastery(key, entry.name))
            total.earned += entry.earned
            total.possible += entry.possible
    return rows, sorted(totals.values(), key=lambda t: t.name)


def heat_colour(ratio: float | None) -> str:
    """A background colour from red (hard) through amber to green (easy) for a share."""
    if ratio is None:
        return "#f1f3f5"
    # Hue 0 (red) to 130 (green); light enough for dark text to keep its contrast.
    return f"hsl({round(130 * max(0.0, min(1.0, ratio)))}, 70%, 82%)"


# --- the customer-360 card -----------------------------------------------------------------


def summary_card(user_id: int) -> dict[str, Any] | None:
    """A staff card about the student: courses, progress, weak topics, next meeting.

    Built for the staff page that shows it, so in that page's locale.
    """
    courses = student_courses(user_id)
    if not courses:
        return None
    lines = []
    for course in courses:
        progress = course_progress(user_id, course)
        weak = [s.name for s in suggestions(user_id, course)]
        line = ngettext(
            "%(course)s: %(percent)s%% done, %(passed)s/%(num)d module passed",
            "%(course)s: %(percent)s%% done, %(passed)s/%(num)d modules passed",
            progress.modules_total,
            course=course.code,
            percent=progress.percent,
            passed=progress.modules_passed,
        )
        if weak:
            line += "; " + gettext("weak: %(topics)s", topics=", ".join(weak))
        lines.append(line)
    bookings = student_bookings(user_id)
    upcoming = [b for b in bookings if b.slot.starts_at > clock.now()]
    if upcoming:
        lines.append(
            gettext("Next office hours: %(when)s", when=meeting_time(upcoming[0].slot.starts_at))
        )
    return {
        "title": gettext("Education"),
        "lines": lines,
        "link": "/education/staff",
    }
