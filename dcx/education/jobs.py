"""Education jobs: meeting reminders, nudges for inactive students, the weekly digest.

Each job catches up from state and sends through ``notify_bulk`` with a key per message, so
running it twice (or after downtime) sends nothing twice. Each returns how many new messages
it put in inboxes. Every message is written in its recipient's language.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dcx.education import meetings, services
from dcx.education.models import (
    EducationAttempt,
    EducationBooking,
    EducationChapterProgress,
    EducationEnrollment,
    EducationOfficeHourSlot,
)
from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.links import link
from dcx.platform.notify.services import in_locale, notify_bulk, recipient_locales
from dcx.verticals import scheduled


def _when(starts_at: datetime) -> str:
    """A meeting's day and time in the language in force, e.g. "Tue 03 Nov, 14:00 UTC"."""
    return format_datetime(starts_at, "EEE dd MMM, HH:mm z")


@scheduled({"hour": 8}, _l("Remind students and professors of office hours the day before."))
def meeting_reminders(now: datetime) -> int:
    """Remind students and professors of office hours starting by the end of tomorrow.

    Catches up: any meeting still ahead and due by the end of tomorrow that has no reminder
    yet gets one (one per booking for the student, one per slot for the professor).
    """
    horizon = datetime.combine(now.date() + timedelta(days=2), time(0), tzinfo=UTC)
    bookings = db.session.execute(
        select(EducationBooking, EducationOfficeHourSlot)
        .join(EducationOfficeHourSlot, EducationOfficeHourSlot.id == EducationBooking.slot_id)
        .where(
            EducationBooking.cancelled_at.is_(None),
            EducationOfficeHourSlot.starts_at > now,
            EducationOfficeHourSlot.starts_at < horizon,
        )
    ).all()
    if not bookings:
        return 0
    names = {
        u.id: u.name
        for u in db.session.execute(
            select(User).where(
                User.id.in_(
                    {b.user_id for b, _ in bookings} | {s.professor_id for _, s in bookings}
                )
            )
        ).scalars()
    }
    locales = recipient_locales(names)
    rows = []
    per_slot: dict[int, list[str]] = defaultdict(list)
    slots = {}
    for booking, slot in bookings:
        with in_locale(locales[booking.user_id]):
            title = _(
                "Office hours with %(name)s: %(when)s",
                name=names[slot.professor_id],
                when=_when(slot.starts_at),
            )
            if booking.topic:
                body = _(
                    "Where: %(place)s. About: %(topic)s",
                    place=meetings.slot_location(slot),
                    topic=booking.topic,
                )
            else:
                body = _("Where: %(place)s", place=meetings.slot_location(slot))
        rows.append(
            {
                "user_id": booking.user_id,
                "title": title,
                "body": body,
                "link": link("education.office_hours"),
                "key": f"education.reminder:{booking.id}:{slot.starts_at:%Y%m%d%H%M}",
            }
        )
        per_slot[slot.id].append(names[booking.user_id])
        slots[slot.id] = slot
    for slot_id, students in per_slot.items():
        slot = slots[slot_id]
        with in_locale(locales[slot.professor_id]):
            title = _("Office hours %(when)s", when=_when(slot.starts_at))
            body = _("Booked by: %(names)s", names=", ".join(sorted(students)))
        rows.append(
            {
                "user_id": slot.professor_id,
                "title": title,
                "body": body,
                "link": link("education.staff.staff_slots"),
                "key": f"education.reminder:slot:{slot.id}:{slot.starts_at:%Y%m%d%H%M}",
            }
        )
    return notify_bulk("education.reminder", rows)


@scheduled({"hour": 9}, _l("Nudge students inactive for 7 days with a suggested next step."))
def inactivity_nudges(now: datetime) -> int:
    """Nudge each student inactive for 7 days in an unfinished course, with a next step.

    One nudge per quiet spell: the key carries the day of the last activity, so a student who
    comes back and goes quiet again is nudged again, and never twice for the same spell.
    """
    quiet = list(
        db.session.execute(
            select(EducationEnrollment).where(
                EducationEnrollment.last_active_at <= now - services.INACTIVE_AFTER
            )
        ).scalars()
    )
    locales = recipient_locales(enrollment.user_id for enrollment in quiet)
    # each course's quiet students at once, DIGEST_BATCH at a time: not queries per student
    by_course: dict[int, list[EducationEnrollment]] = defaultdict(list)
    for enrollment in quiet:
        by_course[enrollment.course_id].append(enrollment)
    steps = {}
    for course_id, enrolled in by_course.items():
        course = enrolled[0].course
        for first in range(0, len(enrolled), DIGEST_BATCH):
            user_ids = [e.user_id for e in enrolled[first : first + DIGEST_BATCH]]
            for user_id, found in services.next_steps(course, user_ids).items():
                steps[course_id, user_id] = found
    rows = []
    for enrollment in quiet:
        step = steps[enrollment.course_id, enrollment.user_id]
        if step is None:
            continue
        label, link = step
        with in_locale(locales[enrollment.user_id]):
            title = _("%(course)s: pick up where you left off", course=enrollment.course.code)
            body = _("Suggested next step: %(step)s.", step=label)
        rows.append(
            {
                "user_id": enrollment.user_id,
                "title": title,
                "body": body,
                "link": link,
                "key": f"education.nudge:{enrollment.id}:{enrollment.last_active_at:%Y-%m-%d}",
            }
        )
    return notify_bulk("education.nudge", rows)


