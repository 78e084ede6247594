"""Store and virtual events: RSVPs, the waitlist and its promotions, reminders and calendar entries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta

from flask import url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from dcx.extensions import db
from dcx.platform import brand, clock
from dcx.platform.accounts.models import User
from dcx.platform.notify.services import in_locale, notify, recipient_locales
from dcx.platform.timeline.calendar import ics_file
from dcx.platform.timeline.services import record
from dcx.retail.models import (
    EventKind,
    RetailEvent,
    RetailReservation,
    RetailRsvp,
    RsvpStatus,
)
from dcx.retail.services import KEY, RetailError, _has_request
from dcx.verticals import CalendarEntry

# --- events and the waitlist -----------------------------------------------------------------


def seats_taken(event_id: int) -> int:
    """How many customers are going."""
    return db.session.execute(
        select(func.count(RetailRsvp.id)).where(
            RetailRsvp.event_id == event_id, RetailRsvp.status == RsvpStatus.GOING
        )
    ).scalar_one()


def rsvp_for(event_id: int, user_id: int) -> RetailRsvp | None:
    """The customer's answer to the event, or None."""
    return db.session.execute(
        select(RetailRsvp).where(RetailRsvp.event_id == event_id, RetailRsvp.user_id == user_id)
    ).scalar_one_or_none()


def answer_event(event: RetailEvent, user_id: int, answer: str) -> RetailRsvp:
    """RSVP going / interested / not going; "going" to a full event joins the waitlist.

    When someone who was going answers otherwise, their seat goes at once to the first
    customer on the waitlist, who is told.
    """
    if answer not in ("going", "interested", "not_going"):
        raise RetailError(_l("Answer going, interested or not going."))
    now = clock.now()
    if event.starts_at <= now:
        raise RetailError(_l("This event has already started."))
    # Lock the event row (PostgreSQL) so two answers cannot both take the last seat.
    db.session.execute(select(RetailEvent.id).where(RetailEvent.id == event.id).with_for_update())
    rsvp = rsvp_for(event.id, user_id)
    previous = rsvp.status if rsvp else None
    if answer == "going" and rsvp is not None and previous in ("going", "waitlisted"):
        return rsvp
    # Counted before this answer is added, so it never takes its own seat.
    full = seats_taken(event.id) >= event.capacity
    if rsvp is None:
        rsvp = RetailRsvp(event_id=event.id, user_id=user_id, status=answer)
        db.session.add(rsvp)
    if answer == "going" and full:
        rsvp.status = RsvpStatus.WAITLISTED.value
        rsvp.waitlisted_at = now
    else:
        rsvp.status = answer
        rsvp.waitlisted_at = None
    rsvp.updated_at = now
    db.session.flush()
    if rsvp.status == RsvpStatus.GOING:
        _seat_confirmed(event, rsvp, promoted=False)
    if previous == "going" and rsvp.status != RsvpStatus.GOING:
        promote_from_waitlist(event)
    return rsvp


def promote_from_waitlist(event: RetailEvent) -> list[RetailRsvp]:
    """Give every free seat to the first customers on the waitlist and tell each at once."""
    promoted: list[RetailRsvp] = []
    free = event.capacity - seats_taken(event.id)
    if free <= 0:
        return promoted
    queue = list(
        db.session.execute(
            select(RetailRsvp)
            .where(RetailRsvp.event_id == event.id, RetailRsvp.status == RsvpStatus.WAITLISTED)
            .order_by(RetailRsvp.waitlisted_at, RetailRsvp.id)
            .limit(free)
        ).scalars()
    )
    locales = recipient_locales(rsvp.user_id for rsvp in queue)
    for position, rsvp in enumerate(queue, start=1):
        joined = rsvp.waitlisted_at
        rsvp.status = RsvpStatus.GOING.value
        rsvp.waitlisted_at = None
        rsvp.updated_at = clock.now()
        promoted.append(rsvp)
        with in_locale(locales[rsvp.user_id]):
            title = _("A seat is yours: %(title)s", title=event.title)
            when = format_datetime(event.starts_at, "dd MMM yyyy HH:mm z")
            if position == 1:
                body = _(
                    "A seat freed up and you were first on the waitlist. See you on %(when)s.",
                    when=when,
                )
            else:
                body = _(
                    "A seat freed up and you were number %(position)s on the waitlist. See you on %(when)s.",
                    position=position,
                    when=when,
                )
        notify(
            rsvp.user_id,
            "retail.waitlist_promoted",
            title,
            body,
            link=_event_link(event),
            key=f"retail.promoted:{rsvp.id}:{int(joined.timestamp()) if joined else 0}",
        )
        _seat_confirmed(event, rsvp, promoted=True)
    db.session.flush()
    return promoted


def remove_attendee(event: RetailEvent, rsvp: RetailRsvp) -> list[RetailRsvp]:
    """The bookseller takes a customer off the guest list; the seat goes at once to the first
    on the waitlist (who is told). Answers the customers promoted.

    Raises :class:`RetailError` for an answer that holds no seat at this event or an event
    that has started.
    """
    if rsvp.event_id != event.id or rsvp.status != RsvpStatus.GOING:
        raise RetailError(_l("This customer holds no seat at this event."))
    if event.starts_at <= clock.now():
        raise RetailError(_l("This event has already started."))
    db.session.execute(select(RetailEvent.id).where(RetailEvent.id == event.id).with_for_update())
    rsvp.status = RsvpStatus.NOT_GOING.value
    rsvp.updated_at = clock.now()
    db.session.flush()
    return promote_from_waitlist(event)


