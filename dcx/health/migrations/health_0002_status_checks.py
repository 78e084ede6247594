"""health: CHECK constraints hold goal and dose statuses, reading and meal kinds to their enums

Revision ID: health_0002_status_checks
Revises: health_0001
Create Date: 2026-12-06 23:00:00.000000

"""

from alembic import op

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
    for table, column, condition in CHECKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(f"ck_{table}_{column}"), condition)


def downgrade():
    for table, column, _condition in reversed(CHECKS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
