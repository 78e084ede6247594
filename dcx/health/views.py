"""Health pages: the patient's tracking, learning and community, and the clinician's side.

Patient pages show only the signed-in patient's own rows. Clinician pages about a patient
answer 404 to anyone not on that patient's care team, staff or not.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dcx.extensions import db
from dcx.health import (
    care_team,
    devices,
    export,
    food_and_exercise,
    forms,
    judgements,
    labels,
    learning_progress,
    medication,
    panel,
    rules,
)
from dcx.health import community as health_community
from dcx.health import goals as health_goals
from dcx.health import vitals as health_vitals
from dcx.health.learning import MODULES
from dcx.health.models import HealthGoal, HealthGroup
from dcx.platform import charts, clock
from dcx.platform.accounts.views import role_required
from dcx.platform.forms import SelectChoice, add_error, validated

bp = Blueprint("health", __name__, template_folder="templates")


@bp.app_template_filter("health_label")
def _health_label(value: str | None, kind: str) -> str:
    """``{{ a.intensity|health_label("intensity") }}``: a stored key in the visitor's language.

    An app-wide filter (Jinja filters cannot be limited to one blueprint), hence the vertical's
    prefix; unlike a context variable it also reaches macros imported without context.
    """
    return labels.label(kind, value)


def _day(moment: date | datetime) -> str:
    """A chart's day label in the visitor's language ("3 mar"), not strftime's English."""
    return format_date(moment, "d MMM")


@bp.context_processor
def _health_context():
    """Reading kinds, blood-pressure bands and advice for every health template."""
    return {
        "vitals": health_vitals.VITALS,
        "classify": health_vitals.classify_blood_pressure,
        "out_of_range": health_vitals.out_of_range,
        "judge": judgements.judge_reading,
        "band_labels": health_vitals.BP_BAND_LABELS,
        "band_colours": health_vitals.BP_BAND_COLOURS,
        "advice": health_vitals.BP_ADVICE,
        "fmt": health_goals.format_value,
        "dose_labels": medication.DOSE_LABELS,
    }


def _bad(template: str, **context):
    return render_template(template, **context), 400


# --- landing / dashboard --------------------------------------------------------------------


@bp.route("/")
def index():
    """The landing page; for a signed-in patient with a record, their dashboard."""
    if not current_user.is_authenticated:
        return render_template("health/index.html", dashboard=None)
    uid = current_user.id
    goals = [health_goals.goal_view(g) for g in health_goals.goals_of(uid, ("proposed", "active"))]
    latest = health_vitals.latest_by_kind(uid)
    has_record = bool(goals or latest or care_team.care_team_ids(uid))
    dashboard = None
    if has_record:
        bp_obs = latest.get("bp")
        dashboard = {
            "goals": goals,
            "latest": latest,
            "band": health_vitals.classify_blood_pressure(bp_obs.value, bp_obs.value2 or 0)
            if bp_obs
            else None,
            "schedule": medication.schedule(uid),
            "adherence": medication.adherence(uid),
            "minutes": food_and_exercise.weekly_minutes(uid, clock.today()),
            "profile": care_team.profile_for(uid),
            "suggested": learning_progress.suggested_modules(uid),
        }
    return render_template("health/index.html", dashboard=dashboard)


# --- vitals -----------------------------------------------------------------------------------


def _trend_chart(uid: int, measure: str, title: str):
    values = health_goals.measure_values(uid, measure, days=30)
    if measure in ("systolic",):
        rows = health_vitals.recent_observations(uid, "bp", 30)
        if not rows:
            return None
        days = [_day(o.observed_at) for o in rows]
        series: dict[str, list[float | None]] = {
            _("Systolic"): [o.value for o in rows],
            _("Diastolic"): [o.value2 for o in rows],
        }
        guides = {}
        for goal in health_goals.goals_of(uid, ("active", "proposed")):
            if goal.measure in ("systolic", "diastolic"):
                guides[
                    _(
                        "Goal: %(m)s %(t)s",
                        m=health_goals.MEASURES[goal.measure].label,
                        t=int(goal.target),
                    )
                ] = goal.target
        if not guides:
            guides = {_("Healthy upper limit 120"): 120.0}
        return charts.line_chart(title, days, series, guides=guides)
    if not values:
        return None
    days = [_day(at) for at, _v in values]
    guides = {
        _("Goal %(t)s", t=health_goals.format_value(goal.target)): goal.target
        for goal in health_goals.goals_of(uid, ("active", "proposed"))
        if goal.measure == measure
    }
    return charts.line_chart(title, days, {title: [v for _a, v in values]}, guides=guides)


