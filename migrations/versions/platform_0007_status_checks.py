"""platform: CHECK constraints hold a job run's status, a delivery's channel and status, and a user's role to their enums

Revision ID: platform_0007_status_checks
Revises: platform_0006_pwa
Create Date: 2026-12-06 23:00:00.000000

"""

from dcx.migrating import add_checks, drop_checks

# revision identifiers, used by Alembic.
revision = "platform_0007_status_checks"
down_revision = "platform_0006_pwa"
branch_labels = None
depends_on = None

# (table, column, the values it may hold): each check is named ck_<table>_<column>
CHECKS = (
    ("job_run", "status", "status IN ('running', 'succeeded', 'failed')"),
    ("notify_delivery", "channel", "channel IN ('inbox', 'email', 'sms', 'push')"),
    ("notify_delivery", "status", "status IN ('pending', 'sending', 'sent', 'failed', 'skipped')"),
    ("account_user", "role", "role IN ('customer', 'staff', 'admin')"),
)


def upgrade():
    add_checks(CHECKS)


def downgrade():
    drop_checks(CHECKS)
