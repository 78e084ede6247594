"""sandboxes: the register of visitors' private copies of the showcase, and what they visited

Revision ID: platform_0005_sandbox
Revises: platform_0004_time_zone
Create Date: 2026-12-06 19:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import dcx.database  # noqa: F401  (kept like every migration: UTCDateTime lives there)


# revision identifiers, used by Alembic.
revision = 'platform_0005_sandbox'
down_revision = 'platform_0004_time_zone'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sandbox',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('created_at', dcx.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', dcx.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('resets', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox')),
    )
    with op.batch_alter_table('sandbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sandbox_last_seen_at'), ['last_seen_at'], unique=False)
    op.create_table(
        'sandbox_visit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sandbox_id', sa.String(length=32), nullable=False),
        sa.Column('vertical', sa.String(length=40), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('at', dcx.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('seconds', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['sandbox_id'], ['sandbox.id'], name=op.f('fk_sandbox_visit_sandbox_id_sandbox'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_visit')),
    )
    with op.batch_alter_table('sandbox_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sandbox_visit_sandbox_id'), ['sandbox_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sandbox_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sandbox_visit_sandbox_id'))
    op.drop_table('sandbox_visit')
    with op.batch_alter_table('sandbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sandbox_last_seen_at'))
    op.drop_table('sandbox')
