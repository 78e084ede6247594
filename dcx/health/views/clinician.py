"""The clinician's side: the patient panel, a patient's record, visits, goal status, moderation."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dcx.extensions import db
from dcx.health import (
    care_team,
    forms,
    judgements,
    learning_progress,
    medication,
    panel,
    rules,
)
from dcx.health import community as health_community
from dcx.health import goals as health_goals
from dcx.health import vitals as health_vitals
from dcx.health.learning import MODULES
from dcx.health.models import HealthGoal
from dcx.health.views import vitals
from dcx.health.views.base import _bad, staff_bp
from dcx.platform import staff_lists
from dcx.platform.forms import add_error, validated
from dcx.platform.views import post_or_400, saved


@staff_bp.route("")
def home():
    """The clinician's patient panel, a page at a time (searchable), most in need first."""
    wanted = staff_lists.requested()
    page, rows = panel.panel_page(current_user.id, wanted)
    return render_template(
        "health/staff.html",
        rows=rows,
        page=page,
        q=wanted.q,
        reports=health_community.open_report_count(),
        mark=medication.PDC_MARK,
    )


@staff_bp.route("/patients/<int:patient_id>")
def staff_patient(patient_id: int):
    """A patient's record for their care team: readings, goals, check-ins, medication."""
    patient = care_team.patient_for_clinician_or_404(current_user.id, patient_id)
    views = [health_goals.goal_view(g) for g in health_goals.goals_of(patient.id)]
    bp_chart = vitals.trend_chart(patient.id, "systolic", _("Blood pressure, last 30 days"))
    return render_template(
        "health/staff_patient.html",
        patient=patient,
        views=views,
        readings=list(reversed(health_vitals.recent_observations(patient.id, days=14))),
        check_ins=panel.check_ins_for(patient.id),
        medications=medication.medications_of(patient.id),
        adherence=medication.adherence(patient.id),
        missed=medication.missed_doses(patient.id),
        visits=panel.visits_of(patient.id),
        progress=learning_progress.progress_of(patient.id),
        modules=MODULES,
        chart=bp_chart,
        height_cm=judgements.height_of(patient.id),
        status_form=forms.GoalStatusForm(),
        labels=health_goals.GOAL_STATUS_LABELS,
    )


@staff_bp.route("/patients/<int:patient_id>/visit", methods=["GET", "POST"])
def staff_visit(patient_id: int):
    """Record a visit: notes, a goal agreed with the patient, a medication, a module."""
    patient = care_team.patient_for_clinician_or_404(current_user.id, patient_id)
    form = forms.VisitForm()
    if form.validate_on_submit():
        visit = panel.record_visit(
            current_user.id, patient.id, form.notes.data or "", form.next_visit_on.data
        )
        try:
            if form.goal_measure.data:
                health_goals.set_goal(
                    patient.id,
                    form.goal_measure.data,
                    validated(form.goal_target.data),
                    validated(form.goal_due_on.data),
                    form.goal_status.data,
                    visit_id=visit.id,
                    baseline=form.goal_baseline.data,
                )
        except rules.HealthError as exc:
            db.session.rollback()
            add_error(form.goal_baseline, str(exc))
            return _bad("health/staff_visit.html", form=form, patient=patient)
        if form.med_name.data:
            medication.prescribe(
                patient.id,
                current_user.id,
                form.med_name.data,
                form.med_dose.data or "",
                validated(form.med_times.data),
                review_on=form.med_review_on.data,
                visit_id=visit.id,
            )
        if form.module.data:
            learning_progress.assign_module(patient.id, form.module.data, current_user.id)
        return saved(
            url_for("health.staff.staff_patient", patient_id=patient.id), _("Visit recorded.")
        )
    status = 400 if form.is_submitted() else 200
    return render_template("health/staff_visit.html", form=form, patient=patient), status


@staff_bp.route("/patients/<int:patient_id>/goals/<int:goal_id>", methods=["POST"])
def staff_goal_status(patient_id: int, goal_id: int):
    """Change the status of a patient's goal (care team only)."""
    from dcx.database import owned_or_404

    patient = care_team.patient_for_clinician_or_404(current_user.id, patient_id)
    goal = owned_or_404(HealthGoal, goal_id, patient.id, owner_attr="patient_id")
    form = forms.GoalStatusForm()
    return post_or_400(
        form,
        lambda: health_goals.set_goal_status(goal, form.status.data),
        to=url_for("health.staff.staff_patient", patient_id=patient.id),
        flashed=_("Goal updated."),
    )


@staff_bp.route("/moderation")
def moderation():
    """Reported community posts waiting for a moderator."""
    return render_template("health/moderation.html", reports=health_community.open_reports())


@staff_bp.route("/posts/<int:post_id>/<action>", methods=["POST"])
def moderate(post_id: int, action: str):
    """Hide a reported post, or keep it and resolve the reports."""
    if action == "hide":
        if health_community.hide_post(post_id) is None:
            abort(404)
        flash(_("The post is hidden."), "success")
    elif action == "keep":
        if health_community.dismiss_reports(post_id) is None:
            abort(404)
        flash(_("The post stays; reports resolved."), "info")
    else:
        abort(404)
    db.session.commit()
    return redirect(url_for("health.staff.moderation"))
