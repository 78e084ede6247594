"""Steps several migrations take the same way, in Alembic's batch mode (so SQLite can too)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

#: (table, column, condition): a CHECK named ``ck_<table>_<column>`` (see ``database.one_of``)
Check = tuple[str, str, str]


def add_checks(checks: Sequence[Check]) -> None:
    """Add each CHECK constraint to its table."""
    for table, column, condition in checks:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f"ck_{table}_{column}"), condition)


def drop_checks(checks: Sequence[Check]) -> None:
    """Drop each CHECK constraint, last added first."""
    for table, column, _condition in reversed(checks):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")


def max_id(conn: Connection, table: str) -> int:
    """The highest id of ``table`` (0 when empty): where copied rows' ids are shifted past."""
    statement = f"SELECT COALESCE(MAX(id), 0) FROM {table}"  # noqa: S608  # nosec B608 (a migration's own table name)
    return int(conn.execute(sa.text(statement)).scalar_one())


def restart_ids(conn: Connection, tables: Sequence[str]) -> None:
    """PostgreSQL: rows copied with explicit ids leave each serial behind; move it past them."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608  # nosec B608 (a migration's own table name)
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
        )
