"""Turn ``seeds/<showcase>/education.yaml`` into courses, chapters, tests, attempts and slots.

Get-or-create on natural keys (course code, module position, chapter position, question
position, attempt number, slot start), so seeding twice changes nothing. Dates are relative
to the demo clock's day, so the showcase always looks current.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx import filters
from dcx.database import ids_in
from dcx.education import chat, module_tests, services
from dcx.education.models import (
    EducationAnswer,
    EducationAttempt,
    EducationBooking,
    EducationChapter,
    EducationChapterProgress,
    EducationChapterSection,
    EducationChatMessage,
    EducationCourse,
    EducationCourseTopic,
    EducationEnrollment,
    EducationExercise,
    EducationModule,
    EducationModuleTest,
    EducationOfficeHourSlot,
    EducationQuestion,
    QuestionKind,
)
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.timeline.services import record_bulk
from dcx.verticals import SeedContext


def _get_or_create(model, defaults: dict[str, Any] | None = None, **keys):
    row = db.session.execute(select(model).filter_by(**keys)).scalar_one_or_none()
    if row is None:
        row = model(**keys, **(defaults or {}))
        db.session.add(row)
        db.session.flush()
    return row


def _day(days: int, hour: int = 0, minute: int = 0) -> datetime:
    """A time on a day relative to the demo clock's today (stable within a day)."""
    return datetime.combine(clock.today() + timedelta(days=days), time(hour, minute), tzinfo=UTC)


def seed_course(data: dict[str, Any], professor_id: int) -> EducationCourse:
    """Get or create one course with its topics, modules, chapters, tests and exercises."""
    course = _get_or_create(
        EducationCourse,
        {
            "title": data["title"],
            "summary": data.get("summary", ""),
            "professor_id": professor_id,
            "scoring_rule": data.get("scoring_rule", "highest"),
        },
        code=data["code"],
    )
    for key, name in data.get("topics", {}).items():
        _get_or_create(EducationCourseTopic, {"name": name}, course_id=course.id, key=key)
    for ex in data.get("exercises", []):
        _get_or_create(
            EducationExercise,
            {"topic": ex["topic"], "prompt": ex["prompt"], "hint": ex.get("hint", "")},
            course_id=course.id,
            title=ex["title"],
        )
    for m_pos, m in enumerate(data.get("modules", []), start=1):
        module = _get_or_create(
            EducationModule,
            {"title": m["title"], "summary": m.get("summary", "")},
            course_id=course.id,
            position=m_pos,
        )
        for c_pos, ch in enumerate(m.get("chapters", []), start=1):
            chapter = _get_or_create(
                EducationChapter,
                {"title": ch["title"], "reading_minutes": ch.get("minutes", 10)},
                module_id=module.id,
                position=c_pos,
            )
            for s_pos, sec in enumerate(ch.get("sections", []), start=1):
                _get_or_create(
                    EducationChapterSection,
                    {
                        "heading": sec["heading"],
                        "topic": sec.get("topic", ""),
                        "body": sec.get("body", "").strip(),
                        "figure": sec.get("figure"),
                    },
                    chapter_id=chapter.id,
                    position=s_pos,
                )
        t = m.get("test")
        if t:
            test = _get_or_create(
                EducationModuleTest,
                {
                    "title": t["title"],
                    "time_limit_minutes": t.get("time_limit_minutes"),
                    "attempts_allowed": t.get("attempts_allowed", 3),
                    "pass_mark_percent": t.get("pass_mark_percent", 60),
                },
                module_id=module.id,
            )
            for q_pos, q in enumerate(t.get("questions", []), start=1):
                _get_or_create(
                    EducationQuestion,
                    {
                        "kind": q["kind"],
                        "prompt": q["prompt"],
                        "choices": q.get("choices", []),
                        "correct": q["correct"]
                        if isinstance(q["correct"], list)
                        else [q["correct"]],
                        "tolerance": q.get("tolerance", 0.0),
                        "points": q.get("points", 1),
                        "topics": q["topics"],
                        "explanation": q.get("explanation", ""),
                    },
                    test_id=test.id,
                    position=q_pos,
                )
    db.session.flush()
    db.session.refresh(course)
    return course


