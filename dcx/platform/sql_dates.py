"""Date arithmetic in SQL that reads the same on SQLite and PostgreSQL.

``days_between(later, earlier)`` is the whole days from ``earlier`` to ``later`` (negative when
``later`` comes first), for rules a page or a job computes over many rows in one statement
("behind plan", "overdue by") instead of loading the rows into Python.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class days_between(FunctionElement[int]):  # lower case: it reads as the SQL function it is
    """Whole days from the second date to the first: ``days_between(a, b)`` is ``a - b``."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between(element: days_between, compiler: Any, **kw: Any) -> str:
    """PostgreSQL (and the SQL standard's dates): a date minus a date is a count of days."""
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    """SQLite keeps dates as ISO text: the difference of their Julian day numbers."""
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )
