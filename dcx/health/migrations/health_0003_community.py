"""health: community groups move to the platform's community tables

Groups become community spaces (their goal measure is the space's topic), posts and
replies community posts, cheers reactions and reports community reports (a resolved report
of a hidden post is "hidden", of a kept one "dismissed"); the old tables are dropped.

Ids are kept by shifting them past the rows the community already holds (the bookstore's
may be there), so replies find their parents by arithmetic, in a few set-based statements.

Revision ID: health_0003_community
Revises: health_0002_status_checks
Create Date: 2026-12-06 23:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

from dcx.migrating import max_id, restart_ids

# revision identifiers, used by Alembic.
revision = "health_0003_community"
down_revision = "health_0002_status_checks"
branch_labels = None
depends_on = "platform_0008_community"


def upgrade():
    conn = op.get_bind()
    shift = {"space": max_id(conn, "community_space"), "post": max_id(conn, "community_post")}
    for statement in (
        "INSERT INTO community_space (id, vertical, slug, name, description, topic) "
        "SELECT id + :space, 'health', slug, name, description, measure FROM health_group",
        "INSERT INTO community_post "
        "(id, user_id, space_id, thread_id, parent_id, body, milestone, hidden, created_at) "
        "SELECT id + :post, author_id, group_id + :space, NULL, parent_id + :post, body, "
        "milestone, hidden, created_at FROM health_post",
        "INSERT INTO community_reaction (user_id, post_id, kind) "
        "SELECT user_id, post_id + :post, 'cheer' FROM health_cheer ORDER BY id",
        "INSERT INTO community_report (user_id, post_id, reason, status, created_at) "
        "SELECT r.reporter_id, r.post_id + :post, r.reason, "
        "CASE WHEN NOT r.resolved THEN 'open' WHEN p.hidden THEN 'hidden' ELSE 'dismissed' END, "
        "r.created_at FROM health_post_report r JOIN health_post p ON p.id = r.post_id "
        "ORDER BY r.id",
    ):
        names = [k for k in shift if f":{k}" in statement]
        conn.execute(sa.text(statement), {k: shift[k] for k in names})
    restart_ids(conn, ("community_space", "community_post"))
    op.drop_table("health_post_report")
    op.drop_table("health_cheer")
    op.drop_table("health_post")
    op.drop_table("health_group")


def downgrade():
    raise NotImplementedError(
        "health_0003_community moved the community groups into the community tables; "
        "restore a backup taken before the upgrade to go back."
    )
