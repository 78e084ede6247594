"""notify: the outbox's delivery states, checked by the database

Revision ID: platform_0009_delivery_status
Revises: platform_0008_session_started
Create Date: 2026-12-06 23:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'platform_0009_delivery_status'
down_revision = 'platform_0008_session_started'
branch_labels = None
depends_on = None

STATUSES = ('pending', 'sending', 'sent', 'failed', 'skipped')


def upgrade():
    with op.batch_alter_table('notify_delivery', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_notify_delivery_status'),
            "status IN ({})".format(", ".join(f"'{s}'" for s in STATUSES)),
        )


def downgrade():
    with op.batch_alter_table('notify_delivery', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notify_delivery_status'), type_='check')
