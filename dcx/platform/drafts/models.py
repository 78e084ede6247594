"""The draft table: one row per customer and form."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dcx.database import UTCDateTime
from dcx.extensions import Model
from dcx.platform import clock


class Draft(Model):
    """What a customer has typed so far into one resumable form, and where it was typed."""

    __tablename__ = "draft_form"
    __table_args__ = (UniqueConstraint("user_id", "form_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("account_user.id", ondelete="CASCADE"))
    form_key: Mapped[str] = mapped_column(String(80))
    url: Mapped[str] = mapped_column(String(500), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    device: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
