"""What education builds in Python (stuck reasons, the staff card, calendar entries, the
booking on the timeline, invitations, suggestion reasons) reaches a Spanish reader in Spanish.

The app's real Spanish texts arrive later, so these tests install a catalogue of their own
that translates each message id to ``[es] <msgid>``: seeing that on a page proves the text
went through gettext, in the reader's locale, instead of being written in English.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_datetime
from flask_babel import force_locale
from icalendar import Calendar
from sqlalchemy import select

from dcx.education import meetings, module_tests, services, teaching
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.timeline.models import Event
from tests.conftest import AuthActions, marked, marked_catalogue
from tests.education.conftest import miss_beta, right_answers

MESSAGES = [
    "Office hours with %(name)s",
    "About: %(topic)s",
    "Education",
    "weak: %(topics)s",
    "Next office hours: %(when)s",
    "You earned %(percent)s%% of the points on %(topic)s.",
    "Questions missed",
    "question %(n)s",
]
PLURALS = [
    ("failed %(test)s %(num)d time", "failed %(test)s %(num)d times"),
    ("inactive for %(num)d day", "inactive for %(num)d days"),
    (
        "%(course)s: %(percent)s%% done, %(passed)s/%(num)d module passed",
        "%(course)s: %(percent)s%% done, %(passed)s/%(num)d modules passed",
    ),
]


spanish = marked  # what the test catalogue makes of a message id


@pytest.fixture
def app_config(tmp_path):
    """Translations from a Spanish catalogue holding only the messages under test."""
    return marked_catalogue(tmp_path, MESSAGES, PLURALS)


@pytest.fixture(autouse=True)
def _fresh_catalogues(fresh_catalogues):
    """Each test starts and ends with Flask-Babel\'s shared catalogue cache empty."""


def _signed_in(app, user, locale: str = "es"):
    user.locale = locale
    db.session.commit()
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


def test_stuck_reasons_speak_the_professors_language(app, world):
    for _ in range(2):
        module_tests.submit_attempt(module_tests.start_attempt(world.other.id, world.t1), {})
    clock.advance(timedelta(days=8))
    db.session.commit()
    professor = _signed_in(app, world.professor)

    overview = professor.get("/education/staff").get_data(as_text=True)
    assert "[es] failed Test one 2 times" in overview
    assert "[es] inactive for 8 days" in overview
    page = professor.get(f"/education/staff/courses/{world.course.id}").get_data(as_text=True)
    assert "Otto Other: [es] failed Test one 2 times, [es] inactive for 8 days" in page
    assert ": failed Test one" not in page


def test_one_failed_attempt_or_one_quiet_day_is_singular_in_english(app, world, monkeypatch):
    monkeypatch.setattr(services, "STUCK_AFTER_FAILED_ATTEMPTS", 1)
    monkeypatch.setattr(services, "INACTIVE_AFTER", timedelta(hours=12))
    module_tests.submit_attempt(module_tests.start_attempt(world.other.id, world.t1), {})
    clock.advance(timedelta(days=1, hours=1))
    rows, _ = teaching.class_overview(world.course)
    reasons = {r.user.email: r.stuck_reasons for r in rows}["other@example.com"]
    assert reasons == ["failed Test one 1 time", "inactive for 1 day"]


def test_staff_card_speaks_the_staff_members_language(app, world):
    module_tests.submit_attempt(
        module_tests.start_attempt(world.student.id, world.t1), miss_beta(world)
    )
    meetings.book_slot(world.student.id, world.slot, "Beta topic")
    db.session.commit()
    staff = _signed_in(app, world.professor)

    page = staff.get(f"/staff/customers/{world.student.id}").get_data(as_text=True)
    card = page[page.index('data-card="education"') :]
    card = card[: card.index("</section>")]
    progress = services.course_progress(world.student.id, world.course)
    assert "[es] Education" in card
    assert (
        f"<li>[es] TST100: {progress.percent}% done, 0/2 modules passed; "
        "[es] weak: Beta topic, Alpha topic</li>" in card  # weakest first
    )
    when = format_datetime(world.slot.starts_at, "EEE dd MMM yyyy, HH:mm", locale="es")
    assert f"<li>[es] Next office hours: {when} UTC</li>" in card


def test_booked_office_hours_appear_in_the_students_language(app, world):
    meetings.book_slot(world.student.id, world.slot, "Beta topic")
    db.session.commit()
    student = _signed_in(app, world.student)

    calendar = student.get("/calendar").get_data(as_text=True)
    assert "[es] Office hours with Prof Plum" in calendar
    assert ">Office hours with" not in calendar
    home = student.get("/").get_data(as_text=True)
    assert "[es] Office hours with Prof Plum" in home
    (entry,) = meetings.calendar_entries(world.student.id)  # outside a request: English
    assert (entry.title, entry.description) == ("Office hours with Prof Plum", "About: Beta topic")


def test_the_invitation_is_written_in_the_students_language(app, world):
    booking = meetings.book_slot(world.student.id, world.slot)
    db.session.commit()
    student = _signed_in(app, world.student)
    ics = student.get(f"/education/bookings/{booking.id}.ics").data
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["summary"]) == "[es] Office hours with Prof Plum (TST100)"


def test_the_booking_on_the_timeline_is_dated_in_the_students_language(app, world):
    world.student.locale = "ro"
    db.session.commit()
    meetings.book_slot(world.student.id, world.slot, "Beta topic")  # no request: English here
    event = db.session.execute(
        select(Event).where(Event.user_id == world.student.id, Event.kind == "office_hours_booked")
    ).scalar_one()
    when = format_datetime(world.slot.starts_at, "EEE dd MMM yyyy, HH:mm", locale="ro")
    assert event.summary == f"{when} UTC · Beta topic"
    english = format_datetime(world.slot.starts_at, "EEE dd MMM yyyy, HH:mm", locale="en")
    assert when != english  # the month or day name differs, so the test can tell


def test_a_suggestions_reason_is_in_the_current_language(app, world):
    only_q3_wrong = right_answers(world) | {world.q[2].id: [9]}
    module_tests.submit_attempt(
        module_tests.start_attempt(world.student.id, world.t1), only_q3_wrong
    )
    (beta,) = services.suggestions(world.student.id, world.course)
    assert beta.reason.startswith("You earned 33% of the points on Beta topic. Questions missed")
    with force_locale("es"):
        reason = beta.reason
    assert reason.startswith("[es] You earned 33% of the points on Beta topic. [es] Questions")
    assert "Test one, [es] question 3: Beta number?" in reason
