"""Health pages: the patient's tracking, learning and community, and the clinician's side.

Patient pages show only the signed-in patient's own rows. Clinician pages about a patient
answer 404 to anyone not on that patient's care team, staff or not.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import render_template
from flask_babel import format_date
from flask_login import current_user

from dcx.health import (
    care_team,
    food_and_exercise,
    judgements,
    labels,
    learning_progress,
    medication,
)
from dcx.health import goals as health_goals
from dcx.health import vitals as health_vitals
from dcx.platform import clock
from dcx.platform.blueprints import vertical_blueprints

# its pages at /health and the staff workspace at /health/staff/, guarded as a whole
bp, staff_bp = vertical_blueprints("health", labels.label)


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
            "profile": care_team.profile_or_default(uid),
            "suggested": learning_progress.suggested_modules(uid),
        }
    return render_template("health/index.html", dashboard=dashboard)