def answer_for(question: EducationQuestion, right: bool) -> list[Any]:
    """A response that is right, or plausibly wrong, for a seeded attempt."""
    if question.kind == QuestionKind.NUMERIC:
        value = float(question.correct[0])
        return [value if right else value + 10 * (question.tolerance or 1) + 1]
    correct = [int(c) for c in question.correct]
    if right:
        return correct
    wrong = [i for i in range(len(question.choices)) if i not in correct]
    return [wrong[0]] if wrong else []


def seed_attempt(
    user_id: int, test: EducationModuleTest, spec: dict[str, Any]
) -> EducationAttempt | None:
    """Get or create an attempt whose answers miss the questions of ``wrong_topics``."""
    number = spec.get("number", 1)
    exists = db.session.execute(
        select(EducationAttempt).where(
            EducationAttempt.user_id == user_id,
            EducationAttempt.test_id == test.id,
            EducationAttempt.number == number,
        )
    ).scalar_one_or_none()
    if exists is not None:
        return None
    wrong_topics = set(spec.get("wrong_topics", []))
    wrong_all = spec.get("all_wrong", False)
    when = _day(-spec.get("days_ago", 1), 10)
    attempt = EducationAttempt(user_id=user_id, test_id=test.id, number=number, started_at=when)
    db.session.add(attempt)
    db.session.flush()
    responses = {
        q.id: answer_for(q, not wrong_all and not (wrong_topics & set(q.topics)))
        for q in test.questions
    }
    module_tests.submit_attempt(attempt, responses)
    attempt.submitted_at = when + timedelta(minutes=14)
    return attempt


def seed(ctx: SeedContext) -> None:
    """The education part of a showcase: courses, enrolments, attempts, chat and slots."""
    data = ctx.data or {}
    courses: dict[str, EducationCourse] = {}
    for c in data.get("courses", []):
        courses[c["code"]] = seed_course(c, ctx.user(c["professor"]).id)
    for e in data.get("enrollments", []):
        student = ctx.user(e["student"])
        course = courses[e["course"]]
        enrollment = db.session.execute(
            select(EducationEnrollment).where(
                EducationEnrollment.user_id == student.id,
                EducationEnrollment.course_id == course.id,
            )
        ).scalar_one_or_none()
        if enrollment is None:
            enrollment = EducationEnrollment(
                user_id=student.id,
                course_id=course.id,
                enrolled_at=_day(-30, 9),
                last_active_at=_day(-e.get("last_active_days_ago", 1), 18),
            )
            db.session.add(enrollment)
            db.session.flush()
        for module_pos, chapter_pos in e.get("read", []):
            chapter = course.modules[module_pos - 1].chapters[chapter_pos - 1]
            _get_or_create(
                EducationChapterProgress,
                {"read_at": _day(-e.get("last_active_days_ago", 1) - 1, 20)},
                user_id=student.id,
                chapter_id=chapter.id,
            )
        for spec in e.get("attempts", []):
            test = course.modules[spec["module"] - 1].test
            seed_attempt(student.id, test, spec)
        # Seeding acts "now"; put the student's last activity back where the file says.
        enrollment.last_active_at = _day(-e.get("last_active_days_ago", 1), 18)
    for s in data.get("slots", []):
        professor = ctx.user(s["professor"])
        slot_course = courses.get(s.get("course", ""))
        slot = _get_or_create(
            EducationOfficeHourSlot,
            {
                "course_id": slot_course.id if slot_course else None,
                "minutes": s.get("minutes", 30),
                "place": s.get("place", ""),
                "video_link": s.get("video_link", ""),
                "capacity": s.get("capacity", 1),
                "closes_hours_before": s.get("closes_hours_before", 12),
            },
            professor_id=professor.id,
            starts_at=_day(s["days_ahead"], s.get("hour", 14), s.get("minute", 0)),
        )
        for b in s.get("bookings", []):
            _get_or_create(
                EducationBooking,
                {"topic": b.get("topic", ""), "note": b.get("note", "")},
                slot_id=slot.id,
                user_id=ctx.user(b["student"]).id,
            )
    for conv in data.get("conversations", []):
        student = ctx.user(conv["student"])
        professor = ctx.user(conv["professor"])
        conv_course = courses.get(conv.get("course", ""))
        conversation = chat.open_conversation(
            student.id, professor.id, conv_course.id if conv_course else None
        )
        if conversation.messages:
            continue
        for offset, (who, body) in enumerate(conv.get("messages", [])):
            sender = student if who == "student" else professor
            message = EducationChatMessage(
                conversation_id=conversation.id,
                sender_id=sender.id,
                body=body,
                created_at=_day(-conv.get("days_ago", 2), 9, offset * 7),
            )
            db.session.add(message)
            db.session.flush()
            if sender is student:
                conversation.student_last_read_id = message.id
            else:
                conversation.professor_last_read_id = message.id
        conversation.updated_at = _day(-conv.get("days_ago", 2), 9, 30)
        db.session.flush()


