"""Incidents shared between departments: raise, share, acknowledge, comment, hand off."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.database import rows_where
from dcx.extensions import db
from dcx.government import districts
from dcx.government.models import (
    DEPARTMENTS,
    GovernmentHandoff,
    GovernmentIncident,
    GovernmentIncidentComment,
    GovernmentIncidentShare,
    GovernmentRepair,
    HandoffStatus,
)
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.notify.services import in_locale, notify, recipient_locales


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
    staff = districts.department_staff(department)
    locales = recipient_locales(staff)
    for user_id in staff:
        with in_locale(locales[user_id]):
            title = str(_l("Shared with you: %(title)s", title=incident.title))
        notify(
            user_id,
            "government.incident_shared",
            title,
            incident.cause or "",
            link=link("government.staff.incident", incident_id=incident.id),
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
    handoff.status = HandoffStatus.DONE.value
    db.session.flush()
    return True


def incident_comments(incident_id: int) -> list[GovernmentIncidentComment]:
    """An incident's comments, oldest first."""
    return rows_where(
        GovernmentIncidentComment,
        GovernmentIncidentComment.incident_id == incident_id,
        order_by=(GovernmentIncidentComment.id,),
    )


def incident_repairs(incident_id: int) -> list[GovernmentRepair]:
    """The repairs raised from an incident."""
    return rows_where(GovernmentRepair, GovernmentRepair.incident_id == incident_id)


def incident_handoffs(incident_id: int) -> list[GovernmentHandoff]:
    """An incident's follow-on tasks, oldest first."""
    return rows_where(
        GovernmentHandoff,
        GovernmentHandoff.incident_id == incident_id,
        order_by=(GovernmentHandoff.id,),
    )