def guest_list(event_id: int) -> list[RetailRsvp]:
    """Staff: the customers going to the event, by name."""
    return list(
        db.session.execute(
            select(RetailRsvp)
            .join(RetailRsvp.user)
            .where(RetailRsvp.event_id == event_id, RetailRsvp.status == RsvpStatus.GOING)
            .options(selectinload(RetailRsvp.user))
            .order_by(User.name, RetailRsvp.id)
        ).scalars()
    )


def _event_link(event: RetailEvent) -> str:
    return url_for("retail.event", event_id=event.id) if _has_request() else ""


def _seat_confirmed(event: RetailEvent, rsvp: RetailRsvp, promoted: bool) -> None:
    record(
        rsvp.user_id,
        KEY,
        "seat_confirmed",
        _l("Your seat at %(title)s", title=event.title),
        _l("Promoted from the waitlist") if promoted else "",
        {"event_id": event.id},
        link=_event_link(event),
        key=f"retail.seat:{rsvp.id}:{int(clock.now().timestamp())}",
    )


def rsvp_counts(event_ids: Iterable[int]) -> dict[int, Counter]:
    """Per event, the number of answers of each status (one query)."""
    ids = list(event_ids)
    result: dict[int, Counter] = {i: Counter() for i in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(RetailRsvp.event_id, RetailRsvp.status, func.count(RetailRsvp.id))
        .where(RetailRsvp.event_id.in_(ids))
        .group_by(RetailRsvp.event_id, RetailRsvp.status)
    ).all()
    for event_id, status, n in rows:
        result[event_id][status] = n
    return result


def upcoming_events(now: datetime, limit: int = 50) -> list[RetailEvent]:
    """Events that have not ended, soonest first."""
    return list(
        db.session.execute(
            select(RetailEvent)
            .where(RetailEvent.ends_at > now)
            .order_by(RetailEvent.starts_at)
            .limit(limit)
        ).scalars()
    )


def past_events(now: datetime, limit: int = 10) -> list[RetailEvent]:
    """Events that have ended, latest first."""
    return list(
        db.session.execute(
            select(RetailEvent)
            .where(RetailEvent.ends_at <= now)
            .order_by(RetailEvent.starts_at.desc())
            .limit(limit)
        ).scalars()
    )


def waitlist(event_id: int) -> list[RetailRsvp]:
    """The event's waitlist in order."""
    return list(
        db.session.execute(
            select(RetailRsvp)
            .where(RetailRsvp.event_id == event_id, RetailRsvp.status == RsvpStatus.WAITLISTED)
            .options(selectinload(RetailRsvp.user))
            .order_by(RetailRsvp.waitlisted_at, RetailRsvp.id)
        ).scalars()
    )


def waitlists(event_ids: Iterable[int]) -> dict[int, list[RetailRsvp]]:
    """Staff: each event's waitlist in order, for many events in one query."""
    ids = list(event_ids)
    result: dict[int, list[RetailRsvp]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(RetailRsvp)
        .where(RetailRsvp.event_id.in_(ids), RetailRsvp.status == RsvpStatus.WAITLISTED)
        .options(selectinload(RetailRsvp.user))
        .order_by(RetailRsvp.waitlisted_at, RetailRsvp.id)
    ).scalars()
    for rsvp in rows:
        result[rsvp.event_id].append(rsvp)
    return result


def event_ics(event: RetailEvent) -> bytes:
    """The event as an iCalendar file (one VEVENT), built by the platform's calendar."""
    entry = CalendarEntry(
        uid=f"retail-event-{event.id}@dcx.example",
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        location=event.where,
        description=event.description,
        url=event.link if event.kind == EventKind.VIRTUAL and event.link else "",
    )
    return ics_file([("retail", entry)], event.title, brand.name())


def calendar(user_id: int) -> list[CalendarEntry]:
    """Extension point: the customer's upcoming events (going or waitlisted) and café days."""
    now = clock.now()
    entries = [
        CalendarEntry(
            uid=f"retail-event-{e.id}@dcx.example",
            title=e.title if status == "going" else _("%(title)s (waitlist)", title=e.title),
            starts_at=e.starts_at,
            ends_at=e.ends_at,
            location=e.where,
            description=e.description,
        )
        for e, status in db.session.execute(
            select(RetailEvent, RetailRsvp.status)
            .join(RetailRsvp, RetailRsvp.event_id == RetailEvent.id)
            .where(
                RetailRsvp.user_id == user_id,
                RetailRsvp.status.in_((RsvpStatus.GOING, RsvpStatus.WAITLISTED)),
                RetailEvent.ends_at > now,
            )
            .order_by(RetailEvent.starts_at)
        ).all()
    ]
    for r in db.session.execute(
        select(RetailReservation).where(
            RetailReservation.user_id == user_id, RetailReservation.day >= now.date()
        )
    ).scalars():
        start = datetime.combine(r.day, time(10), tzinfo=UTC)
        entries.append(
            CalendarEntry(
                uid=f"retail-cafe-{r.id}@dcx.example",
                title=_("Books waiting at the café table"),
                starts_at=start,
                ends_at=start + timedelta(hours=8),
                location=_("The bookstore café"),
            )
        )
    return entries
