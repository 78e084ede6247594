"""education: a CHECK constraint holds a question's kind to its enum

Revision ID: education_0003_status_checks
Revises: education_0002_standards
Create Date: 2026-12-06 23:00:00.000000

"""

from dcx.migrating import add_checks, drop_checks

# revision identifiers, used by Alembic.
revision = "education_0003_status_checks"
down_revision = "education_0002_standards"
branch_labels = None
depends_on = None

# (table, column, the values it may hold): each check is named ck_<table>_<column>
CHECKS = (
    ("education_question", "kind", "kind IN ('single', 'multiple', 'numeric')"),
)


def upgrade():
    add_checks(CHECKS)


def downgrade():
    drop_checks(CHECKS)
