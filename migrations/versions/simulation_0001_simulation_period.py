"""simulation: the periods of showcase time each vertical has lived through

Revision ID: simulation_0001
Revises: platform_0002
"""

import sqlalchemy as sa
from alembic import op

import dcx.database

revision = "simulation_0001"
down_revision = "platform_0002"
branch_labels = ("simulation",)
depends_on = None


def upgrade():
    op.create_table(
        "simulation_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vertical", sa.String(length=40), nullable=False),
        sa.Column("period_start", dcx.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_end", dcx.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("lived_at", dcx.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_simulation_period")),
        sa.UniqueConstraint(
            "vertical", "period_start", name=op.f("uq_simulation_period_vertical_period_start")
        ),
    )
    op.create_index(
        op.f("ix_simulation_period_period_end"), "simulation_period", ["period_end"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_simulation_period_period_end"), table_name="simulation_period")
    op.drop_table("simulation_period")
