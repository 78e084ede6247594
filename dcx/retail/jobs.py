"""The bookstore's scheduled jobs: event reminders the day before, monthly "new for you" picks.

Both catch up from state and are once-only through notify keys and unique rows, so a rerun
sends nothing twice. Each message is written in its recipient's language.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, select

from dcx.database import insert_ignoring_duplicates
from dcx.extensions import db
from dcx.platform.links import link
from dcx.platform.notify.services import notify_each
from dcx.retail import recommender
from dcx.retail.models import (
    RetailBook,
    RetailEvent,
    RetailRecommendationSent,
    RetailRsvp,
    RsvpStatus,
)
from dcx.verticals import scheduled


@scheduled({"minute": 0}, _l("Remind everyone going to an event the day before it starts."))
def event_reminders(now: datetime) -> int:
    """Remind everyone going to an event that starts within the next day (once each)."""
    rows = db.session.execute(
        select(
            RetailRsvp.user_id,
            RetailEvent.id,
            RetailEvent.title,
            RetailEvent.starts_at,
            RetailEvent.kind,
            RetailEvent.link,
            RetailEvent.address,
        )
        .join(RetailEvent, RetailEvent.id == RetailRsvp.event_id)
        .where(
            RetailRsvp.status == RsvpStatus.GOING,
            RetailEvent.starts_at > now,
            RetailEvent.starts_at <= now + timedelta(days=1),
        )
    ).all()

    def reminder(row: Row[int, int, str, datetime, str, str, str]) -> dict[str, str]:
        _user_id, event_id, title, starts_at, kind, meeting_link, address = row
        return {
            "title": _("Tomorrow: %(title)s", title=title),
            "body": _(
                "Starts %(when)s. %(where)s",
                when=format_datetime(starts_at, "dd MMM HH:mm z"),
                where=meeting_link if kind == "virtual" else address,
            ),
            "link": link("retail.event", event_id=event_id),
            "key": f"retail.event_reminder:{event_id}",
        }

    return notify_each("retail.event_reminder", rows, lambda row: row[0], reminder)


@scheduled(
    {"day": 1, "hour": 8},
    _l('Send each customer the month\'s "new for you" recommended titles.'),
    each_period=True,
)
def new_for_you(now: datetime) -> int:
    """Send each customer with orders this month's recommended titles (once per month)."""
    period = f"{now:%Y-%m}"
    picks = recommender.monthly_picks(period)
    if not picks:
        return 0
    values = [
        {
            "user_id": p["user_id"],
            "book_id": p["book_id"],
            "because_book_id": p["because"],
            "period": period,
            "created_at": now,
        }
        for p in picks
    ]
    for start in range(0, len(values), 500):
        db.session.execute(
            insert_ignoring_duplicates(RetailRecommendationSent), values[start : start + 500]
        )
    titles = dict(
        db.session.execute(
            select(RetailBook.id, RetailBook.title).where(
                RetailBook.id.in_({p["book_id"] for p in picks})
            )
        ).all()
    )
    by_user: dict[int, list[str]] = {}
    for p in picks:
        by_user.setdefault(p["user_id"], []).append(titles[p["book_id"]])
    return notify_each(
        "retail.new_for_you",
        by_user,
        lambda user_id: user_id,
        lambda user_id: {
            "title": _("New for you this month"),
            "body": "; ".join(by_user[user_id]),
            "link": link("retail.recommendations"),
            "key": f"retail.new_for_you:{period}",
        },
    )
