"""The staff's repairs and the planner: a repair's status and photo, crews' work orders by day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dcx.extensions import db
from dcx.government import forms, photos, public_updates, repairs
from dcx.government import planner as government_planner
from dcx.government.models import GovernmentCrew, GovernmentRepair
from dcx.government.views import citizens
from dcx.government.views.base import _repair_choice, staff_bp
from dcx.platform import clock, staff_lists
from dcx.platform.forms import SelectChoice
from dcx.platform.views import saved


@staff_bp.route("/repairs")
def staff_repairs():
    """The repair requests a page at a time, newest first, searchable, with their status."""
    wanted = staff_lists.requested()
    page = photos.repairs_page(wanted)
    return render_template(
        "government/repairs.html",
        page=page,
        q=wanted.q,
        repairs=page.items,
        statuses=repairs.STATUS_LABELS,
    )


@staff_bp.route("/repairs/<int:repair_id>")
def staff_repair(repair_id: int):
    """One repair: its history and the steps it may take next."""
    repair = db.get_or_404(GovernmentRepair, repair_id)
    return render_template(
        "government/repair.html",
        repair=repair,
        form=forms.StatusForm(),
        next_statuses=sorted(repairs.TRANSITIONS[repair.status]),
        statuses=repairs.STATUS_LABELS,
    )


@staff_bp.post("/repairs/<int:repair_id>/status")
def repair_status(repair_id: int):
    """Move a repair along its workflow (illegal steps answer 400)."""
    repair = db.get_or_404(GovernmentRepair, repair_id)
    form = forms.StatusForm()
    if not form.validate_on_submit() or form.to_status.data not in repairs.STATUS_LABELS:
        abort(400)
    try:
        repairs.transition(repair, form.to_status.data, current_user.id, form.note.data or "")
    except repairs.IllegalTransition:
        db.session.rollback()
        flash(_("That step is not allowed from the current status."), "error")
        return render_template(
            "government/repair.html",
            repair=repair,
            form=form,
            next_statuses=sorted(repairs.TRANSITIONS[repair.status]),
            statuses=repairs.STATUS_LABELS,
        ), 400
    db.session.commit()
    flash(
        _(
            "Repair #%(id)s is now %(status)s.",
            id=repair.id,
            status=repairs.STATUS_LABELS[repair.status],
        ),
        "success",
    )
    return redirect(url_for("government.staff.staff_repair", repair_id=repair.id))


@staff_bp.route("/repairs/<int:repair_id>/photo")
def staff_photo(repair_id: int):
    """The photo of a repair report, for staff."""
    return citizens._send_photo(db.get_or_404(GovernmentRepair, repair_id))


def _schedule_form(picked: int | None = None) -> forms.ScheduleForm:
    form = forms.ScheduleForm()
    form.repair.choices = [_repair_choice(r) for r in photos.waiting_repairs(picked)]
    form.crew.choices = [SelectChoice(c.id, c.name) for c in government_planner.crews()]
    return form


def _planner_page(form: forms.ScheduleForm, monday, status: int = 200):
    plan = government_planner.week_plan(monday)
    return render_template(
        "government/planner.html",
        form=form,
        plan=plan,
        monday=monday,
        previous=monday - timedelta(days=7),
        following=monday + timedelta(days=7),
        statuses=repairs.STATUS_LABELS,
        waiting_total=photos.count_repairs(repairs.WAITING_STATUSES),
    ), status


@staff_bp.route("/planner", methods=["GET", "POST"])
def planner():
    """The week of crews and work orders; pick a repair, a crew and a slot to schedule."""
    try:
        week = date.fromisoformat(request.args.get("week", ""))
    except ValueError:
        week = clock.today()
    monday = government_planner.week_start(week)
    picked = (request.args if request.method == "GET" else request.form).get("repair", type=int)
    form = _schedule_form(picked)
    if request.method == "GET":
        form.repair.data = request.args.get("repair", type=int)
        form.crew.data = request.args.get("crew", type=int)
        try:
            form.day.data = date.fromisoformat(request.args.get("day", ""))
        except ValueError:
            form.day.data = clock.today()
        form.start_hour.data = form.start_hour.data or min(clock.now().hour + 1, 23)
        return _planner_page(form, monday)
    if not form.validate_on_submit():
        return _planner_page(form, monday, 400)
    repair = db.get_or_404(GovernmentRepair, form.repair.data)
    crew = db.get_or_404(GovernmentCrew, form.crew.data)
    day = form.day.data
    starts = datetime(day.year, day.month, day.day, form.start_hour.data, tzinfo=UTC)
    try:
        order = government_planner.schedule_repair(
            repair, crew, starts, starts + timedelta(hours=form.hours.data), current_user.id
        )
    except (government_planner.ScheduleConflict, repairs.IllegalTransition) as exc:
        db.session.rollback()
        form = _schedule_form()
        form.crew.errors = [str(exc)]
        return _planner_page(form, government_planner.week_start(day), 400)
    return saved(
        url_for("government.staff.planner", week=order.starts_at.date().isoformat()),
        _("Repair #%(id)s scheduled for %(crew)s.", id=repair.id, crew=crew.name),
    )


@staff_bp.route("/social")
def social():
    """The social-media outbox: each post as rendered for its network, and what happened."""
    return render_template(
        "government/social.html",
        posts=public_updates.social_posts(limit=60),
        webhook=bool(current_app.config.get("GOVERNMENT_SOCIAL_WEBHOOK")),
    )
