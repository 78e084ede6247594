"""The life of a study period: students read on, take their module tests, book office hours.

Every enrolled student carries on from their latest activity in a course (the last chapter
read, the last attempt submitted): on a day they study (about two days in five; a persona
about one in two), they read the next unread chapter of the first module they have not
passed, or, with every chapter read, take its end-of-module test while attempts remain.
Each answer is right with the student's own ability on the question's topics: a persona's
weak topics are those its seeded attempts missed, a synthetic student's are drawn; every
new attempt at a test goes a little better (they studied), so mastery and suggestions move.
A passed test unlocks the next module, on the timeline as the app records it.

Each professor publishes group office hours every Monday for the Wednesday of the week
after; on the Tuesday, students still weak on a topic book a place about it.

Natural keys keep it idempotent: chapter progress by (student, chapter), an attempt by
(student, test, number), an answer by (attempt, question), a slot by (professor, start), a
booking by (slot, student), events by their keys. Draws are fixed by what they are about
(a student, a day, a question and attempt), so "+1 week" four times lives the same month as
"+1 month". Set-based: a fixed number of queries for everyone, one insert per batch.

Over the seeded past (``ctx.history``) the professors' weekly office hours are lived (held
before the seed's day, booked by the students weak on a topic) and every student who is not
a persona studies from their enrolment; a persona's study up to the seed is the showcase
file's, and no slot is left open beyond the seed's day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from dcx import filters
from dcx.education import services
from dcx.education.meetings import booking_summary
from dcx.education.models import (
    EducationAnswer,
    EducationAttempt,
    EducationBooking,
    EducationChapterProgress,
    EducationCourse,
    EducationEnrollment,
    EducationModule,
    EducationModuleTest,
    EducationOfficeHourSlot,
)
from dcx.education.module_tests import grade
from dcx.education.seed import answer_for
from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.links import link
from dcx.platform.simulation import insert_batches
from dcx.platform.timeline.services import record_bulk
from dcx.verticals import SimulationContext

STUDY_DAYS = 0.4
PERSONA_STUDY_DAYS = 0.5
# Each new attempt at a test: this much more likely to answer right.
PRACTICE = 0.12
OFFICE_HOURS = time(14)
SLOT_CAPACITY = 8


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite's max() of a decorated column comes back raw
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _days(start: datetime, end: datetime) -> list[date]:
    day, days = start.date(), []
    while day <= end.date():
        days.append(day)
        day += timedelta(days=1)
    return days


def weak_topics_of(ctx: SimulationContext) -> dict[int, set[str]]:
    """The personas' weak topics, from the attempts the showcase file seeds for them."""
    found: dict[int, set[str]] = defaultdict(set)
    for spec in ctx.data.get("enrollments", []):
        user_id = ctx.users.get(spec.get("student", spec.get("persona", "")))
        if user_id is None:
            continue
        for attempt in spec.get("attempts", []):
            found[user_id].update(attempt.get("wrong_topics", []))
    return found


def ability(ctx: SimulationContext, user_id: int, topics: list[str], weak: set[str]) -> float:
    """How likely the student answers a question on ``topics`` right at a first attempt."""
    chances = []
    for topic in topics or [""]:
        if topic in weak or (not weak and ctx.draw("weak", user_id, topic) < 0.25):
            chances.append(0.3 + 0.2 * ctx.draw("ability", user_id, topic))
        else:
            chances.append(0.65 + 0.3 * ctx.draw("ability", user_id, topic))
    return min(chances)


def period(ctx: SimulationContext, start: datetime, end: datetime) -> int:
    """Live ``[start, end)`` for every student and professor; returns the rows written."""
    courses = {course.id: course for course in db_courses()}
    if not courses:
        return 0
    return _study(ctx, start, end, courses) + _office_hours(ctx, start, end, courses)


def db_courses() -> list[EducationCourse]:
    """Every course with its modules, chapters, tests and questions (a few queries)."""
    return list(
        db.session.execute(
            select(EducationCourse).options(
                selectinload(EducationCourse.modules).selectinload(EducationModule.chapters),
                selectinload(EducationCourse.modules)
                .selectinload(EducationModule.test)
                .selectinload(EducationModuleTest.questions),
                selectinload(EducationCourse.topics),
            )
        ).scalars()
    )


