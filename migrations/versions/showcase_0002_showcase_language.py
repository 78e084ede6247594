"""showcase state: the language the showcase was seeded in

Revision ID: showcase_0002
Revises: showcase_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "showcase_0002"
down_revision = "showcase_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("showcase_state") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="en")
        )


def downgrade():
    with op.batch_alter_table("showcase_state") as batch:
        batch.drop_column("language")
