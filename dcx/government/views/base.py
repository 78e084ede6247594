"""Government pages: the traffic dashboard, shared incidents, repairs, the planner, citizens'
reports, and the public status page with its Atom feed."""

from __future__ import annotations

from flask import abort, current_app, render_template
from flask_login import current_user

from dcx.extensions import db
from dcx.government import congestion as government_congestion
from dcx.government import (
    crews,
    districts,
    labels,
    photos,
    public_updates,
    repairs,
    repairs_public,
    sensors,
    workspace,
)
from dcx.government import incidents as government_incidents
from dcx.government.models import (
    GovernmentIncident,
    GovernmentRepair,
    IncidentStatus,
)
from dcx.platform import clock
from dcx.platform.blueprints import vertical_blueprints
from dcx.platform.forms import SelectChoice

# its pages at /government and the staff workspace at /government/staff/, guarded as a whole
bp, staff_bp = vertical_blueprints("government", labels.label)


@bp.app_template_global("government_labels")
def _government_labels(kind: str) -> dict[str, str]:
    """Every label of ``kind``, for a script that redraws keys from the live feed."""
    return labels.labels_of(kind)


def _repair_choice(repair: GovernmentRepair) -> SelectChoice:
    """``#12 streetlight — Harbour Road``: a repair to pick, its category in the visitor's words."""
    category = labels.label("category", repair.category).lower()
    return SelectChoice(repair.id, f"#{repair.id} {category} — {repair.location}")


REPORT_DRAFT = "government.repair_report"


def _department() -> str | None:
    return districts.department_of(current_user.id)


def _incident_or_404(incident_id: int) -> GovernmentIncident:
    """An incident the current staff member's department may see; 404 otherwise."""
    incident = db.get_or_404(GovernmentIncident, incident_id)
    if current_user.is_admin:
        return incident
    if not government_incidents.incident_visible_to(incident, _department()):
        abort(404)
    return incident


def _template_exists(name: str) -> bool:
    try:
        current_app.jinja_env.get_template(name)
    except Exception:
        return False
    return True


def _congestion_context(department: str | None) -> dict:
    """The open congestion this staff member sees, and a key that changes when it does (the
    live feed sends the list again only then, so a screen reader hears each change once)."""
    incidents = [
        i
        for i in government_incidents.visible_incidents(
            department, include_all=current_user.is_admin
        )
        if i.status == IncidentStatus.OPEN
    ]
    key = ";".join(f"{i.id}:{i.severity}:{i.travel_time_index or ''}" for i in incidents)
    return {
        "incidents": incidents,
        "congestion_key": key,
        "levels": government_congestion.LEVEL_LABELS,
    }


def _map_context() -> dict:
    now = clock.now()
    return {
        "streets": workspace.streets(),
        "sensors": sensors.sensor_overview(now),
        "segments": sensors.segment_overview(),
        "crews": crews.crew_overview(),
        "trails": crews.crew_trails(),
        "city": (districts.CITY_WIDTH, districts.CITY_HEIGHT),
        "levels": government_congestion.LEVEL_LABELS,
    }


@bp.route("/")
def index():
    """The landing page: the story, and links to what this visitor can do."""
    reports = []
    if current_user.is_authenticated and not current_user.is_staff:
        reports = photos.citizen_reports(current_user.id)[:5]
    return render_template(
        "government/index.html",
        reports=reports,
        updates=repairs_public.public_entries(public_updates.public_updates(limit=3)),
        statuses=repairs.STATUS_LABELS,
    )
