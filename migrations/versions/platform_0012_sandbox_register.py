"""sandboxes: the address cap in the register (a keyed hash) and each sandbox's assessment result

Revision ID: platform_0012_sandbox_register
Revises: platform_0011_last_seen
Create Date: 2026-12-07 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'platform_0012_sandbox_register'
down_revision = 'platform_0011_last_seen'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sandbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_key', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('assessment_stage', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('assessment_overall', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_sandbox_address_key'), ['address_key'], unique=False)


def downgrade():
    with op.batch_alter_table('sandbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sandbox_address_key'))
        batch_op.drop_column('assessment_overall')
        batch_op.drop_column('assessment_stage')
        batch_op.drop_column('address_key')
