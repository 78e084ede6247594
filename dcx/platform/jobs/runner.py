"""Run each due job once, whatever runs: two schedulers, a crash, downtime.

APScheduler is the ticker; it cannot share a job store between processes, so the once-only
guarantee comes from the database. Each run of a job for a scheduled time is claimed by
inserting a ``job_run`` row under a unique key; the loser of a race skips. A run left
``running`` by a crashed process is re-claimed after a lease by a conditional UPDATE. Jobs
themselves catch up from state (they act on "everything still missing"), so one run per due
time is enough and a rerun inserts nothing twice.
"""

from __future__ import annotations

import os
import socket
import traceback
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from dcx.database import rows_changed
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.jobs.models import JobRun, RunStatus
from dcx.platform.logs import log_failure
from dcx.verticals import JobSpec, registry

_WINDOWS = (timedelta(hours=1), timedelta(days=1), timedelta(days=35), timedelta(days=400))


def owner_name() -> str:
    """This process, as written in the run log."""
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def all_jobs() -> list[JobSpec]:
    """Every vertical's jobs, then the platform's, in a stable order.

    The platform's come last so that what the verticals' jobs just sent is delivered (and
    reaches the presenter's phone preview) in the same pass.
    """
    return [*registry().jobs(), *current_app.extensions.get("dcx_platform_jobs", [])]


def find_job(job_id: str) -> JobSpec | None:
    """The job with this id, or None."""
    return next((job for job in all_jobs() if job.id == job_id), None)


def trigger_for(spec: JobSpec) -> CronTrigger:
    """The job's cron trigger, read in UTC."""
    return CronTrigger(timezone=UTC, **spec.trigger)


def latest_due(spec: JobSpec, now: datetime) -> datetime | None:
    """The most recent time at or before ``now`` at which the job was due, or None."""
    trigger = trigger_for(spec)
    for window in _WINDOWS:
        cursor = now - window
        latest = None
        fire = trigger.get_next_fire_time(None, cursor)
        while fire is not None and fire <= now:
            latest = fire
            fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
        if latest is not None:
            return latest
    return None


def next_due(spec: JobSpec, now: datetime) -> datetime | None:
    """The next time after ``now`` the job is due."""
    return trigger_for(spec).get_next_fire_time(None, now + timedelta(seconds=1))


def lease() -> timedelta:
    """How long a run may stay ``running`` before another process may take it over."""
    return timedelta(seconds=current_app.config.get("JOBS_LEASE_SECONDS", 600))


def claim(job_id: str, scheduled_for: datetime, owner: str) -> JobRun | None:
    """Claim the run of ``job_id`` for ``scheduled_for``; None if another process has it."""
    now = clock.now()
    run = JobRun(job_id=job_id, scheduled_for=scheduled_for, owner=owner, started_at=now)
    db.session.add(run)
    try:
        db.session.commit()
        return run
    except IntegrityError:
        db.session.rollback()
    # Someone has this run. Take it over only if it was left running past its lease.
    result = db.session.execute(
        update(JobRun)
        .where(
            JobRun.job_id == job_id,
            JobRun.scheduled_for == scheduled_for,
            JobRun.status == RunStatus.RUNNING,
            JobRun.started_at < now - lease(),
        )
        .values(owner=owner, started_at=now, error="re-claimed after the lease ran out")
    )
    db.session.commit()
    if rows_changed(result) != 1:
        return None
    return db.session.execute(
        select(JobRun).where(JobRun.job_id == job_id, JobRun.scheduled_for == scheduled_for)
    ).scalar_one()


def execute(spec: JobSpec, run: JobRun, now: datetime) -> JobRun:
    """Run the job's function and write its outcome to the run log."""
    run_id = run.id
    try:
        count = spec.function(now)
        db.session.flush()
    except Exception as error:
        db.session.rollback()
        run = db.session.get_one(JobRun, run_id)
        run.status = RunStatus.FAILED.value
        run.error = traceback.format_exc()[-4000:]
        log_failure(current_app.logger, error, "job %s failed", spec.id)
    else:
        run = db.session.get_one(JobRun, run_id)
        run.status = RunStatus.SUCCEEDED.value
        run.count = int(count or 0)
        run.error = ""
    run.finished_at = clock.now()
    db.session.commit()
    return run


def run_due_jobs(now: datetime | None = None, owner: str | None = None) -> list[JobRun]:
    """Run every job whose latest due time has no run yet; returns the runs made here."""
    explicit = now is not None
    now = now or clock.now()
    owner = owner or owner_name()
    done: list[JobRun] = []
    for spec in all_jobs():
        due = latest_due(spec, now)
        if due is None:
            continue
        already = db.session.execute(
            select(JobRun.status, JobRun.started_at).where(
                JobRun.job_id == spec.id, JobRun.scheduled_for == due
            )
        ).first()
        if already and not (
            already.status == RunStatus.RUNNING and already.started_at < now - lease()
        ):
            continue
        run = claim(spec.id, due, owner)
        if run is not None:
            # Each job reads the clock when it starts, so the delivery job (last) sees as due
            # what the jobs before it queued a moment ago.
            done.append(execute(spec, run, now if explicit else clock.now()))
    return done


def run_now(job_id: str, owner: str | None = None) -> JobRun | None:
    """Run one job at once (the admin's "run now"); None if the id is unknown or if this
    second's run is already claimed (a second click in the same second runs nothing: ask
    :func:`find_job` first to tell the two apart)."""
    spec = find_job(job_id)
    if spec is None:
        return None
    now = clock.now()
    run = claim(spec.id, now.replace(microsecond=0), owner or owner_name())
    if run is None:
        return None
    return execute(spec, run, now)


def run_history(page: int = 1, per_page: int = 20):
    """Every run, newest first, one page at a time (a Flask-SQLAlchemy pagination)."""
    stmt = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def last_runs() -> dict[str, JobRun]:
    """The latest run of each job, by job id (one query)."""
    from sqlalchemy import func

    latest = (
        select(JobRun.job_id, func.max(JobRun.id).label("id")).group_by(JobRun.job_id).subquery()
    )
    rows = db.session.execute(select(JobRun).join(latest, latest.c.id == JobRun.id)).scalars()
    return {run.job_id: run for run in rows}
