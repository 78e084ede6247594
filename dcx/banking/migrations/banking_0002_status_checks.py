"""banking: CHECK constraints hold an account's kind and a transaction's status to their enums

Revision ID: banking_0002_status_checks
Revises: banking_0001
Create Date: 2026-12-06 23:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "banking_0002_status_checks"
down_revision = "banking_0001"
branch_labels = None
depends_on = None

# (table, column, the values it may hold): each check is named ck_<table>_<column>
CHECKS = (
    ("banking_account", "kind", "kind IN ('current', 'savings')"),
    ("banking_transaction", "status", "status IN ('booked', 'pending')"),
)


def upgrade():
    for table, column, condition in CHECKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f"ck_{table}_{column}"), condition)


def downgrade():
    for table, column, _condition in reversed(CHECKS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
