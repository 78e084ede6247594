"""Steps several migrations take the same way, in Alembic's batch mode (so SQLite can too)."""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

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
