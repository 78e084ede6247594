"""The timeline event table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dcx.database import IdMixin, OwnedMixin, UTCDateTime
from dcx.extensions import Model
from dcx.platform import clock


class Event(IdMixin, OwnedMixin, Model):
    """Something that happened to a customer in one vertical (a goal reached, a repair done)."""

    __tablename__ = "timeline_event"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_timeline_event_user_time", "user_id", "occurred_at"),
    )

    vertical: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500), default="")
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    key: Mapped[str | None] = mapped_column(String(120), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
