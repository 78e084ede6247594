"""Send a message to a customer: the inbox row and one outbox row per chosen channel.

Call :func:`notify` (one customer) or :func:`notify_bulk` (a job's many customers) inside the
transaction of the event that causes the message; the caller commits. A ``key`` makes the
message once-only per customer: a second call with the same key inserts nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import and_, insert, literal, or_, select

from dcx.database import insert_ignoring_duplicates
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.notify.models import CHANNELS, Delivery, Message, Preference
from dcx.verticals import registry

EXTERNAL_CHANNELS = ("email", "sms", "push")


def default_channels(topic: str) -> tuple[str, ...]:
    """The channels a topic uses when the customer has not chosen (besides the inbox)."""
    spec = registry().topics().get(topic)
    return tuple(c for c in (spec.channels if spec else ("email",)) if c in EXTERNAL_CHANNELS)


def channels_for(user_id: int, topic: str) -> tuple[str, ...]:
    """The external channels this customer gets for ``topic``: their choice or the default."""
    chosen = db.session.execute(
        select(Preference.channels).where(Preference.user_id == user_id, Preference.topic == topic)
    ).scalar_one_or_none()
    if chosen is None:
        return default_channels(topic)
    return tuple(c for c in chosen.split(",") if c in EXTERNAL_CHANNELS)


def notify(
    user: User | int,
    topic: str,
    title: str,
    body: str = "",
    link: str = "",
    key: str | None = None,
) -> Message | None:
    """Put a message in the customer's inbox and outbox; None if ``key`` was already sent."""
    user_id = user if isinstance(user, int) else user.id
    if key is not None:
        exists = db.session.execute(
            select(Message.id).where(Message.user_id == user_id, Message.key == key)
        ).first()
        if exists:
            return None
    message = Message(
        user_id=user_id, topic=topic, title=title[:200], body=body, link=link[:500], key=key
    )
    db.session.add(message)
    db.session.flush()
    now = clock.now()
    for channel in channels_for(user_id, topic):
        db.session.add(
            Delivery(message_id=message.id, user_id=user_id, channel=channel, next_attempt_at=now)
        )
    db.session.flush()
    return message


def notify_bulk(topic: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Send many messages of one topic set-based; rows need ``user_id``, ``title``, ``key``.

    Rows whose (user, key) was already sent are skipped by the unique key, so a job that runs
    twice, or two schedulers at once, never send a message twice. Returns how many rows were
    offered (the new messages are what the outbox then holds).
    """
    now = clock.now()
    values = [
        {
            "user_id": r["user_id"],
            "topic": topic,
            "title": str(r["title"])[:200],
            "body": r.get("body", ""),
            "link": str(r.get("link", ""))[:500],
            "key": r["key"],
            "created_at": now,
        }
        for r in rows
    ]
    if not values:
        return 0
    for start in range(0, len(values), 500):
        db.session.execute(insert_ignoring_duplicates(Message), values[start : start + 500])
    keys = sorted({v["key"] for v in values})
    defaults = default_channels(topic)
    for channel in EXTERNAL_CHANNELS:
        chose_it = Preference.channels.contains(channel)
        wants = or_(and_(Preference.id.is_(None), literal(channel in defaults)), chose_it)
        for start in range(0, len(keys), 500):
            chosen = (
                select(
                    Message.id,
                    Message.user_id,
                    literal(channel),
                    literal("pending"),
                    literal(0),
                    literal(now, type_=Delivery.next_attempt_at.type),
                    literal(""),
                    literal(now, type_=Delivery.created_at.type),
                )
                .outerjoin(
                    Preference,
                    and_(Preference.user_id == Message.user_id, Preference.topic == Message.topic),
                )
                .outerjoin(
                    Delivery, and_(Delivery.message_id == Message.id, Delivery.channel == channel)
                )
                .where(Message.topic == topic, Message.key.in_(keys[start : start + 500]))
                .where(Delivery.id.is_(None), wants)
            )
            db.session.execute(
                insert(Delivery).from_select(
                    [
                        "message_id",
                        "user_id",
                        "channel",
                        "status",
                        "attempts",
                        "next_attempt_at",
                        "last_error",
                        "created_at",
                    ],
                    chosen,
                )
            )
    db.session.flush()
    return len(values)


def unread_count(user_id: int) -> int:
    """How many inbox messages the customer has not read."""
    from sqlalchemy import func

    return db.session.execute(
        select(func.count()).where(Message.user_id == user_id, Message.read_at.is_(None))
    ).scalar_one()


__all__ = ["CHANNELS", "channels_for", "notify", "notify_bulk", "unread_count"]