# --- synthetic customers (`flask dcx seed --scale N`) ---------------------------------------


def _scale_plan(
    course: EducationCourse,
) -> list[tuple[EducationModule, list[int], EducationModuleTest | None, list]]:
    """The course's modules as plain data, loaded once per batch: chapters, test, questions."""
    return [
        (
            module,
            [chapter.id for chapter in module.chapters],
            module.test,
            list(module.test.questions) if module.test is not None else [],
        )
        for module in course.modules
    ]


def scale(ctx: SeedContext, customers: list[Any]) -> None:
    """The scale hook: each synthetic customer studies one or more of the seeded courses.

    Every customer is enrolled in a random subset of the courses, reads chapters module by
    module, and takes each unlocked module's test (answers graded by the real rules, with a
    weaker topic or two answered worse), retrying after a fail until they pass or run out of
    attempts, so progress, mastery, suggestions and "stuck" all have data. Their timeline
    shows each test submitted and each module it unlocked, as the app records them.
    Customers who are already enrolled anywhere are skipped, so running it again adds
    nothing.
    """
    if not customers:
        return
    courses = list(
        db.session.execute(select(EducationCourse).order_by(EducationCourse.code)).scalars()
    )
    if not courses:
        return
    ids = [customer.id for customer in customers]
    done = ids_in(EducationEnrollment.user_id, ids)
    plans = {course.id: _scale_plan(course) for course in courses}
    topic_keys = {course.id: [t.key for t in course.topics] for course in courses}
    rng = ctx.random
    rows: list[Any] = []
    for customer in customers:
        if customer.id in done:
            continue
        for course in rng.sample(courses, rng.randint(1, len(courses))):
            rows.extend(_scale_course(rng, customer.id, course, plans[course.id], topic_keys))
    db.session.add_all(rows)
    db.session.flush()  # attempt ids, for the timeline's links and keys
    attempts = [row for row in rows if isinstance(row, EducationAttempt)]
    record_bulk(_scale_events(courses, attempts))


def _scale_events(
    courses: list[EducationCourse], attempts: list[EducationAttempt]
) -> list[dict[str, Any]]:
    """The timeline of the attempts, as ``submit_attempt`` records it: each test submitted,
    then each module its score unlocked (replaying the course's scoring rule in order)."""
    of_test = {
        module.test.id: (course, module, module.test)
        for course in courses
        for module in course.modules
        if module.test is not None
    }
    by_student: dict[tuple[int, int], list[EducationAttempt]] = defaultdict(list)
    for attempt in attempts:
        by_student[(attempt.user_id, of_test[attempt.test_id][0].id)].append(attempt)
    now = clock.now()
    events: list[dict[str, Any]] = []
    for (user_id, _), taken in by_student.items():
        course = of_test[taken[0].test_id][0]
        passed = {m.id for m in course.modules if m.test is None}
        percents: dict[int, list[float]] = defaultdict(list)
        unlocked = services.unlocked_module_ids(user_id, course, passed)
        for attempt in sorted(taken, key=_submitted_at):
            _course, module, test = of_test[attempt.test_id]
            at = min(now, _submitted_at(attempt))
            events.append(
                {
                    "user_id": user_id,
                    "vertical": "education",
                    "kind": "test_submitted",
                    "subject": f"{test.title}: {filters.percent(attempt.percent, 1)}",
                    "summary": _l(
                        "Attempt %(number)s of %(total)s",
                        number=attempt.number,
                        total=test.attempts_allowed,
                    ),
                    "data": {"test_id": test.id, "percent": attempt.percent},
                    "link": link("education.attempt", attempt_id=attempt.id),
                    "key": f"education.attempt:{attempt.id}",
                    "occurred_at": at,
                }
            )
            percents[test.id].append(attempt.percent)
            score = services.score_by_rule(percents[test.id], course.scoring_rule)
            if score is not None and score >= test.pass_mark_percent:
                passed.add(module.id)
            now_unlocked = services.unlocked_module_ids(user_id, course, passed)
            events.extend(services.unlocked_events(user_id, course, now_unlocked - unlocked, at))
            unlocked = now_unlocked
    return events


