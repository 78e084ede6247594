"""The patient's vital signs pages: readings, their chart and logging a new one."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dcx.health import (
    care_team,
    forms,
    rules,
)
from dcx.health import goals as health_goals
from dcx.health import vitals as health_vitals
from dcx.health.models import HealthObservation
from dcx.health.views.base import _day, bp
from dcx.platform import charts
from dcx.platform.forms import validated
from dcx.platform.views import submit


def trend_chart(uid: int, measure: str, title: str):
    """A line chart of one measure over the last 30 days, for the patient or their clinician."""
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


def _reading_saved(obs: HealthObservation) -> tuple[str, str]:
    """The message after a reading: a blood pressure's band, in red for a crisis."""
    if obs.kind != "bp":
        return _("Reading saved."), "success"
    band = health_vitals.classify_blood_pressure(obs.value, validated(obs.value2))
    return (
        _("Reading saved: %(band)s.", band=health_vitals.BP_BAND_LABELS[band]),
        "danger" if band == "crisis" else "success",
    )


@bp.route("/vitals", methods=["GET", "POST"])
@login_required
def vitals():
    """Log a reading and see readings, their bands and trends against goals."""
    uid = current_user.id
    form = forms.ReadingForm()
    done = submit(
        form,
        lambda: health_vitals.log_observation(
            uid,
            form.kind.data,
            form.systolic.data if form.kind.data == "bp" else form.value.data,
            form.diastolic.data,
        ),
        to=url_for("health.vitals"),
        flashed=_reading_saved,
        refused=rules.HealthError,
        field=form.systolic if form.kind.data == "bp" else form.value,
    )
    if done.response:
        return done.response
    readings = list(reversed(health_vitals.recent_observations(uid, days=30)))[:30]
    profile = care_team.profile_or_default(uid)
    charts_ = [
        c
        for c in (
            trend_chart(uid, "systolic", _("Blood pressure, last 30 days")),
            trend_chart(uid, "weight", _("Weight (kg)")),
            trend_chart(uid, "glucose", _("Glucose (mg/dL)")),
            trend_chart(uid, "heart_rate", _("Heart rate (bpm)")),
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
    ), done.status
