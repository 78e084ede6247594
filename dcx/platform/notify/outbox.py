"""The admin's view of the outbox: one page of deliveries, and dead letters queued again."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from dcx.database import rows_changed
from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.notify.models import OUTBOX_STATUSES, Delivery, DeliveryStatus


def outbox_page(status: str, page: int, per_page: int) -> Pagination:
    """One page of deliveries, newest first, with their messages; only ``status`` ones when it
    is one of :data:`OUTBOX_STATUSES` (anything else lists all). A page past the end is empty."""
    stmt = select(Delivery).options(joinedload(Delivery.message)).order_by(Delivery.id.desc())
    if status in OUTBOX_STATUSES:
        stmt = stmt.where(Delivery.status == status)
    return db.paginate(stmt, page=max(page, 1), per_page=per_page, error_out=False)


def recipient_emails(user_ids: Iterable[int]) -> dict[int, str]:
    """The email address of each of these customers, by id."""
    wanted = set(user_ids)
    return dict(db.session.execute(select(User.id, User.email).where(User.id.in_(wanted))).all())


def retry_dead_letter(delivery_id: int, now: datetime) -> bool:
    """Queue a dead letter again with a fresh round of attempts (its last error is kept until
    the next try); False if the row is not a dead letter. The caller commits."""
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.FAILED)
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now)
    )
    return rows_changed(result) == 1


def retry_dead_letters(now: datetime) -> int:
    """Queue every dead letter again (once the mail server is back), in one statement; how
    many. The caller commits."""
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.status == DeliveryStatus.FAILED)
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now)
    )
    return rows_changed(result)
