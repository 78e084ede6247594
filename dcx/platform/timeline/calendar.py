"""One calendar feed per customer, merging every dated thing the verticals expose.

The feed's URL carries a secret derived with HMAC from the app's key, the customer's id and
their password hash: calendar apps can subscribe without a session, nobody can guess another
customer's URL, and changing the password retires every old URL.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import timedelta

from flask import current_app
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as IcsEvent

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.verticals import CalendarEntry, registry


def feed_secret(user: User) -> str:
    """The secret part of the customer's feed URL."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"calendar:{user.id}:{user.password_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def user_for_feed(user_id: int, secret: str) -> User | None:
    """The customer whose feed this is, or None when the secret does not match."""
    user = db.session.get(User, user_id)
    if user is None or not hmac.compare_digest(feed_secret(user), secret):
        return None
    return user


def entries_for(user_id: int) -> list[tuple[str, CalendarEntry]]:
    """Every vertical's calendar entries for the customer, soonest first, with the vertical key."""
    found: list[tuple[str, CalendarEntry]] = []
    for vertical in registry():
        if vertical.calendar is not None:
            found.extend((vertical.key, entry) for entry in vertical.calendar(user_id))
    return sorted(found, key=lambda pair: pair[1].starts_at)


def _address(name: str, email: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    return address


def ics_file(
    entries: Sequence[tuple[str, CalendarEntry]],
    calendar_name: str,
    brand: str,
    method: str | None = None,
) -> bytes:
    """An RFC 5545 file of ``(vertical key, entry)`` pairs: a feed, or one invitation.

    ``method="REQUEST"`` makes it an invitation (RFC 5546) that mail and calendar apps offer
    to accept; the entries' organizer and attendees are written as such. An invitation needs
    someone invited: a REQUEST whose entries have no attendee is published instead
    (``METHOD:PUBLISH``). ``method="CANCEL"`` withdraws one (same UID, higher SEQUENCE).
    """
    if method == "REQUEST" and not any(entry.attendees for _, entry in entries):
        method = "PUBLISH"
    cal = Calendar()
    cal.add("prodid", f"-//{brand}//DCX Showcase//EN")
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", calendar_name)
    stamp = clock.now()
    for vertical, entry in entries:
        event = IcsEvent()
        event.add("uid", entry.uid if "@" in entry.uid else f"{entry.uid}@{vertical}.dcx")
        event.add("summary", entry.title)
        event.add("dtstart", entry.starts_at)
        event.add("dtend", entry.ends_at or entry.starts_at + timedelta(hours=1))
        event.add("dtstamp", stamp)
        event.add("sequence", entry.sequence)
        if entry.status:
            event.add("status", entry.status)
        if entry.location:
            event.add("location", entry.location)
        if entry.description:
            event.add("description", entry.description)
        if entry.url:
            event.add("url", entry.url)
        if entry.organizer:
            event.add("organizer", _address(*entry.organizer))
        for name, email in entry.attendees:
            attendee = _address(name, email)
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            event.add("attendee", attendee)
        event.add("categories", [vertical])
        cal.add_component(event)
    return cal.to_ical()


def build_ics(user: User, brand: str) -> bytes:
    """The customer's calendar feed as an RFC 5545 file, in the customer's language (a calendar
    app fetches it with no session, so the visitor's language is no guide)."""
    from dcx.platform.notify.services import in_locale, recipient_locales

    with in_locale(recipient_locales([user.id])[user.id]):
        return ics_file(entries_for(user.id), f"{brand}: {user.name}", brand)
