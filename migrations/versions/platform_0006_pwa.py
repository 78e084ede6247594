"""pwa: idempotency keys of actions sent from phones; Web Push subscriptions (devices)

Revision ID: platform_0006_pwa
Revises: platform_0004_time_zone
Create Date: 2026-12-06 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import dcx.database


# revision identifiers, used by Alembic.
revision = 'platform_0006_pwa'
down_revision = 'platform_0005_sandbox'
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
    op.create_table('notify_push_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=1000), nullable=False),
    sa.Column('p256dh', sa.String(length=200), nullable=False),
    sa.Column('auth', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('last_pushed_at', dcx.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', dcx.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['account_user.id'], name=op.f('fk_notify_push_subscription_user_id_account_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notify_push_subscription')),
    sa.UniqueConstraint('endpoint', name=op.f('uq_notify_push_subscription_endpoint'))
    )
    with op.batch_alter_table('notify_push_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notify_push_subscription_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('notify_push_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notify_push_subscription_user_id'))
    op.drop_table('notify_push_subscription')
    op.drop_table('pwa_idempotency_key')
