"""Government jobs: ask again whether a fix holds, and close fixes nobody disputed."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from dcx.extensions import db
from dcx.government import photos
from dcx.government import repairs as government_repairs
from dcx.government.models import GovernmentRepair, RepairStatus
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.notify.services import in_locale, notify_bulk, recipient_locales

REMIND_AFTER = timedelta(days=3)
CLOSE_AFTER = timedelta(days=14)


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
    locales = recipient_locales(reporter_id for _id, reporter_id, _loc, _at in rows)
    messages = []
    for repair_id, reporter_id, location, fixed_at in rows:
        with in_locale(locales[reporter_id]):
            title = _("Still fixed? Report #%(number)s", number=repair_id)
            body = _(
                "Is %(location)s still working? Confirm it, or reopen the report.",
                location=location,
            )
        messages.append(
            {
                "user_id": reporter_id,
                "title": title,
                "body": body,
                "link": link("government.citizen_report", repair_id=repair_id),
                "key": f"government.fix_reminder:{repair_id}:{fixed_at:%Y%m%d%H%M}",
            }
        )
    return notify_bulk("government.fix_check", messages)


def close_settled_fixes(now: datetime) -> int:
    """Close repairs fixed 14+ days ago that nobody reopened."""
    repairs = db.session.execute(
        select(GovernmentRepair).where(
            GovernmentRepair.status == RepairStatus.FIXED,
            GovernmentRepair.fixed_at <= now - CLOSE_AFTER,
        )
    ).scalars()
    count = 0
    for repair in repairs:
        government_repairs.transition(
            repair, "closed", None, "closed: nobody reported a problem in 14 days"
        )
        count += 1
    return count


def sweep_photos(now: datetime) -> int:
    """Delete report photos no report names, an hour after they were written."""
    return photos.sweep_orphan_photos(clock.real_now() - photos.ORPHAN_PHOTO_AGE)
