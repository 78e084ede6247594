"""accounts: sign-up requests waiting for their address to be confirmed

Revision ID: platform_0009_signup_request
Revises: platform_0008_community
Create Date: 2026-12-06 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import dcx.database


# revision identifiers, used by Alembic.
revision = 'platform_0009_signup_request'
down_revision = 'platform_0008_community'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_signup_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', dcx.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_signup_request')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_signup_request_token_hash'))
    )
    with op.batch_alter_table('account_signup_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_signup_request_email'), ['email'], unique=False)


def downgrade():
    with op.batch_alter_table('account_signup_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_signup_request_email'))
    op.drop_table('account_signup_request')
