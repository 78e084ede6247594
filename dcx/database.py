"""Shared model pieces: UTC timestamps, the owner-scoped loader and small column helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import abort
from sqlalchemy import DateTime, select
from sqlalchemy.types import TypeDecorator

from dcx.extensions import db

T = TypeVar("T")


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back as an aware UTC datetime.

    SQLite keeps no time zone, so values are normalised on the way in and out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Store aware datetimes as UTC; refuse naive ones, which are ambiguous."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use dcx.platform.clock.now()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def insert_ignoring_duplicates(model: Any):
    """An INSERT that silently skips rows violating a unique key (ON CONFLICT DO NOTHING).

    Works on SQLite and PostgreSQL; it is how jobs and seeds stay idempotent.
    """
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).on_conflict_do_nothing()


def owned_or_404(model: type[T], ident: Any, user_id: int, owner_attr: str = "user_id") -> T:
    """Load one row of ``model`` by primary key only if it belongs to ``user_id``.

    Another customer's id answers 404, exactly like a missing one, so ids reveal nothing.
    """
    try:
        pk = int(ident)
    except (TypeError, ValueError):
        abort(404)
    stmt = select(model).where(
        model.id == pk,  # type: ignore[attr-defined]
        getattr(model, owner_attr) == user_id,
    )
    row = db.session.execute(stmt).scalar_one_or_none()
    if row is None:
        abort(404)
    return row
