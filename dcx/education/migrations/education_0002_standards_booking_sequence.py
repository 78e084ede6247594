"""A booking's iCalendar SEQUENCE: each change (cancel, book again) sends a higher one.

Revision ID: education_0002_standards
Revises: education_0001
Create Date: 2026-12-06 19:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "education_0002_standards"
down_revision = "education_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("education_booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("education_booking", schema=None) as batch_op:
        batch_op.drop_column("sequence")
