"""automotive: an index on a bill's loan, read by the loan's position and the daily bills job

Revision ID: automotive_0002_perf
Revises: automotive_0001
Create Date: 2026-12-06 20:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "automotive_0002_perf"
down_revision = "automotive_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("automotive_bill", schema=None) as batch_op:
        batch_op.create_index("ix_automotive_bill_loan", ["loan_id"], unique=False)


def downgrade():
    with op.batch_alter_table("automotive_bill", schema=None) as batch_op:
        batch_op.drop_index("ix_automotive_bill_loan")
