"""What a staff member may see of one customer: private verticals stay private.

A vertical declared ``private_timeline`` (health) keeps its events, its summary card and its
messages from staff unless the customer consented to share them or the staff member serves
that vertical (its care team, or an admin). Every list a staff member sees of a customer is
filtered here, in the query, so neither a title nor a count gives a private message away.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, select

from dcx.extensions import db
from dcx.platform.notify.models import Message
from dcx.platform.timeline.models import Event
from dcx.verticals import registry


def hidden_verticals(customer: Any, viewer: Any) -> frozenset[str]:
    """The keys of the private verticals whose data ``viewer`` may not see of ``customer``."""
    if customer.health_consent:
        return frozenset()
    return frozenset(v.key for v in registry() if v.private_timeline and not viewer.serves(v.key))


def _not_of(hidden: frozenset[str]) -> Any:
    """A condition on :class:`Message` leaving out the topics of the ``hidden`` verticals.

    A topic is named ``<vertical>.<kind>`` (``health.dose_reminder``).
    """
    return and_(*(~Message.topic.startswith(f"{key}.", autoescape=True) for key in hidden))


def messages_for_staff(customer_id: int, hidden: frozenset[str], limit: int = 20) -> list[Message]:
    """The customer's latest messages, newest first, without those of ``hidden`` verticals."""
    stmt = select(Message).where(Message.user_id == customer_id)
    if hidden:
        stmt = stmt.where(_not_of(hidden))
    stmt = stmt.order_by(Message.id.desc()).limit(limit)
    return list(db.session.execute(stmt).scalars())


def events_for_staff(customer_id: int, hidden: frozenset[str], limit: int = 30) -> list[Event]:
    """The customer's latest events, newest first, without those of ``hidden`` verticals.

    A private event whose vertical is no longer loaded stays hidden unless nothing is.
    """
    stmt = select(Event).where(Event.user_id == customer_id)
    if hidden:
        stmt = stmt.where(Event.vertical.not_in(hidden))
        visible_private = [v.key for v in registry() if v.private_timeline and v.key not in hidden]
        stmt = stmt.where(Event.private.is_(False) | Event.vertical.in_(visible_private))
    stmt = stmt.order_by(Event.occurred_at.desc(), Event.id.desc()).limit(limit)
    return list(db.session.execute(stmt).scalars())
