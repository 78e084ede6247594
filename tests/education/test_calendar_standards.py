"""Office-hour invitations as RFC 5546 asks, read by two independent iCalendar parsers."""

from __future__ import annotations

import vobject
from icalendar import Calendar

from dcx.education import meetings


def _read(ics: bytes):
    """The method, UID, SEQUENCE, STATUS and attendees, as icalendar and vobject each read them."""
    cal = Calendar.from_ical(ics)
    event = cal.walk("VEVENT")[0]
    attendees = event.get("attendee", [])
    attendees = attendees if isinstance(attendees, list) else [attendees]
    by_icalendar = (
        str(cal.get("method", "")),
        str(event["uid"]),
        int(event.get("sequence", 0)),
        str(event.get("status", "")),
        sorted(str(a) for a in attendees),
    )
    other = vobject.readOne(ics.decode())
    vevent = other.vevent
    by_vobject = (
        other.method.value if hasattr(other, "method") else "",
        vevent.uid.value,
        int(vevent.sequence.value) if hasattr(vevent, "sequence") else 0,
        vevent.status.value if hasattr(vevent, "status") else "",
        sorted(a.value for a in vevent.contents.get("attendee", [])),
    )
    assert by_icalendar == by_vobject
    return by_icalendar


def test_an_unbooked_slot_is_published_not_an_invitation(world):
    method, _, _, _, attendees = _read(meetings.slot_ics(world.slot))
    assert attendees == []
    assert method != "REQUEST"  # RFC 5546: a REQUEST invites someone
    assert method == "PUBLISH"


def test_a_booked_slot_invites_who_booked(world):
    meetings.book_slot(world.student.id, world.slot, "Beta")
    method, _, _, _, attendees = _read(meetings.slot_ics(world.slot))
    assert method == "REQUEST" and attendees == ["mailto:student@example.com"]


def test_a_cancelled_booking_sends_a_cancel_of_the_same_uid_with_a_higher_sequence(world):
    booking = meetings.book_slot(world.student.id, world.slot, "Beta")
    method, uid, sequence, _, attendees = _read(meetings.booking_ics(booking))
    assert method == "REQUEST" and attendees == ["mailto:student@example.com"]

    meetings.cancel_booking(booking)
    cancel = _read(meetings.booking_ics(booking))
    assert cancel[0] == "CANCEL"
    assert cancel[1] == uid
    assert cancel[2] > sequence
    assert cancel[3] == "CANCELLED"

    again = meetings.book_slot(world.student.id, world.slot, "Beta")
    rebooked = _read(meetings.booking_ics(again))
    assert rebooked[0] == "REQUEST" and rebooked[1] == uid and rebooked[2] > cancel[2]


def test_the_student_downloads_the_cancellation(world, client, auth):
    booking = meetings.book_slot(world.student.id, world.slot, "Beta")
    meetings.cancel_booking(booking)
    from dcx.extensions import db

    db.session.commit()
    auth.login("student@example.com")
    answer = client.get(f"/education/bookings/{booking.id}.ics")
    assert answer.status_code == 200
    assert _read(answer.data)[0] == "CANCEL"