@bp.route("/vitals", methods=["GET", "POST"])
@login_required
def vitals():
    """Log a reading and see readings, their bands and trends against goals."""
    uid = current_user.id
    form = forms.ReadingForm()
    status = 200
    if form.validate_on_submit():
        try:
            obs = health_vitals.log_observation(
                uid,
                form.kind.data,
                form.systolic.data if form.kind.data == "bp" else form.value.data,
                form.diastolic.data,
            )
        except rules.HealthError as exc:
            add_error(form.systolic if form.kind.data == "bp" else form.value, str(exc))
            status = 400
        else:
            db.session.commit()
            if obs.kind == "bp":
                band = health_vitals.classify_blood_pressure(obs.value, obs.value2)
                flash(
                    _("Reading saved: %(band)s.", band=health_vitals.BP_BAND_LABELS[band]),
                    "danger" if band == "crisis" else "success",
                )
            else:
                flash(_("Reading saved."), "success")
            return redirect(url_for("health.vitals"))
    elif form.is_submitted():
        status = 400
    readings = list(reversed(health_vitals.recent_observations(uid, days=30)))[:30]
    profile = care_team.profile_for(uid)
    db.session.commit()
    charts_ = [
        c
        for c in (
            _trend_chart(uid, "systolic", _("Blood pressure, last 30 days")),
            _trend_chart(uid, "weight", _("Weight (kg)")),
            _trend_chart(uid, "glucose", _("Glucose (mg/dL)")),
            _trend_chart(uid, "heart_rate", _("Heart rate (bpm)")),
        )
        if c is not None
    ]
    latest = health_vitals.latest_by_kind(uid)
    weight = latest.get("weight")
    bmi = health_vitals.body_mass_index(weight.value, profile.height_cm) if weight else None
    return render_template(
        "health/vitals.html",
        form=form,
        readings=readings,
        charts=charts_,
        bmi=bmi,
        bmi_category=health_vitals.bmi_category(bmi),
        latest_weight=weight,
        latest_bp=latest.get("bp"),
        profile=profile,
    ), status


# --- food and exercise -------------------------------------------------------------------------


@bp.route("/food", methods=["GET", "POST"])
@login_required
def food():
    """Log a meal and see the day's totals against the plan."""
    uid = current_user.id
    form = forms.MealForm()
    status = 200
    if form.validate_on_submit():
        try:
            food_and_exercise.log_meal(uid, clock.today(), form.kind.data, form.items())
        except rules.HealthError as exc:
            add_error(form.food1, str(exc))
            status = 400
        else:
            db.session.commit()
            flash(_("Meal saved."), "success")
            return redirect(url_for("health.food"))
    elif form.is_submitted():
        status = 400
    today = clock.today()
    profile = care_team.profile_for(uid)
    db.session.commit()
    return render_template(
        "health/food.html",
        form=form,
        meals=food_and_exercise.meals_on(uid, today),
        totals=food_and_exercise.daily_totals(uid, today),
        plan=food_and_exercise.nutrition_plan(profile.calorie_plan),
        foods=food_and_exercise.foods(),
    ), status


@bp.route("/exercise", methods=["GET", "POST"])
@login_required
def exercise():
    """Log an activity and see the week's active minutes against the goal."""
    uid = current_user.id
    form = forms.ExerciseForm()
    status = 200
    if form.validate_on_submit():
        food_and_exercise.log_exercise(
            uid, clock.today(), form.activity.data, form.minutes.data, form.intensity.data
        )
        db.session.commit()
        flash(_("Activity saved."), "success")
        return redirect(url_for("health.exercise"))
    if form.is_submitted():
        status = 400
    profile = care_team.profile_for(uid)
    db.session.commit()
    today = clock.today()
    weeks = [today - timedelta(days=7 * w) for w in range(3, -1, -1)]
    chart = charts.bar_chart(
        _("Active minutes per week"),
        [_day(d) for d in weeks],
        {_("Minutes"): [food_and_exercise.weekly_minutes(uid, d) for d in weeks]},
        counts=True,
    )
    return render_template(
        "health/exercise.html",
        form=form,
        minutes=food_and_exercise.weekly_minutes(uid, today),
        goal=profile.weekly_minutes_goal,
        activities=food_and_exercise.exercises_of(uid),
        chart=chart,
    ), status


