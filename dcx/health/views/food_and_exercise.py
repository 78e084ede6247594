"""The food and exercise pages: meals logged, activity against the week's goal."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dcx.health import (
    care_team,
    food_and_exercise,
    forms,
    rules,
)
from dcx.health.views.base import _day, bp
from dcx.platform import charts, clock
from dcx.platform.views import submit


@bp.route("/food", methods=["GET", "POST"])
@login_required
def food():
    """Log a meal and see the day's totals against the plan."""
    uid = current_user.id
    form = forms.MealForm()
    done = submit(
        form,
        lambda: food_and_exercise.log_meal(uid, clock.today(), form.kind.data, form.items()),
        to=url_for("health.food"),
        flashed=_("Meal saved."),
        refused=rules.HealthError,
        field=form.food1,
    )
    if done.response:
        return done.response
    today = clock.today()
    profile = care_team.profile_or_default(uid)
    return render_template(
        "health/food.html",
        form=form,
        meals=food_and_exercise.meals_on(uid, today),
        totals=food_and_exercise.daily_totals(uid, today),
        plan=food_and_exercise.nutrition_plan(profile.calorie_plan),
        foods=food_and_exercise.foods(),
    ), done.status


@bp.route("/exercise", methods=["GET", "POST"])
@login_required
def exercise():
    """Log an activity and see the week's active minutes against the goal."""
    uid = current_user.id
    form = forms.ExerciseForm()
    done = submit(
        form,
        lambda: food_and_exercise.log_exercise(
            uid, clock.today(), form.activity.data, form.minutes.data, form.intensity.data
        ),
        to=url_for("health.exercise"),
        flashed=_("Activity saved."),
    )
    if done.response:
        return done.response
    profile = care_team.profile_or_default(uid)
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
    ), done.status
