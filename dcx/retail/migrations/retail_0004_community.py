"""retail: book clubs move to the platform's community tables

The clubs become community spaces (their book and reading schedule stay the bookstore's:
retail_club, retail_club_reading), memberships, threads, posts and post reports are copied
into the community tables, and the old tables are dropped. Review reports stay here.

Ids are kept by shifting them past the rows the community already holds (health's may be
there), so every copied row is found again by arithmetic, in a few set-based statements.

Revision ID: retail_0004_community
Revises: retail_0003_status_checks
Create Date: 2026-12-06 23:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

from dcx.migrating import max_id, restart_ids

# revision identifiers, used by Alembic.
revision = "retail_0004_community"
down_revision = "retail_0003_status_checks"
branch_labels = None
depends_on = "platform_0008_community"


def upgrade():
    op.create_table(
        "retail_club",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("current_book_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["current_book_id"],
            ["retail_book.id"],
            name=op.f("fk_retail_club_current_book_id_retail_book"),
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["community_space.id"],
            name=op.f("fk_retail_club_space_id_community_space"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retail_club")),
        sa.UniqueConstraint("space_id", name=op.f("uq_retail_club_space_id")),
    )
    op.create_table(
        "retail_club_reading",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reading", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["community_space.id"],
            name=op.f("fk_retail_club_reading_space_id_community_space"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retail_club_reading")),
        sa.UniqueConstraint(
            "space_id", "due_on", name=op.f("uq_retail_club_reading_space_id_due_on")
        ),
    )

    conn = op.get_bind()
    space = max_id(conn, "community_space")
    thread = max_id(conn, "community_thread")
    post = max_id(conn, "community_post")
    shift = {"space": space, "thread": thread, "post": post}
    for statement in (
        "INSERT INTO community_space (id, vertical, slug, name, description, topic) "
        "SELECT id + :space, 'retail', slug, name, description, '' FROM retail_group",
        "INSERT INTO retail_club (space_id, current_book_id) "
        "SELECT id + :space, current_book_id FROM retail_group ORDER BY id",
        "INSERT INTO retail_club_reading (space_id, due_on, reading) "
        "SELECT group_id + :space, due_on, reading FROM retail_schedule_item ORDER BY id",
        "INSERT INTO community_membership (user_id, space_id, joined_at) "
        "SELECT user_id, group_id + :space, joined_at FROM retail_membership ORDER BY id",
        "INSERT INTO community_thread (id, user_id, space_id, title, created_at) "
        "SELECT id + :thread, user_id, group_id + :space, title, created_at FROM retail_thread",
        "INSERT INTO community_post "
        "(id, user_id, space_id, thread_id, parent_id, body, milestone, hidden, created_at) "
        "SELECT p.id + :post, p.user_id, t.group_id + :space, p.thread_id + :thread, NULL, "
        "p.body, FALSE, p.hidden, p.created_at "
        "FROM retail_post p JOIN retail_thread t ON t.id = p.thread_id",
        "INSERT INTO community_report (user_id, post_id, reason, status, created_at) "
        "SELECT user_id, post_id + :post, reason, "
        "CASE resolution WHEN '' THEN 'open' ELSE resolution END, created_at "
        "FROM retail_content_report WHERE post_id IS NOT NULL ORDER BY id",
        "DELETE FROM retail_content_report WHERE post_id IS NOT NULL",
    ):
        names = [k for k in shift if f":{k}" in statement]
        conn.execute(sa.text(statement), {k: shift[k] for k in names})
    restart_ids(conn, ("community_space", "community_thread", "community_post"))

    with op.batch_alter_table("retail_content_report") as batch_op:
        batch_op.drop_constraint("uq_retail_content_report_user_id_post_id", type_="unique")
        batch_op.drop_constraint("fk_retail_content_report_post_id_retail_post", type_="foreignkey")
        batch_op.drop_column("post_id")
        batch_op.alter_column("review_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("retail_schedule_item")
    op.drop_table("retail_membership")
    op.drop_table("retail_post")
    op.drop_table("retail_thread")
    op.drop_table("retail_group")


def downgrade():
    raise NotImplementedError(
        "retail_0004_community moved the book clubs into the community tables; "
        "restore a backup taken before the upgrade to go back."
    )
