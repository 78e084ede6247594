"""Shared model pieces: UTC timestamps, the id/owner/created-at mixins, the owner-scoped
loader, the plain list query and small column helpers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, TypeVar, cast

from flask import abort
from sqlalchemy import (
    CheckConstraint,
    CursorResult,
    DateTime,
    ForeignKey,
    Insert,
    Integer,
    Result,
    select,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.sql.schema import ColumnDefault
from sqlalchemy.types import TypeDecorator

from dcx.extensions import db
from dcx.platform.inputs import db_int

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
        if value.tzinfo is not UTC:  # most are UTC already: a simulated month binds millions
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _now() -> datetime:
    # the clock's own table is a model, so it is imported when a row is first written
    from dcx.platform import clock

    return clock.now()


class IdMixin:
    """An integer primary key named ``id``."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-100)


class OwnedMixin:
    """The customer who owns the row: ``user_id``, deleted with the account.

    Set ``__owner_indexed__ = True`` on a table read by owner alone; tables whose composite
    indexes already lead with ``user_id`` need no second one.
    """

    __owner_indexed__: ClassVar[bool] = False

    @declared_attr
    def user_id(cls) -> Mapped[int]:
        """The owner's foreign key."""
        return mapped_column(
            ForeignKey("account_user.id", ondelete="CASCADE"),
            index=cls.__owner_indexed__,
            sort_order=-90,
        )


class CreatedAtMixin:
    """When the row was written, by the showcase clock, in UTC."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


def insert_ignoring_duplicates(model: Any) -> Insert:
    """An INSERT that silently skips rows violating a unique key (ON CONFLICT DO NOTHING).

    Works on SQLite and PostgreSQL; it is how jobs and seeds stay idempotent.
    """
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(model).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(model).on_conflict_do_nothing()


def insert_many_ignoring_duplicates(table: Any, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in one executemany, skipping
    rows that violate a unique key, as ``db.session.execute(insert_ignoring_duplicates(table),
    rows)`` would; returns ``len(rows)``.

    The same statement and the same stored values, without SQLAlchemy preparing each row on
    its own (a simulated month at scale inserts hundreds of thousands): the statement is
    compiled once, each column's values are converted column by column with the type's own
    bind processor for this database (so a timestamp is stored as the ORM stores it), and
    the driver's executemany gets the rows. A column left out gets its default, evaluated
    once for the call (a callable such as the clock's ``now`` gives every row one instant).
    """
    if not rows:
        return 0
    connection = db.session.connection()
    dialect = connection.dialect
    given = list(rows[0])
    values: dict[str, list[Any]] = {key: [row[key] for row in rows] for key in given}
    for column in table.columns:
        default = column.default
        if column.key in values or default is None or not isinstance(default, ColumnDefault):
            continue
        if default.is_scalar:
            values[column.key] = [default.arg] * len(rows)
        elif default.is_callable:
            values[column.key] = [default.arg(None)] * len(rows)
    compiled = insert_ignoring_duplicates(table).compile(
        dialect=dialect, column_keys=list(values), for_executemany=True
    )
    names = list(compiled.positiontup or []) if dialect.positional else list(values)
    for name in names:
        processor = table.columns[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            values[name] = [processor(value) for value in values[name]]
    columns = [values[name] for name in names]
    parameters: list[Any] = (
        list(zip(*columns, strict=True))
        if dialect.positional
        else [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    )
    connection.exec_driver_sql(compiled.string, parameters)
    return len(rows)


def ids_in(column: Any, ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` that ``column`` holds, in one query.

    How a scale step tells the customers who already have their rows (a vehicle, an
    enrollment, a report) from those it still has to give them, so a rerun adds nothing.
    """
    return set(db.session.execute(select(column).where(column.in_(list(ids)))).scalars())


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run through ``db.session.execute`` matched.

    The session types its results as plain ``Result``; for DML they are cursor results,
    which carry the count.
    """
    return cast(CursorResult[Any], result).rowcount


def rows_where(model: type[T], *criteria: Any, order_by: Iterable[Any] = ()) -> list[T]:
    """The rows of ``model`` that meet every one of ``criteria``, in ``order_by`` order.

    The one way to write the plainest list query (``select(model).where(...).order_by(...)``,
    run and listed), which services otherwise spell out in seven lines each.
    """
    return list(db.session.scalars(select(model).where(*criteria).order_by(*order_by)))


def owned_or_404(model: type[T], ident: Any, user_id: int, owner_attr: str = "user_id") -> T:
    """Load one row of ``model`` by primary key only if it belongs to ``user_id``.

    Another customer's id answers 404, exactly like a missing one, so ids reveal nothing; so
    does one that is not a number or that no INTEGER column could hold.
    """
    try:
        pk = db_int(ident)
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


def one_of(column: str, values: type[StrEnum], *extra: str) -> CheckConstraint:
    """A CHECK constraint holding ``column`` to the values of a ``StrEnum`` (and ``extra``).

    Named after the column, so the naming convention makes it ``ck_<table>_<column>``; a
    migration that adds it writes the same condition (see :func:`one_of_sql`).
    """
    return CheckConstraint(one_of_sql(column, [*values, *extra]), name=column)


def one_of_sql(column: str, values: list[str] | tuple[str, ...] | type[StrEnum]) -> str:
    """The condition of :func:`one_of`: ``status IN ('open', 'closed')``."""
    allowed = ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)
    return f"{column} IN ({allowed})"
