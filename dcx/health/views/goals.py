"""The goals page: progress against the goals set with the doctor, check-ins."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dcx.extensions import db
from dcx.health import (
    forms,
    rules,
)
from dcx.health import goals as health_goals
from dcx.health.views.base import _day, bp
from dcx.platform import charts
from dcx.platform.views import post_or_400


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
    return post_or_400(
        form,
        lambda: health_goals.check_in(
            current_user.id, goal_id, form.feeling.data, form.note.data or ""
        ),
        to=url_for("health.goals"),
        flashed=_("Check-in sent to your care team."),
    )


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
