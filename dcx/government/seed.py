"""Turn seeds/<showcase>/government.yaml into streets, sensors, crews, staff and history.

Idempotent: every row is found by its natural key (street name, sensor code, segment pair,
crew code, staff email, a citizen's report location) before it is created, and traffic
history is generated only for sensors that have none.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.database import ids_in
from dcx.extensions import db
from dcx.government import districts as government_districts
from dcx.government import incidents, photos, public_updates, simulation, workspace
from dcx.government import repairs as government_repairs
from dcx.government.forms import CATEGORY_LABELS
from dcx.government.models import (
    GovernmentAreaFollow,
    GovernmentCrew,
    GovernmentIncident,
    GovernmentObservation,
    GovernmentPublicUpdate,
    GovernmentRepair,
    GovernmentRepairEvent,
    GovernmentSegment,
    GovernmentSensor,
    GovernmentStreet,
)
from dcx.platform import clock
from dcx.platform.accounts import services as accounts
from dcx.platform.links import link
from dcx.platform.timeline.services import record_bulk
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
        government_districts.assign_department(
            ctx.user("city_officer").id, data.get("city_officer_department", "transport")
        )
    if "public_works" in ctx.users:
        government_districts.assign_department(
            ctx.user("public_works").id, data.get("public_works_department", "public_works")
        )
    for person in data.get("staff", []):
        user = accounts.find_user(person["email"]) or accounts.create_user(
            person["email"],
            person["name"],
            person["password"],
            role="staff",
            department="government",
        )
        government_districts.assign_department(user.id, person["department"])
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
        simulation.simulate(
            clock.now(),
            ctx.random,
            hours=data["history_hours"],
            incident_segment=data.get("incident_segment"),
        )
    streets = {s.name: s for s in workspace.streets()}
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
            repair = photos.report_repair(
                user.id, r["category"], street, r["location"], r["description"]
            )
            if r.get("status") == "fixed":
                for step in ("acknowledged", "scheduled", "in_progress", "fixed"):
                    government_repairs.transition(repair, step)
    _seed_handoff(ctx, data)
    db.session.flush()


def _seed_handoff(ctx: SeedContext, data: Mapping[str, Any]) -> None:
    """The officer's congested road: its cause written down and a task handed to public works,
    waiting for them to acknowledge it (once: an incident with a hand-off is left alone)."""
    spec = data.get("handoff")
    if not spec or "city_officer" not in ctx.users or not data.get("incident_segment"):
        return
    incident = db.session.execute(
        select(GovernmentIncident)
        .join(GovernmentSegment, GovernmentSegment.id == GovernmentIncident.segment_id)
        .where(GovernmentSegment.name == data["incident_segment"])
        .order_by(GovernmentIncident.id)
        .limit(1)
    ).scalar_one_or_none()
    if incident is None or incidents.incident_handoffs(incident.id):
        return
    officer = ctx.user("city_officer")
    if data.get("incident_cause"):
        incidents.describe_incident(incident, data["incident_cause"])
    incidents.hand_off(
        incident,
        government_districts.department_of(officer.id) or incident.department,
        spec["to"],
        spec["task"],
        officer.id,
    )


# What citizens report, and how they say it (the synthetic customers' reports vary over these).
SCALE_REPORTS = {
    "streetlight": (
        _l("The streetlight is out; the pavement is pitch dark at night."),
        _l("The lamp flickers on and off all evening."),
        _l("The streetlight stays on all day."),
    ),
    "pothole": (
        _l("A deep pothole in the road; cars swerve around it."),
        _l("A pothole in the cycle lane, full of water after rain."),
        _l("The road surface has broken up into several holes."),
    ),
    "traffic_signal": (
        _l("The pedestrian light never turns green."),
        _l("The traffic light is stuck on red in one direction."),
    ),
    "sign": (
        _l("The stop sign is bent over and hard to see."),
        _l("A speed limit sign is missing; only the post is left."),
    ),
    "pavement": (
        _l("Loose paving stones; an older neighbour tripped here."),
        _l("The kerb is broken where prams cross."),
    ),
    "other": (_l("A bench is broken and has sharp edges."), _l("Graffiti covers the bus shelter.")),
}
SCALE_PLACES = (
    _l("outside number {n}"),
    _l("at the corner"),
    _l("by the bus stop"),
    _l("near number {n}"),
    "",
)
# Where a citizen's report ends up: (status, weight). ``fixed`` ones were fixed under 14 days
# ago (the close job has not closed them yet); ``closed`` ones were fixed and then closed.
SCALE_OUTCOMES = (
    ("reported", 2),
    ("acknowledged", 2),
    ("fixed", 2),
    ("closed", 5),
    ("unable_to_fix", 1),
)
# The steps services.transition puts on the reporter's timeline as a status change (it
# also records a reopen, which synthetic reports never have).
SCALE_STATUS_KINDS = {"acknowledged", "scheduled", "closed"}


def scale(ctx: SeedContext, customers: list) -> None:
    """Give each synthetic citizen repair reports and followed districts, once.

    A citizen reports 1-3 things broken on the seeded streets over the last months; each
    report went as far along the workflow as real ones do (many closed, some still open),
    with its status events, the public update of a fix and the citizen's timeline entries.
    Most citizens also follow a district or two. Customers who already have a report or a
    followed area are skipped, so a second run adds nothing.
    """
    streets = list(db.session.execute(select(GovernmentStreet)).scalars())
    if not streets or not customers:
        return
    ids = [c.id for c in customers]
    done = ids_in(GovernmentRepair.reporter_id, ids) | ids_in(GovernmentAreaFollow.user_id, ids)
    rnd, now = ctx.random, clock.now()
    statuses, weights = zip(*SCALE_OUTCOMES, strict=True)
    districts = list(government_districts.DISTRICTS)
    repairs, follows = [], []
    for customer in customers:
        if customer.id in done:
            continue
        for district in rnd.sample(districts, rnd.choice((0, 1, 1, 2))):
            follows.append(GovernmentAreaFollow(user_id=customer.id, district=district))
        for _ in range(rnd.randint(1, 3)):
            repairs.append(
                _scale_repair(rnd, now, customer.id, rnd.choice(streets), statuses, weights)
            )
    db.session.add_all(follows)
    db.session.add_all(repairs)
    db.session.flush()
    updates, events = [], []
    for repair in repairs:
        report_link = link("government.citizen_report", repair_id=repair.id)
        for event in repair.events:
            event_key, kind, subject = _scale_timeline(repair, event)
            if kind:
                events.append(
                    {
                        "user_id": repair.reporter_id,
                        "vertical": "government",
                        "kind": kind,
                        "subject": subject,
                        "summary": repair.location,
                        "link": report_link,
                        "key": event_key,
                        "occurred_at": event.at,
                    }
                )
        if repair.fixed_at is not None:
            district = government_districts.district_of(repair.x, repair.y)
            title, body = public_updates.fix_notice(
                repair.category, repair.location, district, repair.fixed_at
            )
            updates.append(
                GovernmentPublicUpdate(
                    repair_id=repair.id,
                    title=title,
                    body=body,
                    district=district,
                    published_at=repair.fixed_at,
                )
            )
    db.session.add_all(updates)
    record_bulk(events)
    db.session.flush()


def _scale_repair(rnd, now, reporter_id: int, street, statuses, weights) -> GovernmentRepair:
    """One citizen report with the status events that brought it to its outcome."""
    category = rnd.choice(list(SCALE_REPORTS))
    place = str(rnd.choice(SCALE_PLACES)).format(n=rnd.randint(1, 120))
    outcome = rnd.choices(statuses, weights)[0]
    if outcome == "fixed":
        created = now - timedelta(days=rnd.randint(4, 12), hours=rnd.randint(0, 23))
    elif outcome == "reported":
        created = now - timedelta(days=rnd.randint(0, 3), hours=rnd.randint(0, 23))
    elif outcome == "closed":  # fixed within ~22 days, then closed 14 days later: all past
        created = now - timedelta(days=rnd.randint(40, 150), hours=rnd.randint(0, 23))
    else:
        created = now - timedelta(days=rnd.randint(6, 45), hours=rnd.randint(0, 23))
    path = {
        "reported": ("reported",),
        "acknowledged": ("reported", "acknowledged"),
        "fixed": ("reported", "acknowledged", "scheduled", "in_progress", "fixed"),
        "closed": ("reported", "acknowledged", "scheduled", "in_progress", "fixed", "closed"),
        "unable_to_fix": ("reported", "acknowledged", "unable_to_fix"),
    }[outcome]
    # ``fixed`` must stay under 14 days old, so its steps are hours apart; others days apart.
    at = created
    fixed_at: datetime | None = None
    events: list[GovernmentRepairEvent] = []
    previous = ""
    for step in path:
        if step == "closed":
            if fixed_at is None:  # every path to "closed" goes through "fixed"
                raise ValueError(f"path {path} closes a report that was never fixed")
            at = fixed_at + timedelta(days=14, hours=2)
        elif step != "reported":
            at += (
                timedelta(hours=rnd.randint(2, 20))
                if outcome == "fixed"
                else timedelta(days=rnd.randint(1, 5), hours=rnd.randint(0, 8))
            )
        if step == "fixed":
            fixed_at = at
        note = "closed: nobody reported a problem in 14 days" if step == "closed" else ""
        actor = reporter_id if step == "reported" else None
        events.append(
            GovernmentRepairEvent(
                from_status=previous, to_status=step, actor_id=actor, note=note, at=at
            )
        )
        previous = step
    return GovernmentRepair(
        category=category,
        location=(f"{street.name} — {place}" if place else street.name)[:160],
        description=str(rnd.choice(SCALE_REPORTS[category])),
        x=street.x1 + (street.x2 - street.x1) * rnd.random(),
        y=street.y1 + (street.y2 - street.y1) * rnd.random(),
        status=outcome,
        reporter_id=reporter_id,
        created_at=created,
        fixed_at=fixed_at,
        events=events,
    )


def _scale_timeline(repair: GovernmentRepair, event) -> tuple[str, str, Any]:
    """The timeline entry the platform records for a status event: (key, kind, subject).

    The subjects are the services' lazy texts (report_repair, publish_fix, transition), so
    each citizen reads them in their own language.
    """
    if event.to_status == "reported":
        category = CATEGORY_LABELS.get(repair.category, repair.category)
        return (
            f"government.report_submitted:{repair.id}",
            "report_submitted",
            _l("Report #%(number)s: %(category)s", number=repair.id, category=category),
        )
    if event.to_status == "fixed":
        return (
            f"government.repair_fixed:{repair.id}:1",
            "repair_fixed",
            _l("Report #%(number)s fixed", number=repair.id),
        )
    if event.to_status in SCALE_STATUS_KINDS:
        status = government_repairs.STATUS_LABELS[event.to_status]
        return (
            f"government.repair_status:{event.id}",
            "repair_status",
            _l("Report #%(number)s: %(status)s", number=repair.id, status=status),
        )
    return "", "", ""
