"""Seeded history is history: the emails a showcase's seed wrote to the outbox are never sent.

A seed gives personas months of past messages (their inbox shows them); their email rows
would otherwise all go out the first minute a mail server is configured, to addresses
that are made up. :func:`retire_seeded_emails` marks them ``skipped`` instead.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from dcx.database import rows_changed
from dcx.extensions import db
from dcx.platform.notify.models import Channel, Delivery, DeliveryStatus


def outbox_mark() -> int:
    """The newest outbox row id now (0 if none): call before seeding, pass it after."""
    return db.session.execute(select(func.max(Delivery.id))).scalar_one() or 0


def retire_seeded_emails(after_id: int) -> int:
    """Mark every pending email row newer than ``after_id`` as ``skipped``; returns how many.

    SMS and push rows stay: they only reach the presenter's phone preview, which shows the
    seeded history. The caller commits.
    """
    result = db.session.execute(
        update(Delivery)
        .where(
            Delivery.id > after_id,
            Delivery.channel == Channel.EMAIL,
            Delivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.SKIPPED.value)
    )
    db.session.flush()
    return rows_changed(result)
