"""The department's task list: follow-on tasks other departments handed to it, acknowledged
and marked done in one click each (on the government blueprint)."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dcx.extensions import db
from dcx.government import districts, handoffs
from dcx.government.models import GovernmentHandoff
from dcx.government.views.base import _department, staff_bp
from dcx.platform.views import saved


@staff_bp.route("/tasks")
def tasks():
    """Tasks handed to the staff member's department, those still to do first."""
    department = _department()
    return render_template(
        "government/tasks.html",
        department=department,
        tasks=handoffs.tasks_for(department),
        departments=districts.DEPARTMENT_LABELS,
    )


@staff_bp.post("/tasks/<int:handoff_id>/acknowledge")
def acknowledge_task(handoff_id: int):
    """The receiving department acknowledges a task handed to it."""
    handoff = db.get_or_404(GovernmentHandoff, handoff_id)
    if not handoffs.acknowledge_handoff(handoff, _department(), current_user.id):
        abort(404)
    return saved(url_for("government.staff.tasks"), _("Acknowledged: %(task)s", task=handoff.task))


@staff_bp.post("/tasks/<int:handoff_id>/done")
def finish_task(handoff_id: int):
    """The receiving department marks a task handed to it done."""
    handoff = db.get_or_404(GovernmentHandoff, handoff_id)
    if not handoffs.finish_handoff(handoff, _department(), current_user.id):
        abort(404)
    return saved(url_for("government.staff.tasks"), _("Done: %(task)s", task=handoff.task))
