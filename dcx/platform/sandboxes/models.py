"""The register of sandboxes, kept in the showcase's own (main) database.

A row says a sandbox exists, when it was made and last used, in which language, and what it
visited (:class:`SandboxVisit`); nothing in it identifies the visitor (no address, no agent).
To cap how many sandboxes one address holds across every web worker, a row keeps a keyed,
truncated hash of the address (``address_key``: the secret key is needed to test a guess, and
it is deleted with the row); it is never shown. The sandbox's own data is in its own database,
never here; only the outcome of its assessment (stage and score) is copied to the register so
the presenter page can show it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dcx.database import IdMixin, UTCDateTime
from dcx.extensions import Model


class Sandbox(Model):
    """One visitor's or presenter's private copy of the showcase."""

    __tablename__ = "sandbox"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    resets: Mapped[int] = mapped_column(Integer, default=0)
    address_key: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    assessment_stage: Mapped[str | None] = mapped_column(String(16), nullable=True)
    assessment_overall: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SandboxVisit(IdMixin, Model):
    """A story or tour step a sandbox opened, and how long it stayed there (seconds until the
    next page of the same sandbox)."""

    __tablename__ = "sandbox_visit"

    sandbox_id: Mapped[str] = mapped_column(
        ForeignKey("sandbox.id", ondelete="CASCADE"), index=True
    )
    vertical: Mapped[str] = mapped_column(String(40))
    step: Mapped[int] = mapped_column(Integer, default=0)  # 0: a page of the story, no tour
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    seconds: Mapped[int] = mapped_column(Integer, default=0)
