"""The service advisor's workspace: cars due for service and the customer card's summary."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from dcx.automotive import financing, fleet_status
from dcx.automotive import vehicles as automotive_vehicles
from dcx.automotive.models import (
    AutomotiveVehicle,
)
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.links import link


def vehicles_needing_service(today: date | None = None) -> list[fleet_status.VehicleStatus]:
    """Every vehicle with an active code, an open recall or service due within two weeks."""
    today = today or clock.today()
    vehicles = list(
        db.session.execute(select(AutomotiveVehicle).order_by(AutomotiveVehicle.id)).scalars()
    )
    return [
        s
        for s in fleet_status.fleet_status(vehicles, today)
        if s.codes or s.recalls or s.due.urgency in ("urgent", "overdue")
    ]


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
