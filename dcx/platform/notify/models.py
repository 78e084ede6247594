"""Notification tables: the inbox message, its outbox rows per channel, preferences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dcx.database import UTCDateTime
from dcx.extensions import Model
from dcx.platform import clock

CHANNELS = ("inbox", "email", "sms", "push")
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


class Message(Model):
    """One message in a customer's inbox. ``key`` makes a job's message once-only."""

    __tablename__ = "notify_message"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_notify_message_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("account_user.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    key: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="message", cascade="all, delete-orphan"
    )


class Delivery(Model):
    """An outbox row: one message to send on one channel, with its attempts and last error."""

    __tablename__ = "notify_delivery"
    __table_args__ = (
        UniqueConstraint("message_id", "channel"),
        Index("ix_notify_delivery_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("notify_message.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("account_user.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # What the adapter actually sent (the SMS text, the push line, the email's subject and
    # body): the presenter's phone preview shows exactly this.
    rendered: Mapped[str] = mapped_column(Text, default="", server_default="")

    message: Mapped[Message] = relationship(back_populates="deliveries")


class Preference(Model):
    """The channels a customer chose for one topic (besides the inbox, which is always on)."""

    __tablename__ = "notify_preference"
    __table_args__ = (UniqueConstraint("user_id", "topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("account_user.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(64))
    channels: Mapped[str] = mapped_column(String(64), default="")


class QuietHours(Model):
    """A customer's quiet hours: SMS and push wait until they end (email and inbox do not).

    Minutes after local midnight in the customer's time zone; a start after the end wraps
    past midnight (22:00-07:00).
    """

    __tablename__ = "notify_quiet_hours"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("account_user.id", ondelete="CASCADE"), unique=True
    )
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
