"""What a request costs the database: the SQL statements it runs and the rows it fetches.

``with page_cost(engine) as cost: client.get(url)`` then ``cost.statements``, ``cost.rows``.
Statements are counted by the engine's ``before_cursor_execute`` event. Rows are counted where
SQLAlchemy takes them from the DB-API cursor (a ``CursorResult``'s fetch methods, through which
the ORM, ``scalars()`` and plain iteration all pass), because ``cursor.rowcount`` is -1 for a
SELECT on SQLite and on some PostgreSQL cursors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.cursor import CursorResult


@dataclass
class Cost:
    """Statements run and rows fetched inside one ``page_cost`` block."""

    statements: int = 0
    rows: int = 0
    sql: list[str] = field(default_factory=list)

    def as_tuple(self) -> tuple[int, int]:
        """(statements, rows), for a message or a table."""
        return self.statements, self.rows


_active: list[Cost] = []


def _counting(original: Any, many: bool) -> Any:
    """Wrap a ``CursorResult`` fetch method so every open ``Cost`` hears of its rows."""

    def fetch(self: CursorResult, *args: Any, **kwargs: Any) -> Any:
        got = original(self, *args, **kwargs)
        if _active:
            n = len(got) if many else int(got is not None)
            for cost in _active:
                cost.rows += n
        return got

    return fetch


def _counting_iter(original: Any) -> Any:
    """Wrap ``CursorResult._fetchiter_impl`` (plain iteration) likewise, row by row."""

    def rows(self: CursorResult) -> Iterator[Any]:
        for row in original(self):
            for cost in _active:
                cost.rows += 1
            yield row

    return rows


@contextmanager
def page_cost(engine: Engine) -> Iterator[Cost]:
    """Count the statements ``engine`` runs and the rows fetched inside the block."""
    cost = Cost()

    def count(conn, cursor, statement, parameters, context, executemany):
        cost.statements += 1
        cost.sql.append(statement)

    patched = {
        "_fetchone_impl": _counting(CursorResult._fetchone_impl, many=False),
        "_fetchall_impl": _counting(CursorResult._fetchall_impl, many=True),
        "_fetchmany_impl": _counting(CursorResult._fetchmany_impl, many=True),
        "_fetchiter_impl": _counting_iter(CursorResult._fetchiter_impl),
    }
    originals = {name: CursorResult.__dict__[name] for name in patched}
    first = not _active
    if first:
        for name, wrapper in patched.items():
            setattr(CursorResult, name, wrapper)
    _active.append(cost)
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield cost
    finally:
        event.remove(engine, "before_cursor_execute", count)
        _active.remove(cost)
        if first:
            for name, original in originals.items():
                setattr(CursorResult, name, original)
