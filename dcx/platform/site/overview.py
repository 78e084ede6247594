"""The signed-in customer's home: one view of their relationship across industries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dcx.platform import clock
from dcx.platform.notify.services import unread_count
from dcx.platform.site.since import changes_since, sentence
from dcx.platform.timeline.calendar import entries_for
from dcx.platform.timeline.services import timeline
from dcx.verticals import registry

OBLIGATION_DAYS = 14
CALENDAR_DAYS = 7


@dataclass
class Overview:
    """What needs the customer's attention, what happened lately, what is unread."""

    obligations: list[Any] = field(default_factory=list)
    upcoming: list[Any] = field(default_factory=list)
    recent: list[Any] = field(default_factory=list)
    unread: int = 0
    since_last_visit: str = ""  # "Since Tuesday: 2 new messages, ...", or ""

    @property
    def empty(self) -> bool:
        """True when there is nothing at all to show yet."""
        return not (self.obligations or self.upcoming or self.recent or self.unread)


def overview_for(user_id: int, since: datetime | None = None) -> Overview:
    """Bills due soon, things in the next days, recent events and unread messages; with
    ``since`` (when the customer's previous visit began), what arrived after it."""
    now = clock.now()
    today = now.date()
    obligations = []
    for vertical in registry():
        if vertical.obligations is not None:
            obligations.extend(
                vertical.obligations(user_id, today, today + timedelta(days=OBLIGATION_DAYS))
            )
    # Whole days: "this week" runs to the end of the seventh day, so an entry a week away
    # is in it whatever the second the page is read (it used to race the clock's tick).
    last_day = today + timedelta(days=CALENDAR_DAYS)
    upcoming = [
        (key, entry)
        for key, entry in entries_for(user_id)
        if now - timedelta(hours=1) <= entry.starts_at and entry.starts_at.date() <= last_day
    ]
    return Overview(
        obligations=sorted(obligations, key=lambda o: o.due_on),
        upcoming=upcoming,
        recent=timeline(user_id, limit=5),
        unread=unread_count(user_id),
        since_last_visit=_since_last_visit(user_id, since, now) if since else "",
    )


def _since_last_visit(user_id: int, since: datetime, now: datetime) -> str:
    labels = {vertical.key: dict(vertical.timeline_kinds) for vertical in registry()}
    return sentence(changes_since(user_id, since), labels, now)