#: Students whose figures one set of the digest's queries reads (bounds each IN list).
DIGEST_BATCH = 500


def _class_figures(
    enrollments: list[EducationEnrollment],
) -> dict[tuple[int, int], tuple[services.CourseProgress, list[str]]]:
    """Each enrolment's progress and weak topics, by (course id, student id): per course and
    batch of students, three queries (chapters read, modules passed, points per question),
    never one per student. The rules are those of the student's own pages."""
    students: dict[int, list[int]] = defaultdict(list)
    courses = {}
    for enrollment in enrollments:
        students[enrollment.course_id].append(enrollment.user_id)
        courses[enrollment.course_id] = enrollment.course
    found = {}
    for course_id, user_ids in students.items():
        course = courses[course_id]
        chapters = sum(len(m.chapters) for m in course.modules)
        for first in range(0, len(user_ids), DIGEST_BATCH):
            batch = user_ids[first : first + DIGEST_BATCH]
            read = services.read_chapter_counts(course, batch)
            passed = services.passed_modules(course, batch)
            mastery = services.topic_mastery_many(course, batch)
            tested = {m.id for m in course.modules if m.test is not None}
            for user_id in batch:
                progress = services.CourseProgress(
                    chapters_read=read.get(user_id, 0),
                    chapters_total=chapters,
                    modules_passed=len(passed[user_id] & tested),
                    modules_total=len(tested),
                )
                # weakest first, as the student's suggestions come
                weak = [m.name for m in sorted(mastery[user_id], key=lambda m: m.ratio) if m.weak]
                found[course_id, user_id] = (progress, weak)
    return found


@scheduled(
    {"day_of_week": "mon", "hour": 6},
    _l("Each student's weekly progress digest."),
    each_period=True,
)
def weekly_digest(now: datetime) -> int:
    """Each enrolled student's week: chapters read, tests taken, progress and weak topics.

    Keyed by ISO week, so the digest goes once a week whenever the job runs in that week.
    """
    year, week, _weekday = now.isocalendar()
    since = now - timedelta(days=7)
    read = dict(
        db.session.execute(
            select(EducationChapterProgress.user_id, func.count(EducationChapterProgress.id))
            .where(EducationChapterProgress.read_at > since)
            .group_by(EducationChapterProgress.user_id)
        ).all()
    )
    taken = dict(
        db.session.execute(
            select(EducationAttempt.user_id, func.count(EducationAttempt.id))
            .where(EducationAttempt.submitted_at > since)
            .group_by(EducationAttempt.user_id)
        ).all()
    )
    enrollments = list(
        db.session.execute(select(EducationEnrollment).order_by(EducationEnrollment.id)).scalars()
    )
    locales = recipient_locales(enrollment.user_id for enrollment in enrollments)
    figures = _class_figures(enrollments)
    lines: dict[int, list[str]] = defaultdict(list)
    for enrollment in enrollments:
        progress, weak = figures[enrollment.course_id, enrollment.user_id]
        with in_locale(locales[enrollment.user_id]):
            if weak:
                line = _(
                    "%(course)s: %(percent)s%% done; worth reviewing: %(topics)s",
                    course=enrollment.course.code,
                    percent=progress.percent,
                    topics=", ".join(weak),
                )
            else:
                line = _(
                    "%(course)s: %(percent)s%% done",
                    course=enrollment.course.code,
                    percent=progress.percent,
                )
        lines[enrollment.user_id].append(line)
    rows = []
    for user_id, course_lines in lines.items():
        with in_locale(locales[user_id]):
            # Two counts, two plural forms: each is worded on its own, then set in the frame.
            chapters = ngettext(
                "%(num)d chapter read", "%(num)d chapters read", read.get(user_id, 0)
            )
            tests = ngettext("%(num)d test taken", "%(num)d tests taken", taken.get(user_id, 0))
            title = _("Your week in class: %(chapters)s, %(tests)s", chapters=chapters, tests=tests)
        rows.append(
            {
                "user_id": user_id,
                "title": title,
                "body": "\n".join(course_lines),
                "link": link("education.index"),
                "key": f"education.digest:{year}-W{week:02d}",
            }
        )
    return notify_bulk("education.digest", rows)
