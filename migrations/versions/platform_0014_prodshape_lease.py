"""notify: an outbox row's wall-clock lease while a process sends it

Revision ID: platform_0014_prodshape_lease
Revises: platform_0013_harden_job_leases
Create Date: 2026-12-07 03:35:00.000000

"""

import sqlalchemy as sa
from alembic import op

import dcx.database

# revision identifiers, used by Alembic.
revision = "platform_0014_prodshape_lease"
down_revision = "platform_0013_harden_job_leases"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notify_delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("leased_until", dcx.database.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("notify_delivery", schema=None) as batch_op:
        batch_op.drop_column("leased_until")
