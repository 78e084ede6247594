"""The patient's settings: care team, health consent, device token and export."""

from __future__ import annotations

import json

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dcx.extensions import db
from dcx.health import (
    care_team,
    devices,
    export,
    forms,
)
from dcx.health.views.base import bp
from dcx.platform.forms import SelectChoice
from dcx.platform.views import post_or_400, saved


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Height and plans, the care team, the wearable's token and the data export."""
    uid = current_user.id
    form = forms.SettingsForm(obj=care_team.profile_or_default(uid))
    status = 200
    if form.validate_on_submit():
        profile = care_team.profile_for(uid)
        profile.height_cm = form.height_cm.data
        profile.calorie_plan = form.calorie_plan.data
        profile.weekly_minutes_goal = form.weekly_minutes_goal.data
        return saved(url_for("health.settings"), _("Settings saved."))
    if form.is_submitted():
        status = 400
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
        profile=care_team.profile_or_default(uid),
        token=token,
    ), status


@bp.route("/settings/care-team", methods=["POST"])
@login_required
def add_clinician():
    """Let a clinician see one's record by adding them to the care team."""
    form = forms.CareTeamForm()
    form.clinician.choices = [SelectChoice(c.id, c.name) for c in care_team.clinicians()]
    return post_or_400(
        form,
        lambda: care_team.add_to_care_team(current_user.id, form.clinician.data),
        to=url_for("health.settings"),
        flashed=_("Added to your care team."),
    )


@bp.route("/settings/care-team/<int:clinician_id>/remove", methods=["POST"])
@login_required
def remove_clinician(clinician_id: int):
    """Take a clinician off the care team."""
    care_team.remove_from_care_team(current_user.id, clinician_id)
    return saved(url_for("health.settings"), (_("Removed from your care team."), "info"))


@bp.route("/settings/device", methods=["POST"])
@login_required
def device_token():
    """Issue a new token for a wearable (shown once; only its hash is kept)."""
    if request.form.get("action") == "revoke":
        devices.revoke_device_token(current_user.id)
        return saved(url_for("health.settings"), (_("The device token is revoked."), "info"))
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