def _study(
    ctx: SimulationContext, start: datetime, end: datetime, courses: dict[int, EducationCourse]
) -> int:
    enrollments = db.session.execute(
        select(
            EducationEnrollment.id,
            EducationEnrollment.user_id,
            EducationEnrollment.course_id,
            EducationEnrollment.enrolled_at,
        )
    ).all()
    if not enrollments:
        return 0
    chapter_course = {
        chapter.id: course.id
        for course in courses.values()
        for module in course.modules
        for chapter in module.chapters
    }
    test_course = {
        module.test.id: course.id
        for course in courses.values()
        for module in course.modules
        if module.test is not None
    }
    read: dict[tuple[int, int], set[int]] = defaultdict(set)
    last: dict[tuple[int, int], datetime] = {}

    def seen(key: tuple[int, int], at: Any) -> None:
        moment = _aware(at)
        if moment is not None and (key not in last or moment > last[key]):
            last[key] = moment

    for user_id, chapter_id, read_at in db.session.execute(
        select(
            EducationChapterProgress.user_id,
            EducationChapterProgress.chapter_id,
            EducationChapterProgress.read_at,
        )
    ):
        key = (user_id, chapter_course.get(chapter_id, 0))
        read[key].add(chapter_id)
        seen(key, read_at)
    percents: dict[tuple[int, int], list[float]] = defaultdict(list)
    for user_id, test_id, points, max_points, at in db.session.execute(
        select(
            EducationAttempt.user_id,
            EducationAttempt.test_id,
            EducationAttempt.points,
            EducationAttempt.max_points,
            func.coalesce(EducationAttempt.submitted_at, EducationAttempt.started_at),
        ).order_by(EducationAttempt.number)
    ):
        percents[(user_id, test_id)].append(
            round(100 * points / max_points, 1) if max_points else 0.0
        )
        seen((user_id, test_course.get(test_id, 0)), at)

    weak_of = weak_topics_of(ctx)
    personas = set(ctx.users.values())
    # Each day once: its text (what a draw is about) and its study hour.
    days = [
        (day, str(day), datetime.combine(day, time(16), tzinfo=UTC)) for day in _days(start, end)
    ]
    marked = _Marking()
    progress, attempts, answers, events, active = [], [], [], [], []
    for enrollment_id, user_id, course_id, enrolled_at in enrollments:
        course = courses.get(course_id)
        if course is None or (ctx.history and user_id in personas):
            continue  # a persona's past is the showcase file's
        key = (user_id, course_id)
        after = last.get(key)
        joined = _aware(enrolled_at)
        if joined is not None and (after is None or joined > after):
            after = joined  # nobody studies a course before enrolling in it
        after_day = after.date() if after is not None else None
        share = PERSONA_STUDY_DAYS if user_id in personas else STUDY_DAYS
        chances = _Ability(ctx, user_id, weak_of.get(user_id, set()))
        passed = _passed(course, percents, user_id)  # again only after a test
        studied = False
        for day, day_text, four_pm in days:
            if after_day is not None and day <= after_day:
                continue
            if ctx.draw("study", user_id, course_id, day_text) >= share:
                continue
            at = four_pm + timedelta(
                minutes=int(300 * ctx.draw("at", user_id, course_id, day_text))
            )
            if not start <= at < end:
                continue
            step = _next_step(course, read[key], percents, user_id, passed)
            if step is None:
                break  # the course is done, or the student is stuck with no attempt left
            kind, thing = step
            studied = True
            if kind == "chapter":
                read[key].add(thing.id)
                progress.append({"user_id": user_id, "chapter_id": thing.id, "read_at": at})
                continue
            test: EducationModuleTest = thing
            number = len(percents[(user_id, test.id)]) + 1
            was = services.unlocked_module_ids(user_id, course, passed)
            points = possible = 0.0
            for question in test.questions:
                chance = chances.of(question) + PRACTICE * (number - 1)
                right = ctx.draw("right", user_id, question.id, number) < chance
                response, correct, earned, worth = marked.of(question, right)
                points += earned
                possible += worth
                answers.append(
                    {
                        "key": (user_id, test.id, number),
                        "question_id": question.id,
                        "response": response,
                        "correct": correct,
                        "points": earned,
                    }
                )
            submitted = at + timedelta(minutes=14)
            attempts.append(
                {
                    "user_id": user_id,
                    "test_id": test.id,
                    "number": number,
                    "started_at": at,
                    "deadline_at": None,
                    "submitted_at": submitted,
                    "late": False,
                    "points": points,
                    "max_points": possible,
                }
            )
            percent = round(100 * points / possible, 1) if possible else 0.0
            percents[(user_id, test.id)].append(percent)
            events.append(
                {
                    "user_id": user_id,
                    "vertical": "education",
                    "kind": "test_submitted",
                    "subject": f"{test.title}: {marked.percent(percent)}",
                    "summary": _l(
                        "Attempt %(number)s of %(total)s",
                        number=number,
                        total=test.attempts_allowed,
                    ),
                    "data": {"test_id": test.id, "percent": percent},
                    "attempt": (user_id, test.id, number),
                    "occurred_at": submitted,
                }
            )
            passed = _passed(course, percents, user_id)
            now_open = services.unlocked_module_ids(user_id, course, passed)
            events.extend(services.unlocked_events(user_id, course, now_open - was, submitted))
        if studied:
            active.append(enrollment_id)
    written = insert_batches(EducationChapterProgress, progress)
    written += insert_batches(EducationAttempt, attempts)
    if attempts:
        ids = {
            (user_id, test_id, number): attempt_id
            for attempt_id, user_id, test_id, number in db.session.execute(
                select(
                    EducationAttempt.id,
                    EducationAttempt.user_id,
                    EducationAttempt.test_id,
                    EducationAttempt.number,
                ).where(EducationAttempt.started_at >= start, EducationAttempt.started_at < end)
            )
        }
        rows = [
            {**{k: v for k, v in answer.items() if k != "key"}, "attempt_id": ids[answer["key"]]}
            for answer in answers
            if answer["key"] in ids
        ]
        written += insert_batches(EducationAnswer, rows)
        for event in events:
            attempt_key = event.pop("attempt", None)
            if attempt_key is not None and attempt_key in ids:
                attempt_id = ids[attempt_key]
                event["link"] = link("education.attempt", attempt_id=attempt_id)
                event["key"] = f"education.attempt:{attempt_id}"
        written += record_bulk(e for e in events if "key" in e)
    if active:
        # the latest study day is the enrolment's last activity (the inactivity nudge reads it)
        latest = {
            (user_id, course_id): at
            for (user_id, course_id), at in _latest_activity(progress, attempts, courses).items()
        }
        by_id = {eid: (uid, cid) for eid, uid, cid, _at in enrollments}
        db.session.execute(
            update(EducationEnrollment),
            [
                {"id": eid, "last_active_at": latest[by_id[eid]]}
                for eid in active
                if by_id[eid] in latest
            ],
        )
    return written


