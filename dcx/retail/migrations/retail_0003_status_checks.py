"""retail: CHECK constraints hold an RSVP's status, an event's kind and a café title's outcome to their enums

Revision ID: retail_0003_status_checks
Revises: retail_0002_perf
Create Date: 2026-12-06 23:00:00.000000

"""

from dcx.migrating import add_checks, drop_checks

# revision identifiers, used by Alembic.
revision = "retail_0003_status_checks"
down_revision = "retail_0002_perf"
branch_labels = None
depends_on = None

# (table, column, the values it may hold): each check is named ck_<table>_<column>
CHECKS = (
    ("retail_reservation_item", "outcome", "outcome IN ('pending', 'kept', 'returned')"),
    ("retail_event", "kind", "kind IN ('virtual', 'in_store')"),
    ("retail_rsvp", "status", "status IN ('going', 'interested', 'not_going', 'waitlisted')"),
)


def upgrade():
    add_checks(CHECKS)


def downgrade():
    drop_checks(CHECKS)
