"""Which showcase is loaded: its name, brand and language, read by every page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from dcx.database import IdMixin, UTCDateTime
from dcx.extensions import Model
from dcx.platform import clock


class ShowcaseState(IdMixin, Model):
    """The single row naming the loaded showcase, its brand and the language it was seeded in."""

    __tablename__ = "showcase_state"

    name: Mapped[str] = mapped_column(String(80))
    brand_name: Mapped[str] = mapped_column(String(120))
    brand_colour: Mapped[str] = mapped_column(String(16), default="#1f4e79")
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
