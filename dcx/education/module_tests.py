"""End-of-module tests: starting an attempt, answering in time, scoring and unlocking the next module."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dcx import filters
from dcx.education.models import (
    EducationAnswer,
    EducationAttempt,
    EducationModule,
    EducationModuleTest,
    EducationQuestion,
    QuestionKind,
)
from dcx.education.services import (
    GRACE,
    EducationError,
    module_unlocked,
    touch,
    unlocked_module_ids,
)
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.timeline.services import record

# --- tests and scoring ---------------------------------------------------------------------


def grade(question: EducationQuestion, response: list[Any]) -> tuple[bool, float]:
    """Mark one response: (right?, points earned).

    Single choice: the one right index. Multiple choice: exactly the set of right indices
    (all or nothing). Numeric: within ``tolerance`` of the right value.
    """
    if question.kind == QuestionKind.NUMERIC:
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
        if question.kind == QuestionKind.SINGLE:
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
    attempt_link = link("education.attempt", attempt_id=attempt.id)
    record(
        attempt.user_id,
        "education",
        "test_submitted",
        f"{test.title}: {filters.percent(attempt.percent, 1)}",  # in the student's locale
        _l("Attempt %(number)s of %(total)s", number=attempt.number, total=test.attempts_allowed),
        {"test_id": test.id, "percent": attempt.percent},
        attempt_link,
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
            link=link("education.course", course_id=unlocked.course_id),
            key=f"education.unlocked:{module_id}",
        )
    return attempt


def student_attempt_or_404(user_id: int, attempt_id: Any) -> EducationAttempt:
    """One of the student's own attempts; another student's id answers 404."""
    from dcx.database import owned_or_404

    return owned_or_404(EducationAttempt, attempt_id, user_id)