# --- medication ------------------------------------------------------------------------------


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
        at = datetime.fromisoformat(request.form.get("scheduled_at", "")[:40])
    except ValueError:
        abort(400)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    try:
        dose = medication.record_dose(current_user.id, med_id, at, request.form.get("taken") == "1")
    except rules.HealthError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("health.medications"))
    db.session.commit()
    labels = {"taken": _("taken"), "late": _("taken late"), "skipped": _("skipped")}
    flash(_("Dose marked %(s)s.", s=labels[dose.status]), "success")
    return redirect(url_for("health.medications"))


# --- goals -----------------------------------------------------------------------------------


@bp.route("/goals")
@login_required
def goals():
    """Every goal with progress, a trend chart against its target, and a check-in form."""
    uid = current_user.id
    views = [health_goals.goal_view(g) for g in health_goals.goals_of(uid)]
    chart_for = {}
    for view in views:
        if view.values:
            chart_for[view.goal.id] = charts.line_chart(
                str(view.measure.label),
                [_day(at) for at, _v in view.values],
                {str(view.measure.label): [v for _a, v in view.values]},
                guides={
                    _(
                        "Target %(t)s", t=health_goals.format_value(view.goal.target)
                    ): view.goal.target
                },
                height=260,
            )
    return render_template(
        "health/goals.html",
        views=views,
        charts=chart_for,
        form=forms.CheckInForm(),
        labels=health_goals.GOAL_STATUS_LABELS,
    )


@bp.route("/goals/<int:goal_id>/check-in", methods=["POST"])
@login_required
def goal_check_in(goal_id: int):
    """Send a check-in on one's own goal to the care team."""
    form = forms.CheckInForm()
    if not form.validate_on_submit():
        abort(400)
    health_goals.check_in(current_user.id, goal_id, form.feeling.data, form.note.data or "")
    db.session.commit()
    flash(_("Check-in sent to your care team."), "success")
    return redirect(url_for("health.goals"))


@bp.route("/goals/<int:goal_id>/accept", methods=["POST"])
@login_required
def accept_goal(goal_id: int):
    """Agree to a goal the clinician proposed."""
    try:
        health_goals.accept_goal(current_user.id, goal_id)
    except rules.HealthError as exc:
        flash(str(exc), "warning")
    else:
        db.session.commit()
        flash(_("Goal accepted. It is now active."), "success")
    return redirect(url_for("health.goals"))


# --- learning -------------------------------------------------------------------------------


@bp.route("/learn")
@login_required
def learn():
    """The modules: assigned, suggested and the rest, with progress."""
    uid = current_user.id
    return render_template(
        "health/learn.html",
        modules=MODULES,
        progress=learning_progress.progress_of(uid),
        suggested=learning_progress.suggested_modules(uid),
    )


@bp.route("/learn/<slug>")
@login_required
def module(slug: str):
    """One page of a module, or its quiz after the last page."""
    mod = learning_progress.module_or_404(slug)
    page = request.args.get("page", 1, type=int)
    if page < 1 or page > len(mod.pages) + 1:
        abort(404)
    learning_progress.see_page(current_user.id, slug, min(page, len(mod.pages)))
    db.session.commit()
    progress = learning_progress.progress_of(current_user.id).get(slug)
    return render_template(
        "health/module.html", module=mod, page=page, progress=progress, result=None
    )


@bp.route("/learn/<slug>/quiz", methods=["POST"])
@login_required
def quiz(slug: str):
    """Score the end-of-module quiz."""
    mod = learning_progress.module_or_404(slug)
    answers = []
    for i in range(len(mod.quiz)):
        raw = request.form.get(f"q{i}", "")
        answers.append(int(raw) if raw.isdigit() and len(raw) < 3 else None)
    score, passed = learning_progress.submit_quiz(current_user.id, slug, answers)
    db.session.commit()
    progress = learning_progress.progress_of(current_user.id).get(slug)
    return render_template(
        "health/module.html",
        module=mod,
        page=len(mod.pages) + 1,
        progress=progress,
        result={"score": score, "passed": passed, "answers": answers},
    ), 200 if passed else 400


# --- community -------------------------------------------------------------------------------


@bp.route("/community")
@login_required
def community():
    """Groups by goal, and one's display name."""
    profile = care_team.profile_for(current_user.id)
    db.session.commit()
    return render_template(
        "health/community.html",
        groups=health_community.groups(),
        profile=profile,
        name_form=forms.DisplayNameForm(display_name=profile.display_name),
        my_measures={
            g.measure for g in health_goals.goals_of(current_user.id, ("proposed", "active"))
        },
    )


