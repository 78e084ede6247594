"""Which showcase is loaded: its name, brand and language, read by every page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dcx.database import UTCDateTime
from dcx.extensions import Model
from dcx.platform import clock


class ShowcaseState(Model):
    """The single row naming the loaded showcase, its brand and the language it was seeded in."""

    __tablename__ = "showcase_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    brand_name: Mapped[str] = mapped_column(String(120))
    brand_colour: Mapped[str] = mapped_column(String(16), default="#1f4e79")
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
