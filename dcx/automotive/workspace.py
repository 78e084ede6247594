"""The service advisor's workspace: cars due for service and the customer card's summary."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select

from dcx.automotive import financing, fleet_status
from dcx.automotive import vehicles as automotive_vehicles
from dcx.automotive.models import (
    AutomotiveReading,
    AutomotiveRecallCoverage,
    AutomotiveTroubleCode,
    AutomotiveVehicle,
    CoverageStatus,
)
from dcx.extensions import db
from dcx.platform import clock, staff_lists
from dcx.platform.accounts.models import User
from dcx.platform.links import link

#: Service within this many days, or this many km, makes a car need the advisor's attention
#: (the "urgent" step of fleet_status.service_due).
URGENT_DAYS, URGENT_KM = 14, 500


def _service_due_soon(today: date) -> ColumnElement[bool]:
    """Cars whose service falls due within two weeks by time, or within ``URGENT_KM`` by the
    latest odometer, as SQL. Dates are compared without date arithmetic in SQL (it differs
    between SQLite and PostgreSQL): one condition per service interval in use, few of them."""
    intervals = db.session.execute(
        select(AutomotiveVehicle.service_interval_days).distinct()
    ).scalars()
    by_time = [
        and_(
            AutomotiveVehicle.service_interval_days == days,
            AutomotiveVehicle.last_service_on <= today + timedelta(days=URGENT_DAYS - days),
        )
        for days in intervals
    ]
    odometer = (
        select(func.max(AutomotiveReading.odometer_km))
        .where(AutomotiveReading.vehicle_id == AutomotiveVehicle.id)
        .scalar_subquery()
    )
    by_distance = (
        AutomotiveVehicle.last_service_km + AutomotiveVehicle.service_interval_km - odometer
        <= URGENT_KM
    )
    return or_(by_distance, *by_time) if by_time else false()


def needing_attention_page(
    wanted: staff_lists.ListRequest, today: date | None = None
) -> tuple[Pagination, list[fleet_status.VehicleStatus], dict[int, User]]:
    """One page of the cars with an active code, an open recall or service due within two
    weeks (cars with a code or recall first), found by VIN, plate, model or owner, with each
    car's status and owner: a fixed number of statements for any size of customer base."""
    today = today or clock.today()
    has_code = exists().where(
        AutomotiveTroubleCode.vehicle_id == AutomotiveVehicle.id,
        AutomotiveTroubleCode.cleared_at.is_(None),
    )
    has_recall = exists().where(
        AutomotiveRecallCoverage.vehicle_id == AutomotiveVehicle.id,
        AutomotiveRecallCoverage.status != CoverageStatus.REMEDIED,
    )
    stmt = (
        select(AutomotiveVehicle)
        .join(User, User.id == AutomotiveVehicle.user_id)
        .where(or_(has_code, has_recall, _service_due_soon(today)))
        .order_by(or_(has_code, has_recall).desc(), AutomotiveVehicle.id)
    )
    search = (
        AutomotiveVehicle.vin,
        AutomotiveVehicle.plate,
        AutomotiveVehicle.make,
        AutomotiveVehicle.model,
        User.name,
        User.email,
    )
    page = staff_lists.page_of(stmt, wanted, search=search)
    statuses = fleet_status.fleet_status(list(page.items), today)
    ids = {s.vehicle.user_id for s in statuses}
    owners = (
        {u.id: u for u in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}
        if ids
        else {}
    )
    return page, statuses, owners


def summary_card(user_id: int) -> dict[str, Any] | None:
    """The staff customer-360 card: the customer's cars, their health and money owed.

    Rendered now, in the language of the staff member reading the customer-360 page.
    """
    vehicles = automotive_vehicles.vehicles_of(user_id)
    if not vehicles:
        return None
    today = clock.today()
    lines = [
        f"{s.vehicle.name}: {s.health_label}; {s.due.urgency_label}"
        for s in fleet_status.fleet_status(vehicles, today)
    ]
    overdue = [b for b in financing.bills_of(user_id, unpaid_only=True) if b.due_on < today]
    if overdue:
        lines.append(ngettext("%(num)d overdue bill", "%(num)d overdue bills", len(overdue)))
    return {"title": _("Vehicles"), "lines": lines, "link": link("automotive.staff.home")}
