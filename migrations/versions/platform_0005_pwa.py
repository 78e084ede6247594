"""pwa: idempotency keys of actions sent from phones; Web Push subscriptions (devices)

Revision ID: platform_0005_pwa
Revises: platform_0004_time_zone
Create Date: 2026-12-06 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import dcx.database


# revision identifiers, used by Alembic.
revision = 'platform_0005_pwa'
down_revision = 'platform_0004_time_zone'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pwa_idempotency_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('endpoint', sa.String(length=120), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=False),
    sa.Column('created_at', dcx.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['account_user.id'], name=op.f('fk_pwa_idempotency_key_user_id_account_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pwa_idempotency_key')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_pwa_idempotency_key_user_id_key'))
    )


def downgrade():
    op.drop_table('pwa_idempotency_key')
