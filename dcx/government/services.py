"""Government rules: congestion from sensor data, incidents shared between departments, the
repair workflow, the crew planner, crew tracking, and publishing a fix to the public.

Plain functions over the models; they add and flush, the caller commits.
"""

from __future__ import annotations

import hmac
import json
import math
import secrets
import urllib.request
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app, has_request_context, url_for
from flask_babel import format_datetime, gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.government.forms import CATEGORY_LABELS
from dcx.government.models import (
    DEPARTMENTS,
    GovernmentAreaFollow,
    GovernmentCrew,
    GovernmentCrewPosition,
    GovernmentDepartmentMember,
    GovernmentDeviceSighting,
    GovernmentHandoff,
    GovernmentIncident,
    GovernmentIncidentComment,
    GovernmentIncidentShare,
    GovernmentObservation,
    GovernmentPublicUpdate,
    GovernmentRepair,
    GovernmentRepairEvent,
    GovernmentSegment,
    GovernmentSensor,
    GovernmentSocialPost,
    GovernmentStreet,
    GovernmentTravelTime,
    GovernmentWorkOrder,
)
from dcx.platform import clock
from dcx.platform.api.services import hash_token, new_token
from dcx.platform.notify.services import in_locale, notify, recipient_locales
from dcx.platform.timeline.services import record
from dcx.verticals import CalendarEntry

KEY = "government"

# --- congestion -----------------------------------------------------------------------------

# The one place the congestion thresholds live: travel-time index at or above each level.
CONGESTION_THRESHOLDS: tuple[tuple[str, float], ...] = (("severe", 1.5), ("congested", 1.3))
LEVEL_LABELS = {
    "free": _l("Free flow"),
    "congested": _l("Congested"),
    "severe": _l("Severe congestion"),
}
SENSOR_OFFLINE_AFTER = timedelta(minutes=15)


def travel_time_index(actual_seconds: float, free_flow_seconds: float) -> float:
    """Actual travel time over free-flow travel time (1.0 means traffic moves freely)."""
    if free_flow_seconds <= 0:
        raise ValueError("free-flow travel time must be positive")
    return actual_seconds / free_flow_seconds


def congestion_level(index: float | None) -> str:
    """``free``, ``congested`` (index >= 1.3) or ``severe`` (index >= 1.5)."""
    if index is None:
        return "free"
    for level, threshold in CONGESTION_THRESHOLDS:
        if index >= threshold:
            return level
    return "free"


def sensor_online(sensor: GovernmentSensor, now: datetime) -> bool:
    """A sensor is online if it reported within the last 15 minutes."""
    return sensor.last_seen_at is not None and now - sensor.last_seen_at <= SENSOR_OFFLINE_AFTER


# --- districts and departments --------------------------------------------------------------

CITY_WIDTH, CITY_HEIGHT = 3000.0, 2000.0
DISTRICTS = {
    "old_town": _l("Old Town"),
    "riverside": _l("Riverside"),
    "market": _l("Market Quarter"),
    "harbour": _l("Harbour"),
}
DEPARTMENT_LABELS = {
    "transport": _l("Transport"),
    "public_works": _l("Public works"),
    "police": _l("Police"),
    "communications": _l("Communications"),
}


def district_of(x: float, y: float) -> str:
    """The district a point of the city lies in (the city is cut in four quarters)."""
    west = x < CITY_WIDTH / 2
    north = y < CITY_HEIGHT / 2
    if north:
        return "old_town" if west else "riverside"
    return "market" if west else "harbour"


def department_of(user_id: int) -> str | None:
    """The city department of a government staff member, or None."""
    return db.session.execute(
        select(GovernmentDepartmentMember.department).where(
            GovernmentDepartmentMember.user_id == user_id
        )
    ).scalar_one_or_none()


def assign_department(user_id: int, department: str) -> GovernmentDepartmentMember:
    """Put a staff member in a city department (get-or-update)."""
    if department not in DEPARTMENTS:
        raise ValueError(f"unknown department {department!r}")
    member = db.session.execute(
        select(GovernmentDepartmentMember).where(GovernmentDepartmentMember.user_id == user_id)
    ).scalar_one_or_none()
    if member is None:
        member = GovernmentDepartmentMember(user_id=user_id, department=department)
        db.session.add(member)
    member.department = department
    db.session.flush()
    return member


def department_staff(department: str) -> list[int]:
    """Ids of the staff in a city department."""
    return list(
        db.session.execute(
            select(GovernmentDepartmentMember.user_id).where(
                GovernmentDepartmentMember.department == department
            )
        ).scalars()
    )


# --- sensors and observations ---------------------------------------------------------------


class IngestError(ValueError):
    """An observation batch was refused (bad timestamps, unknown sensor pair)."""


def issue_sensor_token(sensor: GovernmentSensor) -> str:
    """Give a sensor a new token; returns the raw token (shown once, only its hash kept)."""
    raw, hashed = new_token("gov-sensor")
    sensor.token_hash = hashed
    db.session.flush()
    return raw