@bp.route("/community/name", methods=["POST"])
@login_required
def display_name():
    """Choose the name shown in the community."""
    form = forms.DisplayNameForm()
    profile = care_team.profile_for(current_user.id)
    if form.validate_on_submit():
        try:
            health_community.set_display_name(current_user.id, form.display_name.data)
        except rules.HealthError as exc:
            add_error(form.display_name, str(exc))
        else:
            db.session.commit()
            flash(_("Your community name is saved."), "success")
            next_group = request.form.get("next_group", "")[:40]
            if next_group:
                return redirect(url_for("health.group", slug=next_group))
            return redirect(url_for("health.community"))
    return _bad(
        "health/community.html", groups=health_community.groups(), profile=profile, name_form=form
    )


@bp.route("/community/<slug>", methods=["GET", "POST"])
@login_required
def group(slug: str):
    """A group's posts; post a new one."""
    grp = health_community.group_or_404(slug)
    form = forms.PostForm()
    status = 200
    if form.validate_on_submit():
        try:
            post = health_community.create_post(
                current_user.id, grp, validated(form.body.data), form.milestone.data
            )
        except rules.HealthError as exc:
            add_error(form.body, str(exc))
            status = 400
        else:
            db.session.commit()
            return redirect(url_for("health.group", slug=slug, _anchor=f"post-{post.id}"))
    elif form.is_submitted():
        status = 400
    profile = care_team.profile_for(current_user.id)
    db.session.commit()
    return render_template(
        "health/group.html",
        group=grp,
        threads=health_community.threads(grp, current_user.id),
        form=form,
        reply_form=forms.ReplyForm(),
        report_form=forms.ReportForm(),
        name_form=forms.DisplayNameForm(),
        profile=profile,
    ), status


def _post_and_group(post_id: int):
    post = health_community.visible_post_or_404(post_id)
    grp = db.session.get(HealthGroup, post.group_id)
    return post, grp


@bp.route("/community/posts/<int:post_id>/reply", methods=["POST"])
@login_required
def reply(post_id: int):
    """Reply to a post."""
    post, grp = _post_and_group(post_id)
    form = forms.ReplyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        health_community.create_post(current_user.id, grp, validated(form.body.data), parent=post)
    except rules.HealthError as exc:
        flash(str(exc), "warning")
    else:
        db.session.commit()
    return redirect(url_for("health.group", slug=grp.slug, _anchor=f"post-{post.id}"))


@bp.route("/community/posts/<int:post_id>/cheer", methods=["POST"])
@login_required
def cheer(post_id: int):
    """Cheer a post (once)."""
    post, grp = _post_and_group(post_id)
    if health_community.cheer(current_user.id, post):
        db.session.commit()
    return redirect(url_for("health.group", slug=grp.slug, _anchor=f"post-{post.id}"))


@bp.route("/community/posts/<int:post_id>/report", methods=["POST"])
@login_required
def report(post_id: int):
    """Report a post to the moderators."""
    post, grp = _post_and_group(post_id)
    form = forms.ReportForm()
    if not form.validate_on_submit():
        abort(400)
    health_community.report_post(current_user.id, post, form.reason.data or "")
    db.session.commit()
    flash(_("Thank you. A moderator will look at this post."), "info")
    return redirect(url_for("health.group", slug=grp.slug))


# --- settings, care team, device, export ---------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Height and plans, the care team, the wearable's token and the data export."""
    uid = current_user.id
    profile = care_team.profile_for(uid)
    form = forms.SettingsForm(obj=profile)
    status = 200
    if form.validate_on_submit():
        profile.height_cm = form.height_cm.data
        profile.calorie_plan = form.calorie_plan.data
        profile.weekly_minutes_goal = form.weekly_minutes_goal.data
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("health.settings"))
    if form.is_submitted():
        status = 400
    db.session.commit()
    return _settings_page(form, status)


def _settings_page(form, status=200, token=None):
    uid = current_user.id
    team_ids = set(care_team.care_team_ids(uid))
    all_clinicians = care_team.clinicians()
    team_form = forms.CareTeamForm()
    team_form.clinician.choices = [
        SelectChoice(c.id, c.name) for c in all_clinicians if c.id not in team_ids
    ]
    return render_template(
        "health/settings.html",
        form=form,
        team=[c for c in all_clinicians if c.id in team_ids],
        team_form=team_form,
        profile=care_team.profile_for(uid),
        token=token,
    ), status


@bp.route("/settings/care-team", methods=["POST"])
@login_required
def add_clinician():
    """Let a clinician see one's record by adding them to the care team."""
    form = forms.CareTeamForm()
    form.clinician.choices = [SelectChoice(c.id, c.name) for c in care_team.clinicians()]
    if not form.validate_on_submit():
        abort(400)
    care_team.add_to_care_team(current_user.id, form.clinician.data)
    db.session.commit()
    flash(_("Added to your care team."), "success")
    return redirect(url_for("health.settings"))


