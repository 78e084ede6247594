"""health: CHECK constraints hold goal and dose statuses, reading and meal kinds to their enums

Revision ID: health_0002_status_checks
Revises: health_0001
Create Date: 2026-12-06 23:00:00.000000

"""

from dcx.migrating import add_checks, drop_checks

# revision identifiers, used by Alembic.
revision = "health_0002_status_checks"
down_revision = "health_0001"
branch_labels = None
depends_on = None

# (table, column, the values it may hold): each check is named ck_<table>_<column>
CHECKS = (
    ("health_goal", "status", "status IN ('proposed', 'active', 'achieved', 'not_achieved')"),
    ("health_observation", "kind", "kind IN ('bp', 'heart_rate', 'weight', 'glucose', 'spo2', 'temperature')"),
    ("health_dose", "status", "status IN ('taken', 'late', 'skipped')"),
    ("health_meal", "kind", "kind IN ('breakfast', 'lunch', 'dinner', 'snack')"),
)


def upgrade():
    add_checks(CHECKS)


def downgrade():
    drop_checks(CHECKS)
