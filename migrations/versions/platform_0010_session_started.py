"""accounts: when each signed-in session started, in wall-clock time (its absolute limit)

Revision ID: platform_0010_session_started
Revises: platform_0009_signup_request
Create Date: 2026-12-06 23:15:00.000000

"""
from alembic import op
import sqlalchemy as sa

import dcx.database


# revision identifiers, used by Alembic.
revision = 'platform_0010_session_started'
down_revision = 'platform_0009_signup_request'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('account_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', dcx.database.UTCDateTime(timezone=True), nullable=True))
    # sessions open before this revision count from when their row was written
    op.execute("UPDATE account_session SET started_at = created_at")
    with op.batch_alter_table('account_session', schema=None) as batch_op:
        batch_op.alter_column('started_at', existing_type=dcx.database.UTCDateTime(timezone=True), nullable=False)
        batch_op.create_index(batch_op.f('ix_account_session_started_at'), ['started_at'], unique=False)


def downgrade():
    with op.batch_alter_table('account_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_session_started_at'))
        batch_op.drop_column('started_at')
