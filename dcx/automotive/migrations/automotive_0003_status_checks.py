"""automotive: CHECK constraints hold statuses and kinds to their enums

Revision ID: automotive_0003_status_checks
Revises: automotive_0002_perf
Create Date: 2026-12-06 23:00:00.000000

"""

from dcx.migrating import add_checks, drop_checks

# revision identifiers, used by Alembic.
revision = "automotive_0003_status_checks"
down_revision = "automotive_0002_perf"
branch_labels = None
depends_on = None

# (table, column, the values it may hold): each check is named ck_<table>_<column>
CHECKS = (
    ("automotive_trouble_code", "status", "status IN ('pending', 'confirmed')"),
    ("automotive_recall_coverage", "status", "status IN ('notified', 'booked', 'remedied')"),
    ("automotive_appointment", "status", "status IN ('booked', 'done')"),
    ("automotive_loan", "kind", "kind IN ('loan', 'lease')"),
    ("automotive_bill", "kind", "kind IN ('instalment', 'service')"),
)


def upgrade():
    add_checks(CHECKS)


def downgrade():
    drop_checks(CHECKS)
