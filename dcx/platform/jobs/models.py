"""The run log: one row per job and scheduled time, which is also the once-only claim."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dcx.database import IdMixin, UTCDateTime, one_of
from dcx.extensions import Model
from dcx.platform import clock


class RunStatus(StrEnum):
    """A claimed run is running until it succeeds or fails; a run whose process died (or whose
    lease ran out) is marked interrupted, and the next pass takes it over."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class JobRun(IdMixin, Model):
    """A run of one job for one scheduled time. The unique key is the claim: a second
    scheduler inserting the same (job, scheduled time) fails and skips the run."""

    __tablename__ = "job_run"
    __table_args__ = (
        UniqueConstraint("job_id", "scheduled_for"),
        one_of("status", RunStatus),
    )

    job_id: Mapped[str] = mapped_column(String(80), index=True)
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.RUNNING.value)
    owner: Mapped[str] = mapped_column(String(80), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    # Wall-clock time (never the showcase's): moving the demo clock must not expire a lease.
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
