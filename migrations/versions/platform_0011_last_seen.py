"""accounts: when each person last signed in, so their home says what changed since

Revision ID: platform_0011_last_seen
Revises: platform_0010_session_started
Create Date: 2026-12-06 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import dcx.database


# revision identifiers, used by Alembic.
revision = 'platform_0011_last_seen'
down_revision = 'platform_0010_session_started'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('account_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', dcx.database.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('account_user', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
