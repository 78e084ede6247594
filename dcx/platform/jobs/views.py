"""Admin pages for the demo clock and the job runner."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from dcx.extensions import db
from dcx.platform import clock, simulation
from dcx.platform.accounts.views import role_required
from dcx.platform.jobs import runner
from dcx.platform.jobs.models import RunStatus
from dcx.platform.showcase.presenter import presenter_required

bp = Blueprint("jobs", __name__, url_prefix="/admin", template_folder="templates")

STEPS = {"1d": "+1 day", "1w": "+1 week", "30d": "+1 month"}


@bp.route("/jobs")
@role_required("admin")
def index():
    """Every job with its next run, last run and outcome, and a run-now button; below, the
    run history (when, how long, what it did, who asked), a page at a time."""
    now = clock.now()
    last = runner.last_runs()
    jobs = [
        {"spec": spec, "next": runner.next_due(spec, now), "last": last.get(spec.id)}
        for spec in runner.all_jobs()
    ]
    history = runner.run_history(page=max(request.args.get("page", 1, type=int) or 1, 1))
    return render_template("jobs/index.html", jobs=jobs, now=now, steps=STEPS, history=history)


@bp.route("/jobs/<job_id>/run", methods=["POST"])
@role_required("admin")
def run(job_id: str):
    """Run one job now and show its outcome; a second click in the same second runs nothing."""
    if runner.find_job(job_id) is None:
        abort(404)
    result = runner.run_now(job_id, owner=current_user.email)
    if result is None:
        flash(_("%(job)s is running or has just run; its outcome is below.", job=job_id), "info")
    elif result.status == RunStatus.SUCCEEDED:
        flash(
            ngettext(
                "%(job)s ran: %(num)d item done.",
                "%(job)s ran: %(num)d items done.",
                result.count,
                job=job_id,
            ),
            "success",
        )
    else:
        flash(_("%(job)s failed; its error is in the run log.", job=job_id), "danger")
    return redirect(url_for("jobs.index"))


@bp.route("/clock", methods=["POST"])
@presenter_required
def move_clock():
    """Move the demo clock forward (or reset it) and run whatever became due."""
    step = request.form.get("step", "")
    if step == "reset":
        clock.reset()
    elif step in STEPS:
        before = clock.now()
        simulation.advance(before, clock.advance(clock.parse_duration(step)))
    else:
        abort(400)
    db.session.commit()
    ran = runner.run_due_jobs()
    flash(
        ngettext(
            "The showcase clock now reads %(now)s; %(num)d job ran.",
            "The showcase clock now reads %(now)s; %(num)d jobs ran.",
            len(ran),
            now=format_datetime(clock.now(), "short"),
        ),
        "info",
    )
    target = request.form.get("next", "")
    from dcx.platform.accounts.services import is_safe_next

    return redirect(target if is_safe_next(target) else url_for("jobs.index"))
