"""Turn seeds/<showcase>/government.yaml into streets, sensors, crews, staff and history.

Idempotent: every row is found by its natural key (street name, sensor code, segment pair,
crew code, staff email, a citizen's report location) before it is created, and traffic
history is generated only for sensors that have none.
"""

from __future__ import annotations

from sqlalchemy import select

from dcx.extensions import db
from dcx.government import services
from dcx.government.models import (
    GovernmentCrew,
    GovernmentObservation,
    GovernmentRepair,
    GovernmentSegment,
    GovernmentSensor,
    GovernmentStreet,
)
from dcx.platform import clock
from dcx.platform.accounts import services as accounts
from dcx.verticals import SeedContext


def _get_or_create(model, key: dict, **fields):
    row = db.session.execute(select(model).filter_by(**key)).scalar_one_or_none()
    if row is None:
        row = model(**key, **fields)
        db.session.add(row)
        db.session.flush()
    return row


def load(ctx: SeedContext) -> None:
    """Seed the government vertical from ``ctx.data``."""
    data = ctx.data
    if not data:
        return
    if "city_officer" in ctx.users:
        services.assign_department(
            ctx.user("city_officer").id, data.get("city_officer_department", "transport")
        )
    for person in data.get("staff", []):
        user = accounts.find_user(person["email"]) or accounts.create_user(
            person["email"],
            person["name"],
            person["password"],
            role="staff",
            department="government",
        )
        services.assign_department(user.id, person["department"])
    for s in data.get("streets", []):
        _get_or_create(
            GovernmentStreet, {"name": s["name"]}, x1=s["x1"], y1=s["y1"], x2=s["x2"], y2=s["y2"]
        )
    sensors = {}
    for s in data.get("sensors", []):
        sensors[s["code"]] = _get_or_create(
            GovernmentSensor,
            {"code": s["code"]},
            name=s["name"],
            kind=s.get("kind", "both"),
            x=s["x"],
            y=s["y"],
        )
    for seg in data.get("segments", []):
        _get_or_create(
            GovernmentSegment,
            {"from_sensor_id": sensors[seg["from"]].id, "to_sensor_id": sensors[seg["to"]].id},
            name=seg["name"],
            free_flow_seconds=seg["free_flow_seconds"],
        )
    for c in data.get("crews", []):
        _get_or_create(
            GovernmentCrew,
            {"code": c["code"]},
            name=c["name"],
            x=c["x"],
            y=c["y"],
            speed_kmh=c.get("speed_kmh", 30),
        )
    has_history = db.session.execute(select(GovernmentObservation.id).limit(1)).first()
    if not has_history and data.get("history_hours"):
        services.simulate(
            clock.now(),
            ctx.random,
            hours=data["history_hours"],
            incident_segment=data.get("incident_segment"),
        )
    streets = {s.name: s for s in services.streets()}
    for r in data.get("citizen_reports", []):
        user = ctx.user(r["persona"])
        street = streets[r["street"]]
        location = f"{street.name} — {r['location']}"
        exists = db.session.execute(
            select(GovernmentRepair.id).where(
                GovernmentRepair.reporter_id == user.id, GovernmentRepair.location == location
            )
        ).first()
        if not exists:
            services.report_repair(user.id, r["category"], street, r["location"], r["description"])
    db.session.flush()
