"""showcase state: which showcase is loaded and its brand

Revision ID: showcase_0001
Revises: platform_0002
"""

import sqlalchemy as sa
from alembic import op

import dcx.database

revision = "showcase_0001"
down_revision = "platform_0002"
branch_labels = ("showcase",)
depends_on = None


def upgrade():
    op.create_table(
        "showcase_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("brand_name", sa.String(length=120), nullable=False),
        sa.Column("brand_colour", sa.String(length=16), nullable=False),
        sa.Column("loaded_at", dcx.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_showcase_state")),
    )


def downgrade():
    op.drop_table("showcase_state")
