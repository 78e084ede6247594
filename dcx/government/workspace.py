"""The city staff's summary: the customer card and the citizen's calendar."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext, ngettext
from sqlalchemy import select

from dcx.extensions import db
from dcx.government import photos, repairs
from dcx.government.forms import CATEGORY_LABELS
from dcx.government.models import (
    GovernmentRepair,
    GovernmentStreet,
    GovernmentWorkOrder,
    WorkOrderStatus,
)
from dcx.platform.links import link
from dcx.verticals import CalendarEntry


def summary_card(user_id: int) -> dict[str, Any] | None:
    """The staff customer-360 card: the citizen's reports, if any (in the page's locale)."""
    reports = photos.citizen_reports(user_id)
    if not reports:
        return None
    open_count = sum(1 for r in reports if r.status in repairs.OPEN_STATUSES)
    latest = reports[0]
    status = str(repairs.STATUS_LABELS.get(latest.status, latest.status)).lower()
    return {
        "title": gettext("City reports"),
        "lines": [
            ngettext(
                "%(num)d report, %(open)d open",
                "%(num)d reports, %(open)d open",
                len(reports),
                open=open_count,
            ),
            gettext(
                "Latest: #%(number)s %(location)s — %(status)s",
                number=latest.id,
                location=latest.location,
                status=status,
            ),
        ],
        "link": link("government.staff.staff_repairs"),
    }


def calendar(user_id: int) -> list[CalendarEntry]:
    """When a crew is booked to repair something the citizen reported (their .ics feed),
    while the visit is still to happen and the repair still open.

    In the current locale: the visitor's on /calendar, the showcase's in the .ics feed.
    """
    rows = db.session.execute(
        select(GovernmentWorkOrder, GovernmentRepair)
        .join(GovernmentRepair, GovernmentRepair.id == GovernmentWorkOrder.repair_id)
        .where(
            GovernmentRepair.reporter_id == user_id,
            # only visits still to come: a repair fixed, closed or given up leaves the calendar
            GovernmentWorkOrder.status == WorkOrderStatus.SCHEDULED,
            GovernmentRepair.status.in_(repairs.OPEN_STATUSES),
        )
    ).all()
    return [
        CalendarEntry(
            uid=f"government-work-order-{order.id}@dcx",
            title=gettext(
                "City repair: %(category)s",
                category=str(CATEGORY_LABELS.get(repair.category, repair.category)).lower(),
            ),
            starts_at=order.starts_at,
            ends_at=order.ends_at,
            location=repair.location,
            description=gettext(
                "A crew is booked to repair what you reported (report #%(number)s).",
                number=repair.id,
            ),
        )
        for order, repair in rows
    ]


def streets() -> list[GovernmentStreet]:
    """Every street of the map, by name."""
    return list(
        db.session.execute(select(GovernmentStreet).order_by(GovernmentStreet.name)).scalars()
    )
