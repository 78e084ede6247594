"""banking: CHECK constraints hold an account's kind and a transaction's status to their enums

Revision ID: banking_0002_status_checks
Revises: banking_0001
Create Date: 2026-12-06 23:00:00.000000

"""

from dcx.migrating import add_checks, drop_checks

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
    add_checks(CHECKS)


def downgrade():
    drop_checks(CHECKS)
