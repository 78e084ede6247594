"""community: spaces, memberships, threads, posts, reactions and reports shared by verticals

Revision ID: platform_0008_community
Revises: platform_0007_status_checks
Create Date: 2026-12-06 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import dcx.database


# revision identifiers, used by Alembic.
revision = "platform_0008_community"
down_revision = "platform_0007_status_checks"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "community_space",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vertical", sa.String(length=20), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_space")),
        sa.UniqueConstraint("vertical", "slug", name=op.f("uq_community_space_vertical_slug")),
    )
    op.create_table(
        "community_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", dcx.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["space_id"], ["community_space.id"], name=op.f("fk_community_membership_space_id_community_space"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["account_user.id"], name=op.f("fk_community_membership_user_id_account_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_membership")),
        sa.UniqueConstraint("space_id", "user_id", name=op.f("uq_community_membership_space_id_user_id")),
    )
    op.create_index(op.f("ix_community_membership_user_id"), "community_membership", ["user_id"], unique=False)
    op.create_table(
        "community_thread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("created_at", dcx.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["space_id"], ["community_space.id"], name=op.f("fk_community_thread_space_id_community_space"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["account_user.id"], name=op.f("fk_community_thread_user_id_account_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_thread")),
        sa.UniqueConstraint("space_id", "title", name=op.f("uq_community_thread_space_id_title")),
    )
    op.create_table(
        "community_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("milestone", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", dcx.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["community_post.id"], name=op.f("fk_community_post_parent_id_community_post"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["space_id"], ["community_space.id"], name=op.f("fk_community_post_space_id_community_space"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["thread_id"], ["community_thread.id"], name=op.f("fk_community_post_thread_id_community_thread"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["account_user.id"], name=op.f("fk_community_post_user_id_account_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_post")),
    )
    op.create_index("ix_community_post_space_time", "community_post", ["space_id", "created_at"], unique=False)
    op.create_index(op.f("ix_community_post_thread_id"), "community_post", ["thread_id"], unique=False)
    op.create_table(
        "community_reaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["community_post.id"], name=op.f("fk_community_reaction_post_id_community_post"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["account_user.id"], name=op.f("fk_community_reaction_user_id_account_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_reaction")),
        sa.UniqueConstraint("post_id", "user_id", name=op.f("uq_community_reaction_post_id_user_id")),
    )
    op.create_table(
        "community_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", dcx.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('open', 'hidden', 'dismissed')", name=op.f("ck_community_report_status")),
        sa.ForeignKeyConstraint(["post_id"], ["community_post.id"], name=op.f("fk_community_report_post_id_community_post"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["account_user.id"], name=op.f("fk_community_report_user_id_account_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_report")),
        sa.UniqueConstraint("post_id", "user_id", name=op.f("uq_community_report_post_id_user_id")),
    )
    op.create_index("ix_community_report_status_post", "community_report", ["status", "post_id"], unique=False)


def downgrade():
    op.drop_index("ix_community_report_status_post", table_name="community_report")
    op.drop_table("community_report")
    op.drop_table("community_reaction")
    op.drop_index(op.f("ix_community_post_thread_id"), table_name="community_post")
    op.drop_index("ix_community_post_space_time", table_name="community_post")
    op.drop_table("community_post")
    op.drop_table("community_thread")
    op.drop_index(op.f("ix_community_membership_user_id"), table_name="community_membership")
    op.drop_table("community_membership")
    op.drop_table("community_space")
