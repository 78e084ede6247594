"""Repairs and their workflow: the statuses a repair moves through and the events that record it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from dcx.extensions import db
from dcx.government import public_updates
from dcx.government.models import (
    GovernmentIncident,
    GovernmentRepair,
    GovernmentRepairEvent,
    RepairStatus,
)
from dcx.government.rules import KEY
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.simulation import insert_batches
from dcx.platform.timeline.services import record, record_bulk

REPAIR_STATUSES = tuple(member.value for member in RepairStatus)
STATUS_LABELS = {
    "reported": _l("Reported"),
    "acknowledged": _l("Acknowledged"),
    "scheduled": _l("Scheduled"),
    "in_progress": _l("In progress"),
    "fixed": _l("Fixed"),
    "closed": _l("Closed"),
    "unable_to_fix": _l("Unable to fix"),
    "duplicate": _l("Duplicate"),
}
# Which status may follow which; anything else is refused. ``fixed -> reported`` is a reopen.
TRANSITIONS: dict[str, frozenset[str]] = {
    "reported": frozenset({"acknowledged", "duplicate", "unable_to_fix"}),
    "acknowledged": frozenset({"scheduled", "duplicate", "unable_to_fix"}),
    "scheduled": frozenset({"in_progress", "acknowledged", "unable_to_fix"}),
    "in_progress": frozenset({"fixed", "scheduled", "unable_to_fix"}),
    "fixed": frozenset({"closed", "reported"}),
    "closed": frozenset(),
    "unable_to_fix": frozenset(),
    "duplicate": frozenset(),
}
OPEN_STATUSES = ("reported", "acknowledged", "scheduled", "in_progress")
#: Repairs no crew is booked for yet: what the planner offers to schedule.
WAITING_STATUSES = ("reported", "acknowledged")
# Notes the workflow writes itself, stored as these keys and shown through
# labels.REPAIR_NOTE_LABELS in the reader's language (notes staff type are shown as typed).
NOTE_CONFIRMED = "confirmed fixed by the citizen"
NOTE_REOPENED = "reopened: not fixed"
NOTE_STILL_BROKEN = "a citizen says it is still broken"


class IllegalTransition(ValueError):
    """A repair cannot move from its status to the one asked for.

    Its message is a lazy translation: ``str(exc)`` speaks the language of the page showing it.
    """


def can_transition(from_status: str, to_status: str) -> bool:
    """True if the workflow allows ``from_status -> to_status``."""
    return to_status in TRANSITIONS.get(from_status, frozenset())


def transition(
    repair: GovernmentRepair, to_status: str, actor_id: int | None = None, note: str = ""
) -> GovernmentRepairEvent:
    """Move a repair along its workflow, recording the step; IllegalTransition otherwise.

    Reaching ``fixed`` publishes the fix to the public at once.
    """
    if not can_transition(repair.status, to_status):
        raise IllegalTransition(
            _l(
                "a repair cannot go from %(from_status)s to %(to_status)s",
                from_status=STATUS_LABELS.get(repair.status, repair.status),
                to_status=STATUS_LABELS.get(to_status, to_status),
            )
        )
    event = GovernmentRepairEvent(
        repair=repair,
        from_status=repair.status,
        to_status=to_status,
        actor_id=actor_id,
        note=note[:300],
        at=clock.now(),
    )
    db.session.add(event)
    repair.status = to_status
    db.session.flush()
    if to_status == "fixed":
        repair.fixed_at = clock.now()
        public_updates.publish_fix(repair)
    if repair.reporter_id and to_status in {"acknowledged", "scheduled", "closed", "reported"}:
        record(
            repair.reporter_id,
            KEY,
            "repair_status",
            _l("Report #%(number)s: %(status)s", number=repair.id, status=STATUS_LABELS[to_status]),
            repair.location,
            link=link("government.citizen_report", repair_id=repair.id),
            key=f"government.repair_status:{event.id}",
        )
    return event


def close_fixed_before(before: datetime, note: str) -> int:
    """Close every repair fixed at or before ``before``, as :func:`transition` closes one (a
    ``fixed -> closed`` step with ``note``, the reporter's timeline event), set-based: one
    read, one UPDATE, one insert of the steps, the events in one batch. How many it closed.

    ``closed`` ends a repair's workflow, so a repair has at most one closing step: the events'
    keys come from the steps read back by repair. The caller commits."""
    rows = db.session.execute(
        select(GovernmentRepair.id, GovernmentRepair.reporter_id, GovernmentRepair.location)
        .where(GovernmentRepair.status == RepairStatus.FIXED, GovernmentRepair.fixed_at <= before)
        .order_by(GovernmentRepair.id)
    ).all()
    if not rows:
        return 0
    ids = [row.id for row in rows]
    at = clock.now()
    db.session.execute(
        update(GovernmentRepair)
        .where(GovernmentRepair.id.in_(ids), GovernmentRepair.status == RepairStatus.FIXED)
        .values(status=RepairStatus.CLOSED)
    )
    step = {"from_status": "fixed", "to_status": "closed", "actor_id": None, "note": note[:300]}
    insert_batches(GovernmentRepairEvent, [{"repair_id": i, "at": at, **step} for i in ids])
    steps = {
        row.repair_id: row.id
        for row in db.session.execute(
            select(GovernmentRepairEvent.repair_id, GovernmentRepairEvent.id).where(
                GovernmentRepairEvent.repair_id.in_(ids),
                GovernmentRepairEvent.to_status == "closed",
            )
        )
    }
    record_bulk(
        {
            "user_id": row.reporter_id,
            "vertical": KEY,
            "kind": "repair_status",
            "subject": _l(
                "Report #%(number)s: %(status)s", number=row.id, status=STATUS_LABELS["closed"]
            ),
            "summary": row.location,
            "link": link("government.citizen_report", repair_id=row.id),
            "key": f"government.repair_status:{steps[row.id]}",
            "occurred_at": at,
        }
        for row in rows
        if row.reporter_id
    )
    return len(ids)


#: Citizen reports offered to link to an incident: the nearest this many.
NEAREST_REPORTS = 8


def unlinked_citizen_reports(
    x: float, y: float, limit: int = NEAREST_REPORTS
) -> list[GovernmentRepair]:
    """The ``limit`` open citizen reports nearest to (``x``, ``y``) not yet tied to an
    incident (candidates to link to the incident there), nearest first, sorted in SQL."""
    distance = (GovernmentRepair.x - x) * (GovernmentRepair.x - x) + (GovernmentRepair.y - y) * (
        GovernmentRepair.y - y
    )
    return list(
        db.session.execute(
            select(GovernmentRepair)
            .where(
                GovernmentRepair.reporter_id.is_not(None),
                GovernmentRepair.incident_id.is_(None),
                GovernmentRepair.status.in_((RepairStatus.REPORTED, RepairStatus.ACKNOWLEDGED)),
            )
            .order_by(distance, GovernmentRepair.id.desc())
            .limit(limit)
        ).scalars()
    )


def link_report_to_incident(
    incident: GovernmentIncident, repair: GovernmentRepair, actor_id: int
) -> GovernmentRepair:
    """Make a citizen's report the repair for an incident's cause (acknowledging it).

    The report keeps its reporter, so the citizen hears when it is fixed.
    """
    if repair.status not in {"reported", "acknowledged"}:
        raise IllegalTransition(_l("only a report not yet scheduled can be linked"))
    repair.incident_id = incident.id
    if repair.status == RepairStatus.REPORTED:
        note = gettext("linked to incident #%(number)s", number=incident.id)
        transition(repair, "acknowledged", actor_id, note)
    db.session.flush()
    return repair


def new_reported_repair(
    category: str, location: str, description: str, x: float, y: float
) -> GovernmentRepair:
    """A report that came with no citizen account (an Open311 client's): status "reported"."""
    return _new_repair(category=category, location=location, description=description, x=x, y=y)


def _new_repair(**fields: Any) -> GovernmentRepair:
    repair = GovernmentRepair(status=RepairStatus.REPORTED.value, created_at=clock.now(), **fields)
    db.session.add(repair)
    repair.events.append(
        GovernmentRepairEvent(
            from_status="", to_status="reported", actor_id=fields.get("reporter_id"), at=clock.now()
        )
    )
    db.session.flush()
    return repair


def repair_from_incident(
    incident: GovernmentIncident, category: str, description: str, actor_id: int, location: str = ""
) -> GovernmentRepair:
    """Open a repair request for the cause of an incident, at the incident's place."""
    repair = _new_repair(
        category=category,
        location=(location or incident.title)[:160],
        description=description,
        x=incident.x,
        y=incident.y,
        incident_id=incident.id,
    )
    repair.events[0].actor_id = actor_id
    return repair
