"""jobs: a run's wall-clock lease, and the interrupted status of a run whose process died

Revision ID: platform_0013_harden_job_leases
Revises: platform_0012_sandbox_register
Create Date: 2026-12-07 02:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

import dcx.database
from dcx.migrating import add_checks, drop_checks

# revision identifiers, used by Alembic.
revision = "platform_0013_harden_job_leases"
down_revision = "platform_0012_sandbox_register"
branch_labels = None
depends_on = None

BEFORE = (("job_run", "status", "status IN ('running', 'succeeded', 'failed')"),)
AFTER = (("job_run", "status", "status IN ('running', 'succeeded', 'failed', 'interrupted')"),)


def upgrade():
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leased_until", dcx.database.UTCDateTime(timezone=True), nullable=True))
    drop_checks(BEFORE)
    add_checks(AFTER)


def downgrade():
    op.execute("UPDATE job_run SET status = 'failed' WHERE status = 'interrupted'")
    drop_checks(AFTER)
    add_checks(BEFORE)
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.drop_column("leased_until")