class _Ability:
    """One student's chance at each question, drawn once per question (not per attempt)."""

    def __init__(self, ctx: SimulationContext, user_id: int, weak: set[str]) -> None:
        self.ctx, self.user_id, self.weak = ctx, user_id, weak
        self.known: dict[int, float] = {}

    def of(self, question: Any) -> float:
        chance = self.known.get(question.id)
        if chance is None:
            chance = ability(self.ctx, self.user_id, question.topics, self.weak)
            self.known[question.id] = chance
        return chance


class _Marking:
    """Each question's right or wrong response, marked once, and each percent's text,
    formatted once: the same for every student."""

    def __init__(self) -> None:
        self.responses: dict[tuple[int, bool], tuple[list[Any], bool, float, float]] = {}
        self.texts: dict[float, str] = {}

    def of(self, question: Any, right: bool) -> tuple[list[Any], bool, float, float]:
        """(response, correct, points earned, points possible)."""
        found = self.responses.get((question.id, right))
        if found is None:
            response = answer_for(question, right)
            correct, earned = grade(question, response)
            found = (response, correct, earned, float(question.points))
            self.responses[(question.id, right)] = found
        return found

    def percent(self, value: float) -> str:
        text = self.texts.get(value)
        if text is None:
            text = self.texts[value] = filters.percent(value, 1)
        return text


def _latest_activity(
    progress: list[dict[str, Any]],
    attempts: list[dict[str, Any]],
    courses: dict[int, EducationCourse],
) -> dict[tuple[int, int], datetime]:
    of_chapter = {
        c.id: course.id for course in courses.values() for m in course.modules for c in m.chapters
    }
    of_test = {
        m.test.id: course.id
        for course in courses.values()
        for m in course.modules
        if m.test is not None
    }
    latest: dict[tuple[int, int], datetime] = {}
    for row in progress:
        key = (row["user_id"], of_chapter[row["chapter_id"]])
        latest[key] = max(latest.get(key, row["read_at"]), row["read_at"])
    for row in attempts:
        key = (row["user_id"], of_test[row["test_id"]])
        latest[key] = max(latest.get(key, row["submitted_at"]), row["submitted_at"])
    return latest


def _passed(
    course: EducationCourse, percents: dict[tuple[int, int], list[float]], user_id: int
) -> set[int]:
    """The student's passed modules of ``course``, from their attempts' percents so far."""
    passed = set()
    for module in course.modules:
        test = module.test
        if test is None:
            passed.add(module.id)
            continue
        score = services.score_by_rule(percents.get((user_id, test.id), []), course.scoring_rule)
        if score is not None and score >= test.pass_mark_percent:
            passed.add(module.id)
    return passed


