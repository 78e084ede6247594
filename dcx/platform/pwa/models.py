"""The app's table: the idempotency key of every action a phone may send twice."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dcx.database import CreatedAtMixin, IdMixin, OwnedMixin
from dcx.extensions import Model


class IdempotencyKey(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """One action a customer's device sent, by the key the device chose for it.

    The row is written in the same transaction as the action itself, so an action replayed
    from a phone's offline queue (or a form sent twice) is stored once: the second request
    with the same key finds the row and is answered with where the first one led.
    """

    __tablename__ = "pwa_idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    key: Mapped[str] = mapped_column(String(64))
    endpoint: Mapped[str] = mapped_column(String(120), default="")
    location: Mapped[str] = mapped_column(String(500), default="")
