"""retail: co-purchases kept as orders are placed

Revision ID: retail_0002_perf
Revises: retail_0001
Create Date: 2026-12-06 20:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "retail_0002_perf"
down_revision = "retail_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "retail_co_purchase",
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("other_book_id", sa.Integer(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["retail_book.id"],
            name=op.f("fk_retail_co_purchase_book_id_retail_book"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_book_id"],
            ["retail_book.id"],
            name=op.f("fk_retail_co_purchase_other_book_id_retail_book"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("book_id", "other_book_id", name=op.f("pk_retail_co_purchase")),
    )
    # the orders placed before this table existed
    op.execute(
        "INSERT INTO retail_co_purchase (book_id, other_book_id, customers) "
        "SELECT a.book_id, b.book_id, count(*) FROM "
        "(SELECT DISTINCT o.user_id, l.book_id FROM retail_order o "
        "JOIN retail_order_line l ON l.order_id = o.id) a JOIN "
        "(SELECT DISTINCT o.user_id, l.book_id FROM retail_order o "
        "JOIN retail_order_line l ON l.order_id = o.id) b ON a.user_id = b.user_id "
        "GROUP BY a.book_id, b.book_id"
    )


def downgrade():
    op.drop_table("retail_co_purchase")