def sensor_by_token(token: str | None) -> GovernmentSensor | None:
    """The sensor whose token this is, or None."""
    if not token:
        return None
    return db.session.execute(
        select(GovernmentSensor).where(GovernmentSensor.token_hash == hash_token(token))
    ).scalar_one_or_none()


def daily_salt(day: date) -> bytes:
    """The salt for device hashes on ``day``: derived from the secret key, never stored."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"government-devices:{day.isoformat()}".encode(), "sha256").digest()


def device_hash(device_id: str, day: date) -> str:
    """A device address hashed with the day's salt; the raw address is never stored."""
    return hmac.new(daily_salt(day), device_id.strip().lower().encode(), "sha256").hexdigest()


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 timestamp with a zone into aware UTC; IngestError otherwise."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            raise IngestError(f"time without a zone: {value[:40]!r}")
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise IngestError(f"not an ISO 8601 time: {value[:40]!r}") from None


def ingest_observations(sensor: GovernmentSensor, observations: Iterable[Mapping[str, Any]]):
    """Store a batch of a sensor's observations; resending an interval replaces it.

    Returns (observations stored, travel times stored, incidents opened or raised).
    """
    items = list(observations)
    segments = {
        s.to_sensor.code: s
        for s in db.session.execute(
            select(GovernmentSegment).where(GovernmentSegment.from_sensor_id == sensor.id)
        ).scalars()
    }
    parsed = []
    for item in items:
        start, end = parse_time(item["interval_start"]), parse_time(item["interval_end"])
        if end <= start or end - start > timedelta(hours=2):
            raise IngestError("interval_end must be after interval_start, at most 2 hours")
        speed = item.get("average_speed_kmh")
        if speed is not None and not math.isfinite(speed):
            raise IngestError("average_speed_kmh must be a finite number")
        for tt in item.get("travel_times", []):
            if not math.isfinite(tt["seconds"]):
                raise IngestError("travel time seconds must be a finite number")
            if tt["to"] not in segments:
                raise IngestError(f"no segment from {sensor.code} to {tt['to']}")
        parsed.append((start, end, item))

    stored = travel = raised = 0
    latest = sensor.last_seen_at
    for start, end, item in parsed:
        devices = {device_hash(d, start.date()) for d in item.get("devices", []) if d.strip()}
        obs = db.session.execute(
            select(GovernmentObservation).where(
                GovernmentObservation.sensor_id == sensor.id,
                GovernmentObservation.interval_start == start,
            )
        ).scalar_one_or_none()
        if obs is None:
            obs = GovernmentObservation(sensor_id=sensor.id, interval_start=start)
            db.session.add(obs)
        obs.interval_end = end
        obs.vehicle_count = item.get("vehicle_count", 0)
        obs.pedestrian_count = item.get("pedestrian_count", 0)
        obs.average_speed_kmh = item.get("average_speed_kmh")
        obs.unique_devices = len(devices)
        stored += 1
        if devices:
            db.session.flush()
            known = set(
                db.session.execute(
                    select(GovernmentDeviceSighting.device_hash).where(
                        GovernmentDeviceSighting.sensor_id == sensor.id,
                        GovernmentDeviceSighting.seen_on == start.date(),
                        GovernmentDeviceSighting.device_hash.in_(devices),
                    )
                ).scalars()
            )
            for h in devices - known:
                db.session.add(
                    GovernmentDeviceSighting(
                        sensor_id=sensor.id, seen_on=start.date(), device_hash=h
                    )
                )
        for tt in item.get("travel_times", []):
            segment = segments[tt["to"]]
            index = travel_time_index(float(tt["seconds"]), segment.free_flow_seconds)
            row = db.session.execute(
                select(GovernmentTravelTime).where(
                    GovernmentTravelTime.segment_id == segment.id,
                    GovernmentTravelTime.interval_start == start,
                )
            ).scalar_one_or_none()
            if row is None:
                row = GovernmentTravelTime(segment_id=segment.id, interval_start=start)
                db.session.add(row)
            row.interval_end = end
            row.travel_seconds = float(tt["seconds"])
            row.travel_time_index = round(index, 3)
            travel += 1
            if detect_congestion(segment, index) is not None:
                raised += 1
        if latest is None or end > latest:
            latest = end
    sensor.last_seen_at = latest
    db.session.flush()
    return stored, travel, raised