@bp.route("/settings/care-team/<int:clinician_id>/remove", methods=["POST"])
@login_required
def remove_clinician(clinician_id: int):
    """Take a clinician off the care team."""
    care_team.remove_from_care_team(current_user.id, clinician_id)
    db.session.commit()
    flash(_("Removed from your care team."), "info")
    return redirect(url_for("health.settings"))


@bp.route("/settings/device", methods=["POST"])
@login_required
def device_token():
    """Issue a new token for a wearable (shown once; only its hash is kept)."""
    if request.form.get("action") == "revoke":
        devices.revoke_device_token(current_user.id)
        db.session.commit()
        flash(_("The device token is revoked."), "info")
        return redirect(url_for("health.settings"))
    token = devices.issue_device_token(current_user.id)
    db.session.commit()
    profile = care_team.profile_for(current_user.id)
    return _settings_page(forms.SettingsForm(obj=profile), token=token)


@bp.route("/export.json")
@login_required
def export_json():
    """Download one's readings as a FHIR JSON Bundle."""
    bundle = export.fhir_bundle(current_user.id)
    db.session.commit()
    return Response(
        json.dumps(bundle, indent=2, ensure_ascii=False),
        mimetype="application/fhir+json",
        headers={"Content-Disposition": "attachment; filename=health-observations.json"},
    )


@bp.route("/export.csv")
@login_required
def export_csv():
    """Download one's readings as CSV."""
    return Response(
        export.observations_csv(current_user.id),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=health-observations.csv"},
    )


# --- clinician side -----------------------------------------------------------------------------


def _require_health_staff():
    if not current_user.serves("health"):
        abort(403)


@bp.route("/staff")
@role_required("staff", "admin")
def staff():
    """The clinician's patient panel, most in need first."""
    _require_health_staff()
    return render_template(
        "health/staff.html",
        rows=panel.panel(current_user.id),
        reports=len(health_community.open_reports()),
        mark=medication.PDC_MARK,
    )


@bp.route("/staff/patients/<int:patient_id>")
@login_required
def staff_patient(patient_id: int):
    """A patient's record for their care team: readings, goals, check-ins, medication."""
    patient = care_team.patient_for_clinician_or_404(current_user.id, patient_id)
    views = [health_goals.goal_view(g) for g in health_goals.goals_of(patient.id)]
    bp_chart = _trend_chart(patient.id, "systolic", _("Blood pressure, last 30 days"))
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


@bp.route("/staff/patients/<int:patient_id>/visit", methods=["GET", "POST"])
@login_required
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
        db.session.commit()
        flash(_("Visit recorded."), "success")
        return redirect(url_for("health.staff_patient", patient_id=patient.id))
    status = 400 if form.is_submitted() else 200
    return render_template("health/staff_visit.html", form=form, patient=patient), status


@bp.route("/staff/patients/<int:patient_id>/goals/<int:goal_id>", methods=["POST"])
@login_required
def staff_goal_status(patient_id: int, goal_id: int):
    """Change the status of a patient's goal (care team only)."""
    from dcx.database import owned_or_404

    patient = care_team.patient_for_clinician_or_404(current_user.id, patient_id)
    goal = owned_or_404(HealthGoal, goal_id, patient.id, owner_attr="patient_id")
    form = forms.GoalStatusForm()
    if not form.validate_on_submit():
        abort(400)
    health_goals.set_goal_status(goal, form.status.data)
    db.session.commit()
    flash(_("Goal updated."), "success")
    return redirect(url_for("health.staff_patient", patient_id=patient.id))


@bp.route("/staff/moderation")
@role_required("staff", "admin")
def moderation():
    """Reported community posts waiting for a moderator."""
    _require_health_staff()
    return render_template("health/moderation.html", reports=health_community.open_reports())


@bp.route("/staff/posts/<int:post_id>/<action>", methods=["POST"])
@role_required("staff", "admin")
def moderate(post_id: int, action: str):
    """Hide a reported post, or keep it and resolve the reports."""
    _require_health_staff()
    if action == "hide":
        health_community.hide_post(post_id)
        flash(_("The post is hidden."), "success")
    elif action == "keep":
        health_community.dismiss_reports(post_id)
        flash(_("The post stays; reports resolved."), "info")
    else:
        abort(404)
    db.session.commit()
    return redirect(url_for("health.moderation"))
