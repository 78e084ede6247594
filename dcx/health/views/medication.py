"""The medication page: today's doses, taking or skipping one, adherence."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dcx.extensions import db
from dcx.health import (
    medication,
    rules,
)
from dcx.health.views.base import bp
from dcx.platform.inputs import parse_timestamp


@bp.route("/medications")
@login_required
def medications():
    """Today's doses with taken/skipped buttons, and adherence (PDC) against the 80 % mark."""
    uid = current_user.id
    return render_template(
        "health/medications.html",
        slots=medication.schedule(uid),
        medications=medication.medications_of(uid),
        adherence=medication.adherence(uid),
        missed=medication.missed_doses(uid),
        mark=medication.PDC_MARK,
    )


@bp.route("/medications/<int:med_id>/doses", methods=["POST"])
@login_required
def record_dose(med_id: int):
    """Mark one scheduled dose as taken or skipped."""
    try:
        at = parse_timestamp(request.form.get("scheduled_at", ""))
    except ValueError:
        abort(400)
    try:
        dose = medication.record_dose(current_user.id, med_id, at, request.form.get("taken") == "1")
    except rules.HealthError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("health.medications"))
    db.session.commit()
    labels = {"taken": _("taken"), "late": _("taken late"), "skipped": _("skipped")}
    flash(_("Dose marked %(s)s.", s=labels[dose.status]), "success")
    return redirect(url_for("health.medications"))
