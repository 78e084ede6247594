"""Office-hour invitations as RFC 5546 asks, read by two independent iCalendar parsers."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
import vobject
from icalendar import Calendar

from dcx.education import meetings
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify import delivery


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
    db.session.commit()
    auth.login("student@example.com")
    answer = client.get(f"/education/bookings/{booking.id}.ics")
    assert answer.status_code == 200
    assert _read(answer.data)[0] == "CANCEL"


@pytest.fixture
def app_config(smtp_server):
    from tests.conftest import smtp_config

    return smtp_config(smtp_server, "https://campus.example/")


def test_the_cancellation_is_mailed_to_the_student_as_a_calendar_cancel(world, smtp_server):
    """A mail app sees a text/calendar; method=CANCEL part that withdraws the invitation."""
    _, inbox = smtp_server
    booking = meetings.book_slot(world.student.id, world.slot, "Beta")
    _, uid, booked_sequence, _, _ = _read(meetings.booking_ics(booking))
    db.session.commit()
    delivery.deliver_due(clock.now())
    inbox.received.clear()  # the professor's "booked" e-mail

    meetings.cancel_booking(booking)
    db.session.commit()
    delivery.deliver_due(clock.now())

    (envelope,) = inbox.received
    assert envelope.rcpt_tos == ["student@example.com"]
    email = message_from_bytes(envelope.content, policy=policy.default)
    assert "Prof Plum" in email["Subject"]
    (attachment,) = list(email.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "CANCEL"
    assert attachment.get_filename() == f"office-hours-{booking.id}.ics"
    method, mailed_uid, sequence, status, attendees = _read(attachment.get_content().encode())
    assert (method, mailed_uid, status) == ("CANCEL", uid, "CANCELLED")
    assert sequence > booked_sequence
    assert attendees == ["mailto:student@example.com"]
    assert email.get_body(preferencelist=("plain",)) is not None  # still a readable e-mail

    # delivered once: the outbox keeps the one message of this cancellation
    delivery.deliver_due(clock.now())
    assert len(inbox.received) == 1
