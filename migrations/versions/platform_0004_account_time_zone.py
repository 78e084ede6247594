"""accounts: each person's time zone, which every time they see is shown in

Revision ID: platform_0004_time_zone
Revises: platform_0003
Create Date: 2026-12-06 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import dcx.database  # noqa: F401  (kept like every migration: UTCDateTime lives there)


# revision identifiers, used by Alembic.
revision = 'platform_0004_time_zone'
down_revision = 'platform_0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('account_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('account_user', schema=None) as batch_op:
        batch_op.drop_column('timezone')
