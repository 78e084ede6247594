"""Government jobs: ask again whether a fix holds, and close fixes nobody disputed."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.extensions import db
from dcx.government import photos
from dcx.government import repairs as government_repairs
from dcx.government.models import GovernmentRepair, RepairStatus
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.notify.services import notify_each
from dcx.verticals import scheduled

REMIND_AFTER = timedelta(days=3)
CLOSE_AFTER = timedelta(days=14)


@scheduled({"hour": 9}, _l("Ask reporters again whether a fix made 3 days ago still holds."))
def fix_reminders(now: datetime) -> int:
    """Remind reporters of repairs fixed 3+ days ago, still unconfirmed; once per fix.

    Each reminder is written in its reporter's language, read for all of them in one query.
    """
    rows = [
        (repair_id, reporter_id, location, fixed_at)
        for repair_id, reporter_id, location, fixed_at in db.session.execute(
            select(
                GovernmentRepair.id,
                GovernmentRepair.reporter_id,
                GovernmentRepair.location,
                GovernmentRepair.fixed_at,
            ).where(
                GovernmentRepair.status == RepairStatus.FIXED,
                GovernmentRepair.reporter_id.is_not(None),
                GovernmentRepair.fixed_at <= now - REMIND_AFTER,
            )
        )
        if reporter_id is not None  # as the query asks; this says so to the type checker
    ]

    def reminder(row: tuple[int, int, str, datetime | None]) -> dict[str, str]:
        repair_id, _reporter_id, location, fixed_at = row
        return {
            "title": _("Still fixed? Report #%(number)s", number=repair_id),
            "body": _(
                "Is %(location)s still working? Confirm it, or reopen the report.",
                location=location,
            ),
            "link": link("government.citizen_report", repair_id=repair_id),
            "key": f"government.fix_reminder:{repair_id}:{fixed_at:%Y%m%d%H%M}",
        }

    return notify_each("government.fix_check", rows, lambda row: row[1], reminder)


@scheduled({"hour": 2}, _l("Close repairs fixed 14 days ago that nobody reopened."))
def close_settled_fixes(now: datetime) -> int:
    """Close repairs fixed 14+ days ago that nobody reopened (all of them in a few statements)."""
    return government_repairs.close_fixed_before(
        now - CLOSE_AFTER, "closed: nobody reported a problem in 14 days"
    )


@scheduled({"hour": 3}, _l("Delete report photos that no report names (failed uploads, resets)."))
def sweep_photos(now: datetime) -> int:
    """Delete report photos no report names, an hour after they were written."""
    return photos.sweep_orphan_photos(clock.real_now() - photos.ORPHAN_PHOTO_AGE)
