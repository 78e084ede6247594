"""Crews: their devices, where they are and what they are doing, their ETA to the next job."""

from __future__ import annotations

import hmac
import math
from collections import defaultdict
from datetime import timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from dcx.extensions import db
from dcx.government import repairs
from dcx.government.models import (
    CrewStatus,
    GovernmentCrew,
    GovernmentCrewPosition,
    GovernmentRepair,
    GovernmentWorkOrder,
    WorkOrderStatus,
)
from dcx.platform import clock
from dcx.platform.api.services import hash_token, new_token


def issue_crew_token(crew: GovernmentCrew) -> str:
    """Give a crew device a new token; returns the raw token (only its hash is kept)."""
    raw, hashed = new_token("gov-crew")
    crew.token_hash = hashed
    db.session.flush()
    return raw


def crew_token_matches(crew: GovernmentCrew, token: str | None) -> bool:
    """True if ``token`` is this crew's current token."""
    return bool(
        token and crew.token_hash and hmac.compare_digest(hash_token(token), crew.token_hash)
    )


def active_order(crew_id: int) -> GovernmentWorkOrder | None:
    """The crew's earliest work order not yet done."""
    return db.session.execute(
        select(GovernmentWorkOrder)
        .where(
            GovernmentWorkOrder.crew_id == crew_id,
            GovernmentWorkOrder.status == WorkOrderStatus.SCHEDULED,
        )
        .order_by(GovernmentWorkOrder.starts_at)
        .limit(1)
    ).scalar_one_or_none()


def eta_seconds(crew: GovernmentCrew, x: float, y: float) -> int:
    """Straight-line distance to (x, y) over the crew's speed, in seconds."""
    distance = math.hypot(crew.x - x, crew.y - y)
    speed = max(crew.speed_kmh, 1) / 3.6
    return round(distance / speed)


def report_position(
    crew: GovernmentCrew, x: float, y: float, status: str, actor_id: int | None = None
) -> dict[str, Any]:
    """A crew's position and status; ``on_site`` starts the repair, ``done`` fixes it."""
    now = clock.now()
    crew.x, crew.y, crew.status, crew.last_position_at = x, y, status, now
    db.session.add(GovernmentCrewPosition(crew_id=crew.id, x=x, y=y, status=status, at=now))
    order = active_order(crew.id)
    repair_status = None
    if order is not None:
        repair = order.repair
        if status in {"on_site", "done"} and repair.status == "scheduled":
            repairs.transition(
                repair, "in_progress", actor_id, gettext("%(crew)s on site", crew=crew.name)
            )
        if status == "done" and repair.status == "in_progress":
            repairs.transition(
                repair, "fixed", actor_id, gettext("fixed by %(crew)s", crew=crew.name)
            )
            order.status = WorkOrderStatus.DONE.value
        repair_status = repair.status
    db.session.flush()
    return {
        "crew": crew.code,
        "status": crew.status,
        "work_order": order.id if order else None,
        "repair_status": repair_status,
        "eta_seconds": crew_eta(crew),
    }


def crew_eta(crew: GovernmentCrew) -> int | None:
    """Seconds until the crew reaches its active job, None if it has none or is there."""
    if crew.status not in {"dispatched", "en_route"}:
        return None
    order = active_order(crew.id)
    if order is None:
        return None
    return eta_seconds(crew, order.repair.x, order.repair.y)


def crew_overview() -> list[dict[str, Any]]:
    """Every crew with position, status, target and ETA (for the map and the live feed).

    Two queries whatever the number of crews: the crews, then every open work order.
    """
    crews = list(db.session.execute(select(GovernmentCrew).order_by(GovernmentCrew.code)).scalars())
    targets: dict[int, tuple[int, float, float]] = {}
    for crew_id, repair_id, x, y in db.session.execute(
        select(
            GovernmentWorkOrder.crew_id, GovernmentRepair.id, GovernmentRepair.x, GovernmentRepair.y
        )
        .join(GovernmentRepair, GovernmentRepair.id == GovernmentWorkOrder.repair_id)
        .where(GovernmentWorkOrder.status == WorkOrderStatus.SCHEDULED)
        .order_by(GovernmentWorkOrder.starts_at.desc())
    ):
        targets[crew_id] = (repair_id, x, y)  # earliest wins: rows come latest first
    result = []
    for crew in crews:
        target = targets.get(crew.id)
        moving = crew.status in {CrewStatus.DISPATCHED, CrewStatus.EN_ROUTE}
        eta = eta_seconds(crew, target[1], target[2]) if target is not None and moving else None
        result.append(
            {
                "id": crew.id,
                "code": crew.code,
                "name": crew.name,
                "x": crew.x,
                "y": crew.y,
                "status": crew.status,
                "target": {"x": target[1], "y": target[2], "repair": target[0]} if target else None,
                "eta_seconds": eta,
            }
        )
    return result


def crew_trails(limit: int = 20) -> dict[int, list[tuple[float, float]]]:
    """The last positions of each crew, oldest first, for drawing trails."""
    rows = db.session.execute(
        select(GovernmentCrewPosition.crew_id, GovernmentCrewPosition.x, GovernmentCrewPosition.y)
        .where(GovernmentCrewPosition.at >= clock.now() - timedelta(hours=12))
        .order_by(GovernmentCrewPosition.id)
    ).all()
    trails: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for crew_id, x, y in rows:
        trails[crew_id].append((x, y))
    return {k: v[-limit:] for k, v in trails.items()}
