"""Notification tables: the inbox message, its outbox rows per channel, preferences."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dcx.database import CreatedAtMixin, IdMixin, OwnedMixin, UTCDateTime, one_of
from dcx.extensions import Model
from dcx.platform import clock


class Channel(StrEnum):
    """Where a message goes: the inbox, or out by email, SMS or push."""

    INBOX = "inbox"
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"


class DeliveryStatus(StrEnum):
    """Where an outbox row stands (see :mod:`dcx.platform.notify.delivery`)."""

    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by one process, under a lease
    SENT = "sent"
    # the dead letter: every attempt failed; kept with its error until an admin retries it
    FAILED = "failed"
    SKIPPED = "skipped"  # seeded history, never sent (see notify.history)


CHANNELS = tuple(member.value for member in Channel)
OUTBOX_STATUSES = tuple(member.value for member in DeliveryStatus)


class Message(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """One message in a customer's inbox. ``key`` makes a job's message once-only."""

    __tablename__ = "notify_message"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_notify_message_user_read", "user_id", "read_at"),
    )

    topic: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    key: Mapped[str | None] = mapped_column(String(120), nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="message", cascade="all, delete-orphan"
    )


class Delivery(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """An outbox row: one message to send on one channel, with its attempts and last error."""

    __tablename__ = "notify_delivery"
    __owner_indexed__ = True
    __table_args__ = (
        UniqueConstraint("message_id", "channel"),
        Index("ix_notify_delivery_due", "status", "next_attempt_at"),
        one_of("channel", Channel),
        one_of("status", DeliveryStatus),
    )

    message_id: Mapped[int] = mapped_column(ForeignKey("notify_message.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Until when (wall-clock, never the showcase's: moving the demo clock must not expire it)
    # the process that claimed the row is sending it; after that another process may take it.
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # What the adapter actually sent (the SMS text, the push line, the email's subject and
    # body): the presenter's phone preview shows exactly this.
    rendered: Mapped[str] = mapped_column(Text, default="", server_default="")

    message: Mapped[Message] = relationship(back_populates="deliveries")


class Preference(IdMixin, OwnedMixin, Model):
    """The channels a customer chose for one topic (besides the inbox, which is always on)."""

    __tablename__ = "notify_preference"
    __table_args__ = (UniqueConstraint("user_id", "topic"),)

    topic: Mapped[str] = mapped_column(String(64))
    channels: Mapped[str] = mapped_column(String(64), default="")


class QuietHours(IdMixin, Model):
    """A customer's quiet hours: SMS and push wait until they end (email and inbox do not).

    Minutes after local midnight in the customer's time zone; a start after the end wraps
    past midnight (22:00-07:00).
    """

    __tablename__ = "notify_quiet_hours"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("account_user.id", ondelete="CASCADE"), unique=True
    )
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")


class PushSubscription(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """One device (a browser on a phone or a laptop) that receives the customer's push messages.

    ``endpoint`` is the push service's URL for this device, ``p256dh`` and ``auth`` the keys
    the message is encrypted with (RFC 8291); ``name`` is what the customer calls the device.
    A device belongs to the last account that enabled push on it.
    """

    __tablename__ = "notify_push_subscription"
    __owner_indexed__ = True

    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(80), default="")
    last_pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
