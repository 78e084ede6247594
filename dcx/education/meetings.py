"""Office hours: a professor's slots, a student's booking and its calendar invitation."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import LazyString, format_datetime, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.database import rows_where
from dcx.education.chat import professors_for
from dcx.education.models import (
    EducationBooking,
    EducationOfficeHourSlot,
)
from dcx.education.services import EducationError
from dcx.extensions import db
from dcx.platform import brand, clock
from dcx.platform.accounts.models import User
from dcx.platform.links import link
from dcx.platform.notify.services import in_locale, notify, recipient_locales
from dcx.platform.timeline.calendar import ics_file
from dcx.platform.timeline.services import record
from dcx.verticals import Attachment, CalendarEntry

CANCELLED_TOPIC = "education.booking_cancelled"

# --- office hours --------------------------------------------------------------------------


def meeting_time(starts_at: datetime) -> str:
    """A meeting's day and time in the locale in force, e.g. "Tue 24 Nov 2026, 14:00 UTC"."""
    return format_datetime(starts_at, "EEE dd MMM yyyy, HH:mm z")


def booking_summary(starts_at: datetime, topic: str) -> str:
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
    return rows_where(
        EducationOfficeHourSlot,
        EducationOfficeHourSlot.professor_id.in_(professor_ids),
        EducationOfficeHourSlot.starts_at > clock.now(),
        order_by=(EducationOfficeHourSlot.starts_at,),
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
        booking = EducationBooking(slot_id=slot.id, user_id=user_id, sequence=0)
        db.session.add(booking)
        slot.bookings.append(booking)
    else:  # booked again after a cancel: the new invitation supersedes the CANCEL
        booking.sequence = (booking.sequence or 0) + 1
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
        LazyString(booking_summary, slot.starts_at, booking.topic),
        {"slot_id": slot.id},
        link("education.office_hours"),
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
        link("education.staff.staff_slots"),
        key=f"education.booking:{booking.id}:{booking.created_at.isoformat()}",
    )
    return booking


def cancel_booking(booking: EducationBooking) -> None:
    """Cancel a booking (freeing the place) and e-mail the student its METHOD:CANCEL.

    The message's key names the booking and the cancellation's SEQUENCE, so the e-mail's
    .ics (see :func:`cancellation_attachments`) withdraws exactly the invitation it follows.
    """
    if booking.cancelled_at is not None:
        raise EducationError(_l("This booking is already cancelled."))
    if booking.slot.starts_at <= clock.now():
        raise EducationError(_l("This meeting has already started."))
    booking.cancelled_at = clock.now()
    booking.sequence = (booking.sequence or 0) + 1
    db.session.flush()
    student = db.session.get_one(User, booking.user_id)
    professor = db.session.get_one(User, booking.slot.professor_id)
    with in_locale(recipient_locales([student.id])[student.id]):
        title = str(_l("Office hours with %(name)s cancelled", name=professor.name))
        body = str(
            _l(
                "Your booking for %(when)s is cancelled; the attached file removes it "
                "from your calendar.",
                when=meeting_time(booking.slot.starts_at),
            )
        )
    notify(
        student,
        CANCELLED_TOPIC,
        title,
        body,
        link("education.office_hours"),
        key=f"{CANCELLED_TOPIC}:{booking.id}:{booking.sequence}",
    )


def cancellation_attachments(key: str, user_id: int) -> list[Attachment]:
    """The METHOD:CANCEL (.ics) of the booking a cancellation message's key names.

    Built from the key's SEQUENCE, not the booking's current one: a booking made again since
    still gets the cancellation this message announced, which its newer invitation outranks.
    """
    _, booking_id, sequence = key.rsplit(":", 2)
    booking = db.session.get(EducationBooking, int(booking_id))
    if booking is None or booking.user_id != user_id:
        return []
    student = db.session.get_one(User, user_id)
    data = invitation_ics(
        booking.slot,
        [student],
        f"education-booking-{booking.id}@dcx",
        sequence=int(sequence),
        cancelled=True,
    )
    return [
        Attachment(f"office-hours-{booking.id}.ics", "text/calendar", data, (("method", "CANCEL"),))
    ]


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


def invitation_ics(
    slot: EducationOfficeHourSlot,
    attendees: list[User],
    uid: str,
    sequence: int = 0,
    cancelled: bool = False,
) -> bytes:
    """An iCalendar invitation (METHOD:REQUEST) for one slot, organised by its professor.

    With nobody invited it is only published (no invitation without an attendee);
    ``cancelled`` makes it the METHOD:CANCEL of the same UID at ``sequence``.
    """
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
        sequence=sequence,
        status="CANCELLED" if cancelled else "CONFIRMED",
    )
    method = "CANCEL" if cancelled else "REQUEST"
    return ics_file([("education", entry)], title, brand.name(), method=method)


def booking_ics(booking: EducationBooking) -> bytes:
    """The student's invitation for their booking; once cancelled, its METHOD:CANCEL."""
    student = db.session.get_one(User, booking.user_id)
    return invitation_ics(
        booking.slot,
        [student],
        f"education-booking-{booking.id}@dcx",
        sequence=booking.sequence or 0,
        cancelled=booking.cancelled_at is not None,
    )


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
