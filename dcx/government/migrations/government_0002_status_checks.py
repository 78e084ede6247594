"""government: CHECK constraints hold statuses and kinds to their enums

Revision ID: government_0002_status_checks
Revises: government_0001
Create Date: 2026-12-06 23:00:00.000000

"""

from dcx.migrating import add_checks, drop_checks

# revision identifiers, used by Alembic.
revision = "government_0002_status_checks"
down_revision = "government_0001"
branch_labels = None
depends_on = None

# (table, column, the values it may hold): each check is named ck_<table>_<column>
CHECKS = (
    ("government_sensor", "kind", "kind IN ('vehicle', 'pedestrian', 'both')"),
    ("government_incident", "status", "status IN ('open', 'closed')"),
    ("government_handoff", "status", "status IN ('open', 'done')"),
    ("government_repair", "status", "status IN ('reported', 'acknowledged', 'scheduled', 'in_progress', 'fixed', 'closed', 'unable_to_fix', 'duplicate')"),
    ("government_repair_event", "from_status", "from_status IN ('', 'reported', 'acknowledged', 'scheduled', 'in_progress', 'fixed', 'closed', 'unable_to_fix', 'duplicate')"),
    ("government_repair_event", "to_status", "to_status IN ('reported', 'acknowledged', 'scheduled', 'in_progress', 'fixed', 'closed', 'unable_to_fix', 'duplicate')"),
    ("government_crew", "status", "status IN ('idle', 'dispatched', 'en_route', 'on_site', 'done')"),
    ("government_work_order", "status", "status IN ('scheduled', 'done', 'cancelled')"),
    ("government_crew_position", "status", "status IN ('idle', 'dispatched', 'en_route', 'on_site', 'done')"),
    ("government_social_post", "status", "status IN ('pending', 'sent', 'failed', 'skipped')"),
)


def upgrade():
    add_checks(CHECKS)


def downgrade():
    drop_checks(CHECKS)
