"""Follow-on tasks between city departments, as the receiving department sees them: its list
of tasks, acknowledging one (the incident's share with the department is acknowledged, so the
department that handed it over sees it on the incident) and marking one done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from dcx.extensions import db
from dcx.government import incidents
from dcx.government.models import GovernmentHandoff, GovernmentIncident, HandoffStatus


@dataclass(frozen=True)
class DepartmentTask:
    """A task handed to a department, with its incident and where it stands."""

    handoff: GovernmentHandoff
    incident: GovernmentIncident
    acknowledged_at: datetime | None

    @property
    def status(self) -> str:
        """``open``, ``acknowledged`` or ``done``."""
        if self.handoff.status == HandoffStatus.DONE:
            return "done"
        return "acknowledged" if self.acknowledged_at else "open"


def tasks_for(department: str | None) -> list[DepartmentTask]:
    """The tasks handed to ``department``: those still to do first, newest first."""
    if department is None:
        return []
    rows = db.session.execute(
        select(GovernmentHandoff, GovernmentIncident)
        .join(GovernmentIncident, GovernmentIncident.id == GovernmentHandoff.incident_id)
        .where(GovernmentHandoff.to_department == department)
        .options(selectinload(GovernmentIncident.shares))
        .order_by(
            case((GovernmentHandoff.status == HandoffStatus.DONE, 1), else_=0),
            GovernmentHandoff.created_at.desc(),
            GovernmentHandoff.id.desc(),
        )
        .limit(100)
    ).all()
    tasks = []
    for handoff, incident in rows:
        share = next((s for s in incident.shares if s.department == department), None)
        tasks.append(DepartmentTask(handoff, incident, share.acknowledged_at if share else None))
    return tasks


def acknowledge_handoff(handoff: GovernmentHandoff, department: str | None, user_id: int) -> bool:
    """The receiving department acknowledges a task (and so the incident shared with it);
    False for any other department."""
    if department is None or department != handoff.to_department:
        return False
    incident = db.session.get(GovernmentIncident, handoff.incident_id)
    if incident is None:
        return False
    if not any(s.department == department for s in incident.shares):
        incidents.share_incident(incident, department, handoff.created_by_id)
    return incidents.acknowledge_incident(incident, department, user_id)


def finish_handoff(handoff: GovernmentHandoff, department: str | None, user_id: int) -> bool:
    """The receiving department marks a task done, acknowledging it on the way if it had not;
    False for any other department."""
    if not acknowledge_handoff(handoff, department, user_id):
        return False
    return incidents.complete_handoff(handoff, department)
