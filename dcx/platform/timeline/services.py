"""Record what happens to a customer, and read their timeline across verticals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel.speaklater import LazyString
from sqlalchemy import select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.services import in_locale, recipient_locales
from dcx.platform.timeline.models import Event
from dcx.verticals import registry


def record(
    user: Any,
    vertical: str,
    kind: str,
    subject: str,
    summary: str = "",
    data: Mapping[str, Any] | None = None,
    link: str = "",
    key: str | None = None,
    occurred_at: datetime | None = None,
) -> Event | None:
    """Append an event to the customer's timeline; None if ``key`` was already recorded.

    Events of a vertical declared ``private_timeline`` (health) are private: the customer sees
    them, staff only with the customer's consent. A ``subject`` or ``summary`` given as
    ``lazy_gettext(...)`` is written in the customer's language, whoever caused the event.
    """
    user_id = user if isinstance(user, int) else user.id
    if key is not None:
        exists = db.session.execute(
            select(Event.id).where(Event.user_id == user_id, Event.key == key)
        ).first()
        if exists:
            return None
    if isinstance(subject, LazyString) or isinstance(summary, LazyString):
        with in_locale(recipient_locales([user_id])[user_id]):
            subject, summary = str(subject), str(summary)
    spec = registry().get(vertical)
    event = Event(
        user_id=user_id,
        vertical=vertical,
        kind=kind,
        subject=subject[:200],
        summary=summary,
        data=dict(data or {}),
        link=link[:500],
        private=bool(spec and spec.private_timeline),
        key=key,
        occurred_at=occurred_at or clock.now(),
    )
    db.session.add(event)
    db.session.flush()
    return event


def timeline(
    user_id: int,
    vertical: str | None = None,
    include_private: bool = True,
    limit: int = 50,
    before_id: int | None = None,
) -> list[Event]:
    """The customer's events, newest first, optionally of one vertical."""
    stmt = select(Event).where(Event.user_id == user_id)
    if vertical:
        stmt = stmt.where(Event.vertical == vertical)
    if not include_private:
        stmt = stmt.where(Event.private.is_(False))
    if before_id:
        stmt = stmt.where(Event.id < before_id)
    stmt = stmt.order_by(Event.occurred_at.desc(), Event.id.desc()).limit(limit)
    return list(db.session.execute(stmt).scalars())
