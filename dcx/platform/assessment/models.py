"""The assessment's one table: each completed run of the questionnaire with its scores."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dcx.database import CreatedAtMixin, IdMixin
from dcx.extensions import Model


class AssessmentRun(IdMixin, CreatedAtMixin, Model):
    """One completed questionnaire: the answers (1-5 by question id) and what they scored.

    ``user_id`` is empty for an anonymous visitor; such a run is reachable only from the
    browser session that holds its ``access_key``. ``scores`` maps discipline keys to 0-100.
    """

    __tablename__ = "assessment_run"
    __table_args__ = (Index("ix_assessment_run_user_created", "user_id", "created_at"),)

    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("account_user.id", ondelete="CASCADE"), nullable=True
    )
    access_key: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    overall: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(16))