def _next_step(
    course: EducationCourse,
    read: set[int],
    percents: dict[tuple[int, int], list[float]],
    user_id: int,
    passed: set[int],
) -> tuple[str, Any] | None:
    """What the student does next: ("chapter", chapter), ("test", test) or None, with
    ``passed`` the modules they passed so far."""
    for module in course.modules:
        if module.id in passed:
            continue
        for chapter in module.chapters:
            if chapter.id not in read:
                return "chapter", chapter
        test = module.test
        if test is not None and len(percents.get((user_id, test.id), [])) < test.attempts_allowed:
            return "test", test
        return None
    return None


def _office_hours(
    ctx: SimulationContext, start: datetime, end: datetime, courses: dict[int, EducationCourse]
) -> int:
    slots = []
    for day in _days(start, end):
        published = datetime.combine(day, time(8), tzinfo=UTC)
        if day.weekday() != 0 or not start <= published < end:
            continue
        held = datetime.combine(day + timedelta(days=9), OFFICE_HOURS, UTC)
        if ctx.history and held >= end:
            continue  # the seed's open slots are the showcase file's
        for course in courses.values():
            slots.append(
                {
                    "professor_id": course.professor_id,
                    "course_id": course.id,
                    "starts_at": held,
                    "minutes": 45,
                    "place": "",
                    "video_link": "",
                    "capacity": SLOT_CAPACITY,
                    "closes_hours_before": 12,
                }
            )
    written = insert_batches(EducationOfficeHourSlot, slots)
    # Bookings are made on the Tuesday after publication: 8 days before the slot.
    booking_days = [
        day
        for day in _days(start, end)
        if day.weekday() == 1 and start <= datetime.combine(day, time(12), UTC) < end
    ]
    if not booking_days:
        return written
    starts = [datetime.combine(day + timedelta(days=8), OFFICE_HOURS, UTC) for day in booking_days]
    open_slots = db.session.execute(
        select(EducationOfficeHourSlot).where(
            EducationOfficeHourSlot.starts_at.in_(starts),
            EducationOfficeHourSlot.course_id.is_not(None),
        )
    ).scalars()
    by_course: dict[int, list[EducationOfficeHourSlot]] = defaultdict(list)
    for slot in open_slots:
        if slot.course_id is not None:
            by_course[slot.course_id].append(slot)
    if not by_course:
        return written
    professors = dict(
        db.session.execute(
            select(User.id, User.name).where(
                User.id.in_({course.professor_id for course in courses.values()})
            )
        ).all()
    )
    bookings, events = [], []
    for course_id, course_slots in by_course.items():
        taught = courses.get(course_id)
        if taught is None:
            continue
        joined = {
            user_id: _aware(enrolled_at)
            for user_id, enrolled_at in db.session.execute(
                select(EducationEnrollment.user_id, EducationEnrollment.enrolled_at).where(
                    EducationEnrollment.course_id == course_id
                )
            )
        }
        students = list(joined)
        mastery = services.topic_mastery_many(taught, students)
        for user_id in students:
            weak = [m for m in mastery[user_id] if m.weak]
            if not weak:
                continue
            for slot in course_slots:
                if ctx.draw("book", user_id, slot.course_id, slot.starts_at.date()) >= 0.4:
                    continue
                booked = slot.starts_at - timedelta(days=8, hours=2)
                enrolled = joined[user_id]
                if enrolled is not None and enrolled > booked:
                    continue  # not a student of the course yet
                topic = weak[
                    int(
                        ctx.draw("topic", user_id, slot.course_id, slot.starts_at.date())
                        * len(weak)
                    )
                ].name[:120]
                bookings.append(
                    {
                        "slot_id": slot.id,
                        "user_id": user_id,
                        "topic": topic,
                        "note": "",
                        "cancelled_at": None,
                        "sequence": 0,
                        "created_at": booked,
                    }
                )
                events.append(
                    {
                        "user_id": user_id,
                        "vertical": "education",
                        "kind": "office_hours_booked",
                        "subject": _l(
                            "Office hours with %(name)s",
                            name=professors.get(taught.professor_id, ""),
                        ),
                        "summary": LazyString(booking_summary, slot.starts_at, topic),
                        "data": {"slot_id": slot.id},
                        "link": link("education.office_hours"),
                        "key": f"education.booked:{slot.id}",
                        "occurred_at": booked,
                    }
                )
    written += insert_batches(EducationBooking, bookings)
    return written + record_bulk(events)