def _submitted_at(attempt: EducationAttempt) -> datetime:
    """When a scaled attempt was submitted (every one of them is)."""
    if attempt.submitted_at is None:
        raise ValueError(f"attempt {attempt.id} was never submitted")
    return attempt.submitted_at


def _scale_course(rng, user_id: int, course: EducationCourse, plan, topic_keys) -> list[Any]:
    """One customer's enrolment in one course, with chapters read and test attempts."""
    enrolled_days_ago = rng.randint(21, 120)
    # Most students were active this week; some went quiet (the inactivity nudge finds them).
    quiet = rng.random() < 0.2
    last_active_days_ago = rng.randint(8, 20) if quiet else rng.randint(0, 6)
    keys = topic_keys[course.id]
    weak = set(rng.sample(keys, min(len(keys), rng.choice((0, 1, 1, 2)))))
    ability = rng.uniform(0.55, 0.97)
    reach = rng.randint(1, len(plan))  # how many modules they got to so far
    day = enrolled_days_ago
    span = max(1, (enrolled_days_ago - last_active_days_ago) // (2 * reach + 1))
    rows: list[Any] = []

    def step() -> int:
        nonlocal day
        day = max(last_active_days_ago, day - rng.randint(1, span))
        return day

    for index, (_module, chapter_ids, test, questions) in enumerate(plan, start=1):
        last_module = index == reach
        read = len(chapter_ids)
        if last_module and rng.random() < 0.5:
            read = rng.randint(0, len(chapter_ids))
        for chapter_id in chapter_ids[:read]:
            rows.append(
                EducationChapterProgress(
                    user_id=user_id,
                    chapter_id=chapter_id,
                    read_at=_day(-step(), rng.randint(8, 22), rng.randint(0, 59)),
                )
            )
        if test is None:
            continue
        if read < len(chapter_ids) or (last_module and rng.random() < 0.3):
            break  # still reading, or not ready for the test yet
        passed = False
        for number in range(1, test.attempts_allowed + 1):
            started = _day(-step(), rng.randint(8, 21), rng.randint(0, 59))
            attempt = _scale_attempt(rng, user_id, test, questions, number, started, weak, ability)
            rows.append(attempt)
            if 100 * attempt.points >= test.pass_mark_percent * attempt.max_points:
                passed = True
                break
            ability = min(0.98, ability + 0.12)  # they studied between attempts
            if rng.random() < 0.25:
                break  # gave up for now
        if not passed or last_module:
            break
    rows.append(
        EducationEnrollment(
            user_id=user_id,
            course_id=course.id,
            enrolled_at=_day(-enrolled_days_ago, 9, rng.randint(0, 59)),
            last_active_at=_day(-last_active_days_ago, rng.randint(9, 22), rng.randint(0, 59)),
        )
    )
    return rows


def _scale_attempt(
    rng,
    user_id: int,
    test: EducationModuleTest,
    questions: list[EducationQuestion],
    number: int,
    started: datetime,
    weak: set[str],
    ability: float,
) -> EducationAttempt:
    """A submitted attempt graded by the real rules; weak topics are answered worse."""
    answers = []
    points = possible = 0.0
    for question in questions:
        chance = ability * 0.35 if weak & set(question.topics) else ability
        response = answer_for(question, rng.random() < chance)
        right, earned = module_tests.grade(question, response)
        answers.append(
            EducationAnswer(
                question_id=question.id, response=response, correct=right, points=earned
            )
        )
        points += earned
        possible += question.points
    limit = test.time_limit_minutes
    taken = rng.randint(5, limit - 1) if limit and limit > 6 else rng.randint(8, 30)
    return EducationAttempt(
        user_id=user_id,
        test_id=test.id,
        number=number,
        started_at=started,
        deadline_at=started + timedelta(minutes=limit) if limit else None,
        submitted_at=started + timedelta(minutes=taken),
        late=False,
        points=points,
        max_points=possible,
        answers=answers,
    )