def detect_congestion(segment: GovernmentSegment, index: float) -> GovernmentIncident | None:
    """Open (or raise) the segment's congestion incident when its index crosses a threshold."""
    level = congestion_level(index)
    if level == "free":
        return None
    incident = db.session.execute(
        select(GovernmentIncident).where(
            GovernmentIncident.segment_id == segment.id, GovernmentIncident.status == "open"
        )
    ).scalar_one_or_none()
    if incident is None:
        a, b = segment.from_sensor, segment.to_sensor
        incident = GovernmentIncident(
            # Stored once, in the locale in force: the showcase's when a job or the seed
            # simulates traffic, the request's when a sensor posts.
            title=gettext("Congestion on %(segment)s", segment=segment.name)[:160],
            segment_id=segment.id,
            severity=level,
            department="transport",
            x=(a.x + b.x) / 2,
            y=(a.y + b.y) / 2,
            travel_time_index=round(index, 2),
            created_at=clock.now(),
        )
        db.session.add(incident)
        db.session.flush()
        return incident
    incident.travel_time_index = round(index, 2)
    if level == "severe":
        incident.severity = "severe"
    return incident


def sensor_overview(now: datetime) -> list[dict[str, Any]]:
    """Every sensor with its latest counts and online status (two queries)."""
    sensors = list(
        db.session.execute(select(GovernmentSensor).order_by(GovernmentSensor.code)).scalars()
    )
    latest = (
        select(
            GovernmentObservation.sensor_id,
            func.max(GovernmentObservation.interval_start).label("start"),
        )
        .group_by(GovernmentObservation.sensor_id)
        .subquery()
    )
    rows = db.session.execute(
        select(GovernmentObservation).join(
            latest,
            (latest.c.sensor_id == GovernmentObservation.sensor_id)
            & (latest.c.start == GovernmentObservation.interval_start),
        )
    ).scalars()
    by_sensor = {o.sensor_id: o for o in rows}
    result = []
    for s in sensors:
        obs = by_sensor.get(s.id)
        result.append(
            {
                "id": s.id,
                "code": s.code,
                "name": s.name,
                "kind": s.kind,
                "x": s.x,
                "y": s.y,
                "online": sensor_online(s, now),
                "vehicles": obs.vehicle_count if obs else None,
                "pedestrians": obs.pedestrian_count if obs else None,
                "speed": obs.average_speed_kmh if obs else None,
                "at": obs.interval_end.isoformat() if obs else None,
            }
        )
    return result


def segment_overview() -> list[dict[str, Any]]:
    """Every segment with its latest travel-time index and congestion level."""
    segments = list(
        db.session.execute(select(GovernmentSegment).order_by(GovernmentSegment.id)).scalars()
    )
    latest = (
        select(
            GovernmentTravelTime.segment_id,
            func.max(GovernmentTravelTime.interval_start).label("start"),
        )
        .group_by(GovernmentTravelTime.segment_id)
        .subquery()
    )
    rows = db.session.execute(
        select(GovernmentTravelTime).join(
            latest,
            (latest.c.segment_id == GovernmentTravelTime.segment_id)
            & (latest.c.start == GovernmentTravelTime.interval_start),
        )
    ).scalars()
    by_segment = {t.segment_id: t for t in rows}
    sensors = {s.id: s for s in db.session.execute(select(GovernmentSensor)).scalars()}
    result = []
    for seg in segments:
        tt = by_segment.get(seg.id)
        index = tt.travel_time_index if tt else None
        a, b = sensors[seg.from_sensor_id], sensors[seg.to_sensor_id]
        result.append(
            {
                "id": seg.id,
                "name": seg.name,
                "x1": a.x,
                "y1": a.y,
                "x2": b.x,
                "y2": b.y,
                "index": index,
                "level": congestion_level(index),
                "travel_seconds": tt.travel_seconds if tt else None,
                "free_flow_seconds": seg.free_flow_seconds,
            }
        )
    return result


