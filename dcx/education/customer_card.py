"""The education card of the staff's customer-360 view."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext, ngettext

from dcx.education.meetings import meeting_time, student_bookings
from dcx.education.services import course_progress, student_courses, suggestions
from dcx.platform import clock
from dcx.platform.links import link

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
        "link": link("education.staff.home"),
    }
