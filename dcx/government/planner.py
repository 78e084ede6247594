"""The repair planner: work orders scheduled for crews by day."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.database import rows_where
from dcx.extensions import db
from dcx.government import repairs
from dcx.government.models import (
    CrewStatus,
    GovernmentCrew,
    GovernmentRepair,
    GovernmentWorkOrder,
    RepairStatus,
    WorkOrderStatus,
)


class ScheduleConflict(ValueError):
    """The crew is already booked somewhere else in that slot.

    Its message is a lazy translation, shown on the planner form in the visitor's language.
    """


def _orders_of(repair_id: int) -> list[GovernmentWorkOrder]:
    return rows_where(GovernmentWorkOrder, GovernmentWorkOrder.repair_id == repair_id)


def crew_conflicts(
    crew_id: int, starts_at: datetime, ends_at: datetime, ignore_id: int | None = None
) -> list[GovernmentWorkOrder]:
    """The crew's live work orders overlapping [starts_at, ends_at)."""
    stmt = select(GovernmentWorkOrder).where(
        GovernmentWorkOrder.crew_id == crew_id,
        GovernmentWorkOrder.status != WorkOrderStatus.CANCELLED,
        GovernmentWorkOrder.starts_at < ends_at,
        GovernmentWorkOrder.ends_at > starts_at,
    )
    if ignore_id is not None:
        stmt = stmt.where(GovernmentWorkOrder.id != ignore_id)
    return list(db.session.execute(stmt).scalars())


def schedule_repair(
    repair: GovernmentRepair,
    crew: GovernmentCrew,
    starts_at: datetime,
    ends_at: datetime,
    actor_id: int | None = None,
) -> GovernmentWorkOrder:
    """Book a crew for a repair; ScheduleConflict if the crew is elsewhere then.

    A repair still ``reported`` is acknowledged on the way, so the workflow stays complete.
    """
    if ends_at <= starts_at:
        raise ScheduleConflict(_l("a work order must end after it starts"))
    if crew_conflicts(crew.id, starts_at, ends_at):
        raise ScheduleConflict(_l("%(crew)s is already booked at that time", crew=crew.name))
    if repair.status == RepairStatus.REPORTED:
        repairs.transition(repair, "acknowledged", actor_id)
    when = format_datetime(starts_at, "d MMM y, HH:mm", rebase=False) + " UTC"
    repairs.transition(repair, "scheduled", actor_id, f"{crew.name}, {when}")
    order = GovernmentWorkOrder(
        repair_id=repair.id, crew_id=crew.id, starts_at=starts_at, ends_at=ends_at
    )
    db.session.add(order)
    if crew.status in {CrewStatus.IDLE, CrewStatus.DONE}:
        crew.status = CrewStatus.DISPATCHED.value
    db.session.flush()
    return order


def crews() -> list[GovernmentCrew]:
    """Every crew, by code."""
    return list(db.session.execute(select(GovernmentCrew).order_by(GovernmentCrew.code)).scalars())


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def week_plan(monday: date) -> dict[str, Any]:
    """Crews and their work orders for the week starting ``monday`` (one query each)."""
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    end = start + timedelta(days=7)
    every_crew = crews()
    orders = db.session.execute(
        select(GovernmentWorkOrder, GovernmentRepair)
        .join(GovernmentRepair, GovernmentRepair.id == GovernmentWorkOrder.repair_id)
        .where(
            GovernmentWorkOrder.starts_at < end,
            GovernmentWorkOrder.ends_at > start,
            GovernmentWorkOrder.status != WorkOrderStatus.CANCELLED,
        )
        .order_by(GovernmentWorkOrder.starts_at)
    ).all()
    days = [monday + timedelta(days=i) for i in range(7)]
    grid: dict[tuple[int, date], list] = defaultdict(list)
    for order, repair in orders:
        grid[(order.crew_id, order.starts_at.date())].append((order, repair))
    return {"days": days, "crews": every_crew, "grid": grid}
