"""The incidents pages: raise, share with departments, acknowledge, comment, hand off, repair."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from dcx.extensions import db
from dcx.government import congestion as government_congestion
from dcx.government import districts, forms, repairs
from dcx.government import incidents as government_incidents
from dcx.government.models import GovernmentHandoff, GovernmentIncident, GovernmentRepair
from dcx.government.views.base import _department, _incident_or_404, _repair_choice, staff_bp
from dcx.platform.forms import SelectChoice, validated
from dcx.platform.views import saved, submit


@staff_bp.route("/incidents")
def incidents():
    """Incidents raised by or shared with the staff member's department."""
    department = _department()
    return render_template(
        "government/incidents.html",
        department=department,
        incidents=government_incidents.visible_incidents(
            department, include_all=current_user.is_admin
        ),
    )


def _repair_form(incident: GovernmentIncident, **defaults) -> forms.RepairFromIncidentForm:
    form = forms.RepairFromIncidentForm(**defaults)
    form.citizen_report.choices = [SelectChoice(0, _("None: open a new repair"))] + [
        _repair_choice(r) for r in repairs.unlinked_citizen_reports(incident.x, incident.y)
    ]
    return form


def _incident_page(incident: GovernmentIncident, status: int = 200, **form_overrides):
    department = _department()
    context = {
        "incident": incident,
        "department": department,
        "my_share": next((s for s in incident.shares if s.department == department), None),
        "comments": government_incidents.incident_comments(incident.id),
        "handoffs": government_incidents.incident_handoffs(incident.id),
        "repairs": government_incidents.incident_repairs(incident.id),
        "describe_form": forms.DescribeIncidentForm(obj=incident),
        "share_form": forms.ShareForm(department="public_works"),
        "comment_form": forms.CommentForm(),
        "handoff_form": forms.HandoffForm(),
        "repair_form": _repair_form(
            incident,
            location=incident.segment.name if incident.segment else incident.title,
            category="streetlight",
        ),
        "departments": districts.DEPARTMENT_LABELS,
        "levels": government_congestion.LEVEL_LABELS,
        "statuses": repairs.STATUS_LABELS,
    }
    context.update(form_overrides)
    return render_template("government/incident.html", **context), status


@staff_bp.route("/incidents/<int:incident_id>")
def incident(incident_id: int):
    """One incident: its cause, who it is shared with, comments, hand-offs and repairs."""
    return _incident_page(_incident_or_404(incident_id))


def _saved(incident: GovernmentIncident, message: str) -> Response:
    """Commit what a form changed on ``incident``, say so and go back to its page."""
    return saved(url_for("government.staff.incident", incident_id=incident.id), message)


@staff_bp.post("/incidents/<int:incident_id>/describe")
def describe_incident(incident_id: int):
    """Record the cause of an incident."""
    incident = _incident_or_404(incident_id)
    form = forms.DescribeIncidentForm()
    done = submit(
        form,
        lambda: government_incidents.describe_incident(incident, validated(form.cause.data)),
        to=url_for("government.staff.incident", incident_id=incident.id),
        flashed=_("Cause recorded."),
    )
    return done.response or _incident_page(incident, 400, describe_form=form)


@staff_bp.post("/incidents/<int:incident_id>/share")
def share_incident(incident_id: int):
    """Share an incident with a department."""
    incident = _incident_or_404(incident_id)
    form = forms.ShareForm()
    done = submit(
        form,
        lambda: government_incidents.share_incident(
            incident, form.department.data, current_user.id
        ),
        to=url_for("government.staff.incident", incident_id=incident.id),
        flashed=lambda _none: _(
            "Shared with %(dept)s.", dept=districts.DEPARTMENT_LABELS[form.department.data]
        ),
    )
    return done.response or _incident_page(incident, 400, share_form=form)


@staff_bp.post("/incidents/<int:incident_id>/acknowledge")
def acknowledge_incident(incident_id: int):
    """The department acknowledges an incident shared with it."""
    incident = _incident_or_404(incident_id)
    if not government_incidents.acknowledge_incident(
        incident, _department() or "", current_user.id
    ):
        abort(400)
    return _saved(incident, _("Acknowledged."))


@staff_bp.post("/incidents/<int:incident_id>/comment")
def comment_incident(incident_id: int):
    """Add the department's comment."""
    incident = _incident_or_404(incident_id)
    form = forms.CommentForm()
    done = submit(
        form,
        lambda: government_incidents.comment_on_incident(
            incident, _department() or "admin", current_user.id, validated(form.body.data)
        ),
        to=url_for("government.staff.incident", incident_id=incident.id, _anchor="comments"),
    )
    return done.response or _incident_page(incident, 400, comment_form=form)


@staff_bp.post("/incidents/<int:incident_id>/handoff")
def handoff_incident(incident_id: int):
    """Hand a follow-on task to another department."""
    incident = _incident_or_404(incident_id)
    form = forms.HandoffForm()
    department = _department() or incident.department
    if not form.validate_on_submit() or form.to_department.data == department:
        if form.to_department.data == department:
            form.to_department.errors = [_("Choose another department.")]
        return _incident_page(incident, 400, handoff_form=form)
    government_incidents.hand_off(
        incident, department, form.to_department.data, validated(form.task.data), current_user.id
    )
    return _saved(incident, _("Task handed off."))


@staff_bp.post("/handoffs/<int:handoff_id>/done")
def complete_handoff(handoff_id: int):
    """The receiving department marks a follow-on task done."""
    handoff = db.get_or_404(GovernmentHandoff, handoff_id)
    incident = _incident_or_404(handoff.incident_id)
    if not government_incidents.complete_handoff(handoff, _department()):
        abort(404)
    return _saved(incident, _("Task done."))


@staff_bp.post("/incidents/<int:incident_id>/repair")
def repair_from_incident(incident_id: int):
    """Open a repair request for the incident's cause."""
    incident = _incident_or_404(incident_id)
    form = _repair_form(incident)
    if not form.validate_on_submit():
        return _incident_page(incident, 400, repair_form=form)
    if form.citizen_report.data:
        repair = db.get_or_404(GovernmentRepair, form.citizen_report.data)
        try:
            repairs.link_report_to_incident(incident, repair, current_user.id)
        except repairs.IllegalTransition:
            db.session.rollback()
            abort(400)
    else:
        repair = repairs.repair_from_incident(
            incident,
            form.category.data,
            form.description.data or "",
            current_user.id,
            validated(form.location.data),
        )
    return saved(
        url_for("government.staff.planner", repair=repair.id),
        _("Repair #%(id)s created.", id=repair.id),
    )
