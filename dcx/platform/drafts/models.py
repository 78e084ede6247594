"""The draft table: one row per customer and form."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dcx.database import IdMixin, OwnedMixin, UTCDateTime
from dcx.extensions import Model
from dcx.platform import clock


class Draft(IdMixin, OwnedMixin, Model):
    """What a customer has typed so far into one resumable form, and where it was typed."""

    __tablename__ = "draft_form"
    __table_args__ = (UniqueConstraint("user_id", "form_key"),)

    form_key: Mapped[str] = mapped_column(String(80))
    url: Mapped[str] = mapped_column(String(500), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    device: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