def traffic_series(now: datetime, hours: int = 12) -> tuple[list[str], dict[str, list]]:
    """Vehicles per hour for each sensor over the last ``hours`` hours (for a line chart)."""
    start = (now - timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    labels = [(start + timedelta(hours=i)).strftime("%H:00") for i in range(hours)]
    rows = db.session.execute(
        select(
            GovernmentSensor.code,
            GovernmentObservation.interval_start,
            GovernmentObservation.vehicle_count,
        )
        .join(GovernmentSensor, GovernmentSensor.id == GovernmentObservation.sensor_id)
        .where(GovernmentObservation.interval_start >= start)
    ).all()
    series: dict[str, list] = defaultdict(lambda: [0] * hours)
    for code, at, vehicles in rows:
        slot = int((at - start).total_seconds() // 3600)
        if 0 <= slot < hours:
            series[code][slot] += vehicles
    return labels, dict(sorted(series.items()))


def index_series(now: datetime, hours: int = 12) -> tuple[list[str], dict[str, list]]:
    """The highest travel-time index per hour for each segment over the last ``hours``."""
    start = (now - timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    labels = [(start + timedelta(hours=i)).strftime("%H:00") for i in range(hours)]
    rows = db.session.execute(
        select(
            GovernmentSegment.name,
            GovernmentTravelTime.interval_start,
            GovernmentTravelTime.travel_time_index,
        )
        .join(GovernmentSegment, GovernmentSegment.id == GovernmentTravelTime.segment_id)
        .where(GovernmentTravelTime.interval_start >= start)
    ).all()
    series: dict[str, list] = defaultdict(lambda: [None] * hours)
    for name, at, index in rows:
        slot = int((at - start).total_seconds() // 3600)
        if 0 <= slot < hours:
            current = series[name][slot]
            series[name][slot] = index if current is None else max(current, index)
    return labels, dict(sorted(series.items()))


# --- incidents shared between departments ---------------------------------------------------


def incident_visible_to(incident: GovernmentIncident, department: str | None) -> bool:
    """A department sees the incidents it raised and those shared with it."""
    if department is None:
        return False
    return incident.department == department or any(
        s.department == department for s in incident.shares
    )


def visible_incidents(
    department: str | None, include_all: bool = False
) -> list[GovernmentIncident]:
    """Incidents a department may see, newest first (``include_all`` for admins)."""
    stmt = select(GovernmentIncident).order_by(GovernmentIncident.created_at.desc())
    if not include_all:
        if department is None:
            return []
        shared = select(GovernmentIncidentShare.incident_id).where(
            GovernmentIncidentShare.department == department
        )
        stmt = stmt.where(
            (GovernmentIncident.department == department) | GovernmentIncident.id.in_(shared)
        )
    return list(db.session.execute(stmt.limit(100)).scalars())


def describe_incident(incident: GovernmentIncident, cause: str, title: str | None = None) -> None:
    """Record what causes an incident (for example a broken streetlight)."""
    incident.cause = cause
    if title:
        incident.title = title
    db.session.flush()


def share_incident(
    incident: GovernmentIncident, department: str, shared_by: int | None
) -> GovernmentIncidentShare:
    """Share an incident with a department and tell its staff (sharing twice is a no-op)."""
    if department not in DEPARTMENTS:
        raise ValueError(f"unknown department {department!r}")
    share = next((s for s in incident.shares if s.department == department), None)
    if share is not None:
        return share
    share = GovernmentIncidentShare(
        incident=incident, department=department, shared_by_id=shared_by, shared_at=clock.now()
    )
    db.session.add(share)
    db.session.flush()
    staff = department_staff(department)
    locales = recipient_locales(staff)
    for user_id in staff:
        with in_locale(locales[user_id]):
            title = str(_l("Shared with you: %(title)s", title=incident.title))
        notify(
            user_id,
            "government.incident_shared",
            title,
            incident.cause or "",
            link=f"/government/staff/incidents/{incident.id}",
            key=f"government.incident_shared:{incident.id}:{department}",
        )
    return share


def acknowledge_incident(incident: GovernmentIncident, department: str, user_id: int) -> bool:
    """Mark the department's share as acknowledged; False if not shared with it."""
    share = next((s for s in incident.shares if s.department == department), None)
    if share is None:
        return False
    if share.acknowledged_at is None:
        share.acknowledged_at = clock.now()
        share.acknowledged_by_id = user_id
        db.session.flush()
    return True


def comment_on_incident(
    incident: GovernmentIncident, department: str, user_id: int, body: str
) -> GovernmentIncidentComment:
    """Add a department's comment to an incident."""
    comment = GovernmentIncidentComment(
        incident_id=incident.id,
        department=department,
        author_id=user_id,
        body=body.strip(),
        created_at=clock.now(),
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def hand_off(
    incident: GovernmentIncident, from_department: str, to_department: str, task: str, user_id: int
) -> GovernmentHandoff:
    """Hand a follow-on task to another department; the incident is shared with it too."""
    if to_department not in DEPARTMENTS or to_department == from_department:
        raise ValueError("hand off to another department")
    share_incident(incident, to_department, user_id)
    handoff = GovernmentHandoff(
        incident_id=incident.id,
        from_department=from_department,
        to_department=to_department,
        task=task.strip(),
        created_by_id=user_id,
        created_at=clock.now(),
    )
    db.session.add(handoff)
    db.session.flush()
    return handoff


def complete_handoff(handoff: GovernmentHandoff, department: str | None) -> bool:
    """The receiving department marks its follow-on task done; False for anyone else."""
    if department != handoff.to_department:
        return False
    handoff.status = "done"
    db.session.flush()
    return True


def incident_comments(incident_id: int) -> list[GovernmentIncidentComment]:
    """An incident's comments, oldest first."""
    return list(
        db.session.execute(
            select(GovernmentIncidentComment)
            .where(GovernmentIncidentComment.incident_id == incident_id)
            .order_by(GovernmentIncidentComment.id)
        ).scalars()
    )


def incident_handoffs(incident_id: int) -> list[GovernmentHandoff]:
    """An incident's follow-on tasks, oldest first."""
    return list(
        db.session.execute(
            select(GovernmentHandoff)
            .where(GovernmentHandoff.incident_id == incident_id)
            .order_by(GovernmentHandoff.id)
        ).scalars()
    )


# --- repairs and their workflow -------------------------------------------------------------

REPAIR_STATUSES = (
    "reported",
    "acknowledged",
    "scheduled",
    "in_progress",
    "fixed",
    "closed",
    "unable_to_fix",
    "duplicate",
)
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
        publish_fix(repair)
    if repair.reporter_id and to_status in {"acknowledged", "scheduled", "closed", "reported"}:
        record(
            repair.reporter_id,
            KEY,
            "repair_status",
            _l("Report #%(number)s: %(status)s", number=repair.id, status=STATUS_LABELS[to_status]),
            repair.location,
            link=f"/government/reports/{repair.id}",
            key=f"government.repair_status:{event.id}",
        )
    return event


def unlinked_citizen_reports() -> list[GovernmentRepair]:
    """Open citizen reports not yet tied to an incident (candidates to link to one)."""
    return list(
        db.session.execute(
            select(GovernmentRepair)
            .where(
                GovernmentRepair.reporter_id.is_not(None),
                GovernmentRepair.incident_id.is_(None),
                GovernmentRepair.status.in_(("reported", "acknowledged")),
            )
            .order_by(GovernmentRepair.id.desc())
            .limit(50)
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
    if repair.status == "reported":
        note = gettext("linked to incident #%(number)s", number=incident.id)
        transition(repair, "acknowledged", actor_id, note)
    db.session.flush()
    return repair


def _new_repair(**fields: Any) -> GovernmentRepair:
    repair = GovernmentRepair(status="reported", created_at=clock.now(), **fields)
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


# --- photos of reports ------------------------------------------------------------------------

MAX_PHOTO_BYTES = 1024 * 1024
PHOTO_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
# A photo is written before its report is committed; one younger than this may still be on its
# way into a report, so the sweep leaves it alone.
ORPHAN_PHOTO_AGE = timedelta(hours=1)


def photo_type(data: bytes) -> str | None:
    """The image type the bytes really are (JPEG, PNG or WebP), whatever the upload claims."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for mime, signatures in PHOTO_SIGNATURES.items():
        if any(data.startswith(sig) for sig in signatures):
            return mime
    return None


def photo_dir() -> Path:
    """Where report photos are kept: the instance folder, never the package."""
    folder = Path(current_app.instance_path) / KEY / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_photo(data: bytes, mime: str) -> str:
    """Keep an uploaded photo under an unguessable name; the name goes on the report."""
    name = f"{secrets.token_hex(16)}.{mime.split('/')[1]}"
    (photo_dir() / name).write_bytes(data)
    return name


def photo_path(repair: GovernmentRepair) -> Path | None:
    """The report's photo on disk, or None when it has none (or the file is gone)."""
    if not repair.photo_file:
        return None
    path = photo_dir() / repair.photo_file
    return path if path.is_file() else None


def sweep_orphan_photos(older_than: datetime) -> int:
    """Delete photos no report names (a failed submission, a showcase reset), written before
    ``older_than`` (real time: file times are not on the demo clock). Returns how many."""
    kept = set(
        db.session.execute(
            select(GovernmentRepair.photo_file).where(GovernmentRepair.photo_file != "")
        ).scalars()
    )
    cutoff = older_than.timestamp()
    removed = 0
    for path in photo_dir().iterdir():
        if path.is_file() and path.name not in kept and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def report_repair(
    reporter_id: int,
    category: str,
    street: GovernmentStreet,
    location: str,
    description: str,
    photo_file: str = "",
    photo_type: str = "",
) -> GovernmentRepair:
    """A citizen's report of something broken on a street."""
    repair = _new_repair(
        category=category,
        location=(f"{street.name} — {location}" if location else street.name)[:160],
        description=description,
        x=(street.x1 + street.x2) / 2,
        y=(street.y1 + street.y2) / 2,
        reporter_id=reporter_id,
        photo_file=photo_file,
        photo_type=photo_type,
    )
    record(
        reporter_id,
        KEY,
        "report_submitted",
        _l(
            "Report #%(number)s: %(category)s",
            number=repair.id,
            category=CATEGORY_LABELS.get(category, category),
        ),
        repair.location,
        link=f"/government/reports/{repair.id}",
        key=f"government.report_submitted:{repair.id}",
    )
    return repair


def citizen_reports(user_id: int) -> list[GovernmentRepair]:
    """A citizen's own reports, newest first."""
    return list(
        db.session.execute(
            select(GovernmentRepair)
            .where(GovernmentRepair.reporter_id == user_id)
            .order_by(GovernmentRepair.created_at.desc(), GovernmentRepair.id.desc())
        ).scalars()
    )


def repairs(statuses: Iterable[str] | None = None) -> list[GovernmentRepair]:
    """Repairs, newest first, optionally only those with some statuses."""
    stmt = select(GovernmentRepair).order_by(GovernmentRepair.id.desc())
    if statuses is not None:
        stmt = stmt.where(GovernmentRepair.status.in_(tuple(statuses)))
    return list(db.session.execute(stmt.limit(200)).scalars())


def confirm_fixed(repair: GovernmentRepair, user_id: int) -> GovernmentRepairEvent:
    """The reporter agrees it is fixed: the repair is closed."""
    return transition(repair, "closed", user_id, NOTE_CONFIRMED)


def reopen(repair: GovernmentRepair, user_id: int, note: str = "") -> GovernmentRepairEvent:
    """A citizen says it is not really fixed: the repair goes back to reported.

    ``note`` is what the citizen typed, or one of the ``NOTE_*`` keys.
    """
    event = transition(repair, "reported", user_id, note or NOTE_REOPENED)
    for order in _orders_of(repair.id):
        if order.status == "scheduled":
            order.status = "cancelled"
    db.session.flush()
    return event


# --- planner --------------------------------------------------------------------------------


class ScheduleConflict(ValueError):
    """The crew is already booked somewhere else in that slot.

    Its message is a lazy translation, shown on the planner form in the visitor's language.
    """


def _orders_of(repair_id: int) -> list[GovernmentWorkOrder]:
    return list(
        db.session.execute(
            select(GovernmentWorkOrder).where(GovernmentWorkOrder.repair_id == repair_id)
        ).scalars()
    )


def crew_conflicts(
    crew_id: int, starts_at: datetime, ends_at: datetime, ignore_id: int | None = None
) -> list[GovernmentWorkOrder]:
    """The crew's live work orders overlapping [starts_at, ends_at)."""
    stmt = select(GovernmentWorkOrder).where(
        GovernmentWorkOrder.crew_id == crew_id,
        GovernmentWorkOrder.status != "cancelled",
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
    if repair.status == "reported":
        transition(repair, "acknowledged", actor_id)
    when = format_datetime(starts_at, "d MMM y, HH:mm", rebase=False) + " UTC"
    transition(repair, "scheduled", actor_id, f"{crew.name}, {when}")
    order = GovernmentWorkOrder(
        repair_id=repair.id, crew_id=crew.id, starts_at=starts_at, ends_at=ends_at
    )
    db.session.add(order)
    if crew.status in {"idle", "done"}:
        crew.status = "dispatched"
    db.session.flush()
    return order


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def week_plan(monday: date) -> dict[str, Any]:
    """Crews and their work orders for the week starting ``monday`` (one query each)."""
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    end = start + timedelta(days=7)
    crews = list(db.session.execute(select(GovernmentCrew).order_by(GovernmentCrew.code)).scalars())
    orders = db.session.execute(
        select(GovernmentWorkOrder, GovernmentRepair)
        .join(GovernmentRepair, GovernmentRepair.id == GovernmentWorkOrder.repair_id)
        .where(
            GovernmentWorkOrder.starts_at < end,
            GovernmentWorkOrder.ends_at > start,
            GovernmentWorkOrder.status != "cancelled",
        )
        .order_by(GovernmentWorkOrder.starts_at)
    ).all()
    days = [monday + timedelta(days=i) for i in range(7)]
    grid: dict[tuple[int, date], list] = defaultdict(list)
    for order, repair in orders:
        grid[(order.crew_id, order.starts_at.date())].append((order, repair))
    return {"days": days, "crews": crews, "grid": grid}


# --- crews ----------------------------------------------------------------------------------


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
        .where(GovernmentWorkOrder.crew_id == crew_id, GovernmentWorkOrder.status == "scheduled")
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
            transition(repair, "in_progress", actor_id, gettext("%(crew)s on site", crew=crew.name))
        if status == "done" and repair.status == "in_progress":
            transition(repair, "fixed", actor_id, gettext("fixed by %(crew)s", crew=crew.name))
            order.status = "done"
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
        .where(GovernmentWorkOrder.status == "scheduled")
        .order_by(GovernmentWorkOrder.starts_at.desc())
    ):
        targets[crew_id] = (repair_id, x, y)  # earliest wins: rows come latest first
    result = []
    for crew in crews:
        target = targets.get(crew.id)
        moving = crew.status in {"dispatched", "en_route"}
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


# --- public updates -------------------------------------------------------------------------

SOCIAL_NETWORKS = {"x": 280, "mastodon": 500, "facebook": 2000}


def _public_link(update_id: int) -> str:
    if has_request_context():
        return url_for("government.status", _external=True, _anchor=f"update-{update_id}")
    return f"/government/status#update-{update_id}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_posts(update: GovernmentPublicUpdate, link: str) -> dict[str, str]:
    """The post for each network, within its length limit (the link is always kept whole)."""
    x_room = SOCIAL_NETWORKS["x"] - len(link) - 1
    return {
        "x": f"{_shorten(update.title, x_room)} {link}",
        "mastodon": _shorten(
            f"{update.title}\n\n{update.body}", SOCIAL_NETWORKS["mastodon"] - len(link) - 20
        )
        + f"\n\n{link}\n#CityUpdates",
        "facebook": _shorten(f"{update.title}\n\n{update.body}", 1800)
        + "\n\n"
        + gettext("More: %(link)s", link=link),
    }


def send_to_webhook(url: str, payload: Mapping[str, Any]) -> str:
    """POST the payload as JSON to the social webhook; returns a short outcome or raises."""
    request = urllib.request.Request(  # noqa: S310 - the URL comes from the operator's config
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return f"HTTP {response.status}"


# The outcome of a post that was not sent: a key, shown through labels.POST_OUTCOME_LABELS.
NO_WEBHOOK = "no GOVERNMENT_SOCIAL_WEBHOOK configured"


def deliver_social(post: GovernmentSocialPost, link: str) -> None:
    """Send one post through the configured webhook, or record that none is configured."""
    webhook = current_app.config.get("GOVERNMENT_SOCIAL_WEBHOOK", "")
    if not webhook:
        post.status, post.outcome = "skipped", NO_WEBHOOK
        return
    try:
        post.outcome = send_to_webhook(
            webhook, {"network": post.network, "text": post.text, "link": link}
        )[:300]
        post.status = "sent"
    except Exception as exc:  # any network failure is recorded, never raised to the caller
        post.status, post.outcome = "failed", f"{type(exc).__name__}: {exc}"[:300]


def fix_notice(category: str, location: str, district: str, at: datetime) -> tuple[str, str]:
    """The public notice of a fix (title, body), in the current locale: the staff member's
    when they publish it, the showcase's when it is seeded."""
    what = str(CATEGORY_LABELS.get(category, category)).lower()
    title = gettext("Fixed: %(what)s at %(place)s", what=what, place=location)[:200]
    body = gettext(
        "The %(what)s reported at %(place)s (%(district)s) was repaired on %(when)s UTC. "
        "Thank you for your patience.",
        what=what,
        place=location,
        district=DISTRICTS[district],
        when=format_datetime(at, "d MMM y, HH:mm", rebase=False),
    )
    return title, body


def publish_fix(repair: GovernmentRepair) -> GovernmentPublicUpdate:
    """Publish a fixed repair: status page + feed entry, social posts, and the citizens told.

    Once per repair: a repair fixed again after a reopen refreshes the same update.
    """
    district = district_of(repair.x, repair.y)
    title, body = fix_notice(repair.category, repair.location, district, clock.now())
    update = db.session.execute(
        select(GovernmentPublicUpdate).where(GovernmentPublicUpdate.repair_id == repair.id)
    ).scalar_one_or_none()
    if update is None:
        update = GovernmentPublicUpdate(repair_id=repair.id)
        db.session.add(update)
    update.title, update.body, update.district = title, body, district
    update.published_at = clock.now()
    db.session.flush()
    link = _public_link(update.id)
    existing = {
        p.network: p
        for p in db.session.execute(
            select(GovernmentSocialPost).where(GovernmentSocialPost.update_id == update.id)
        ).scalars()
    }
    for network, text in render_posts(update, link).items():
        post = existing.get(network)
        if post is None:
            post = GovernmentSocialPost(
                update_id=update.id, network=network, created_at=clock.now()
            )
            db.session.add(post)
        post.text = text
        deliver_social(post, link)
    fixes = sum(1 for e in repair.events if e.to_status == "fixed")
    followers = list(
        db.session.execute(
            select(GovernmentAreaFollow.user_id).where(GovernmentAreaFollow.district == district)
        ).scalars()
    )
    locales = recipient_locales([*followers, *([repair.reporter_id] if repair.reporter_id else [])])
    if repair.reporter_id:
        with in_locale(locales[repair.reporter_id]):
            title = str(_l("Is it really fixed? Report #%(number)s", number=repair.id))
            body = str(
                _l(
                    "We marked your report at %(location)s as fixed. If it is not, reopen it.",
                    location=repair.location,
                )
            )
        notify(
            repair.reporter_id,
            "government.fix_check",
            title,
            body,
            link=f"/government/reports/{repair.id}",
            key=f"government.fix_check:{repair.id}:{fixes}",
        )
        record(
            repair.reporter_id,
            KEY,
            "repair_fixed",
            _l("Report #%(number)s fixed", number=repair.id),
            repair.location,
            link=f"/government/reports/{repair.id}",
            key=f"government.repair_fixed:{repair.id}:{fixes}",
        )
    for user_id in followers:
        if user_id == repair.reporter_id:
            continue
        with in_locale(locales[user_id]):
            title = str(
                _l(
                    "Fixed in %(district)s: %(location)s",
                    district=DISTRICTS[district],
                    location=repair.location,
                )
            )
            body = str(_l("Is it really fixed? If not, tell us on the status page."))
        notify(
            user_id,
            "government.fix_check",
            title[:200],
            body,
            link=f"/government/status#update-{update.id}",
            key=f"government.fix_check:{repair.id}:{fixes}",
        )
    return update


def public_updates(limit: int = 50) -> list[GovernmentPublicUpdate]:
    """The latest public updates, newest first."""
    return list(
        db.session.execute(
            select(GovernmentPublicUpdate)
            .order_by(GovernmentPublicUpdate.published_at.desc(), GovernmentPublicUpdate.id.desc())
            .limit(limit)
        ).scalars()
    )


def follow_area(user_id: int, district: str) -> bool:
    """Follow a district; False if already followed."""
    if district not in DISTRICTS:
        raise ValueError(f"unknown district {district!r}")
    exists = db.session.execute(
        select(GovernmentAreaFollow.id).where(
            GovernmentAreaFollow.user_id == user_id, GovernmentAreaFollow.district == district
        )
    ).first()
    if exists:
        return False
    db.session.add(GovernmentAreaFollow(user_id=user_id, district=district))
    db.session.flush()
    return True


def may_reopen(repair: GovernmentRepair, user_id: int) -> bool:
    """The reporter, or a citizen following the repair's district, may say it is not fixed."""
    if repair.reporter_id == user_id:
        return True
    return district_of(repair.x, repair.y) in followed_areas(user_id)


def followed_areas(user_id: int) -> list[str]:
    """The districts a citizen follows."""
    return list(
        db.session.execute(
            select(GovernmentAreaFollow.district).where(GovernmentAreaFollow.user_id == user_id)
        ).scalars()
    )


# --- summary for staff ----------------------------------------------------------------------


def summary_card(user_id: int) -> dict[str, Any] | None:
    """The staff customer-360 card: the citizen's reports, if any (in the page's locale)."""
    reports = citizen_reports(user_id)
    if not reports:
        return None
    open_count = sum(1 for r in reports if r.status in OPEN_STATUSES)
    latest = reports[0]
    status = str(STATUS_LABELS.get(latest.status, latest.status)).lower()
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
        "link": "/government/staff/repairs",
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
            GovernmentWorkOrder.status == "scheduled",
            GovernmentRepair.status.in_(OPEN_STATUSES),
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


# --- simulation -----------------------------------------------------------------------------


def rush_factor(at: datetime) -> float:
    """The city's daily rhythm: 0 at night, peaks near 1 at 08:00 and 17:30 (UTC)."""
    hour = at.hour + at.minute / 60
    morning = math.exp(-((hour - 8.0) ** 2) / 2.0)
    evening = math.exp(-((hour - 17.5) ** 2) / 3.0)
    daytime = 0.35 if 7 <= hour <= 20 else 0.05
    return min(1.0, max(morning, evening, daytime))


def simulate(
    now: datetime,
    rng: Any,
    hours: float = 12,
    step_minutes: int = 15,
    incident_segment: str | None = None,
    incident_hours: float = 1.0,
) -> dict[str, int]:
    """Drive every sensor through ``hours`` of the daily rhythm up to ``now``.

    Observations go through the same ingest rule as the API. ``incident_segment`` (a segment
    name) makes its last ``incident_hours`` slow enough to be severe congestion.
    Rerunning replaces the same intervals, so it never duplicates rows.
    """
    step = timedelta(minutes=step_minutes)
    end = now.replace(second=0, microsecond=0)
    end -= timedelta(minutes=end.minute % step_minutes)
    start = end - timedelta(hours=hours)
    sensors = list(db.session.execute(select(GovernmentSensor)).scalars())
    segments = list(db.session.execute(select(GovernmentSegment)).scalars())
    totals = {"observations": 0, "travel_times": 0, "congestion": 0}
    for sensor in sensors:
        outgoing = [s for s in segments if s.from_sensor_id == sensor.id]
        batch = []
        at = start
        while at < end:
            rush = rush_factor(at)
            base = 40 + 260 * rush
            item: dict[str, Any] = {
                "interval_start": at.isoformat(),
                "interval_end": (at + step).isoformat(),
                "vehicle_count": int(base * rng.uniform(0.85, 1.15))
                if sensor.kind != "pedestrian"
                else 0,
                "pedestrian_count": int(base * 0.6 * rng.uniform(0.8, 1.2))
                if sensor.kind != "vehicle"
                else 0,
                "average_speed_kmh": round(45 - 20 * rush + rng.uniform(-3, 3), 1),
                "travel_times": [],
            }
            for seg in outgoing:
                factor = 1 + 0.22 * rush + rng.uniform(0, 0.05)
                if (
                    incident_segment
                    and seg.name == incident_segment
                    and at >= end - timedelta(hours=incident_hours)
                ):
                    factor = 1.65 + rng.uniform(0, 0.1)
                item["travel_times"].append(
                    {"to": seg.to_sensor.code, "seconds": round(seg.free_flow_seconds * factor, 1)}
                )
            batch.append(item)
            at += step
        if batch:
            stored, travel, raised = ingest_observations(sensor, batch)
            totals["observations"] += stored
            totals["travel_times"] += travel
            totals["congestion"] += raised
    return totals
