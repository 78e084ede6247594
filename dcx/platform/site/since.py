"""What changed since you last looked: one line on a customer's home.

"Since Tuesday: 2 new messages, Monthly report ready and Service reminder (3)." Counted from
the inbox and the timeline since the start of the customer's previous visit (the time their
sign-in noted in ``User.last_seen_at``, kept in the session for the visit), in the reader's
language and time zone. Two queries, whatever the customer's history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.lists import format_list
from flask_babel import format_date, format_time, get_locale, gettext, ngettext, to_user_timezone
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.services import SINCE_SESSION_KEY as SESSION_KEY
from dcx.platform.notify.models import Message
from dcx.platform.timeline.models import Event

__all__ = ["SESSION_KEY", "Change", "SinceLastVisit", "changes_since", "sentence", "when"]
# Within a week, the weekday says when ("since Tuesday"); longer ago, the date.
WEEKDAY_WITHIN = timedelta(days=6)


@dataclass(frozen=True)
class Change:
    """One kind of thing that happened: ``count`` events of ``vertical``'s ``kind``."""

    vertical: str
    kind: str
    count: int


@dataclass(frozen=True)
class SinceLastVisit:
    """What arrived for a customer since ``since``: new messages and timeline events."""

    since: datetime
    messages: int
    changes: tuple[Change, ...]

    @property
    def empty(self) -> bool:
        """True when nothing arrived."""
        return not (self.messages or self.changes)


def changes_since(user_id: int, since: datetime) -> SinceLastVisit:
    """The customer's new inbox messages and timeline events (by kind) after ``since``."""
    messages = db.session.execute(
        select(func.count()).where(Message.user_id == user_id, Message.created_at > since)
    ).scalar_one()
    until = clock.now()
    rows = db.session.execute(
        select(Event.vertical, Event.kind, func.count())
        .where(Event.user_id == user_id, Event.occurred_at > since, Event.occurred_at <= until)
        .group_by(Event.vertical, Event.kind)
        .order_by(func.count().desc(), Event.vertical, Event.kind)
    ).all()
    changes = tuple(Change(vertical, kind, int(count)) for vertical, kind, count in rows)
    return SinceLastVisit(since=since, messages=int(messages), changes=changes)


def when(since: datetime, now: datetime) -> str:
    """ "Since ..." in the reader's language and zone: a time today, a weekday within the
    week, else a date."""
    day, today = to_user_timezone(since).date(), to_user_timezone(now).date()
    if day == today:
        return gettext("Since %(time)s today", time=format_time(since, "short"))
    if today - day <= WEEKDAY_WITHIN:
        return gettext("Since %(weekday)s", weekday=format_date(since, "EEEE"))
    return gettext("Since %(date)s", date=format_date(since, "long"))


def sentence(
    found: SinceLastVisit, labels: Mapping[str, Mapping[str, object]], now: datetime
) -> str:
    """The line itself ("" when nothing arrived): ``labels`` maps a vertical's key to its
    timeline kinds' names (a kind without a name is left out of the words, not the count)."""
    if found.empty:
        return ""
    parts = []
    if found.messages:
        parts.append(ngettext("%(num)d new message", "%(num)d new messages", found.messages))
    others = 0
    for change in found.changes:
        label = labels.get(change.vertical, {}).get(change.kind)
        if label is None:
            others += change.count
        elif change.count == 1:
            parts.append(str(label))
        else:
            parts.append(gettext("%(what)s (%(num)d)", what=label, num=change.count))
    if others:
        parts.append(ngettext("%(num)d other event", "%(num)d other events", others))
    return gettext(
        "%(since)s: %(changes)s.",
        since=when(found.since, now),
        changes=format_list(parts, locale=str(get_locale() or "en")),
    )
