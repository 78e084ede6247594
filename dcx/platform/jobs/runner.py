"""Run each due job once, whatever runs: two schedulers, a crash, downtime.

APScheduler is the ticker; it cannot share a job store between processes, so the once-only
guarantee comes from the database. Each run of a job for a scheduled time is claimed by
inserting a ``job_run`` row under a unique key; the loser of a race skips. A run left
``running`` by a process that is gone (on this host), or whose lease ran out, is marked
``interrupted`` and taken over by a conditional UPDATE. Leases run on wall-clock time: moving
the showcase's clock expires none. Jobs themselves catch up from state (they act on
"everything still missing"), so one run per due time is enough and a rerun inserts nothing
twice. A job declared ``each_period`` (its work is keyed by the period its due time names, a
monthly report) runs once for every due time it missed, each as of that time, so a killed run
or a clock moved two months sends every month's report.
"""

from __future__ import annotations

import os
import socket
import traceback
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from dcx.database import rows_changed
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.jobs.models import JobRun, RunStatus
from dcx.platform.logs import log_failure
from dcx.verticals import JobSpec, registry

_WINDOWS = (timedelta(hours=1), timedelta(days=1), timedelta(days=35), timedelta(days=400))
#: How far back, and how many of its periods, an ``each_period`` job catches up at most: a
#: quarter of downtime loses no report, and a laptop left off for a year does not open on a
#: year of weekly digests.
CATCH_UP_WINDOW = timedelta(days=100)
CATCH_UP_MAX = 60


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


def due_times(spec: JobSpec, after: datetime, now: datetime) -> list[datetime]:
    """Every time after ``after`` and at or before ``now`` the job was due, oldest first
    (the latest :data:`CATCH_UP_MAX` of them)."""
    trigger = trigger_for(spec)
    times: list[datetime] = []
    fire = trigger.get_next_fire_time(None, after + timedelta(seconds=1))
    while fire is not None and fire <= now:
        times.append(fire)
        times = times[-CATCH_UP_MAX:]
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return times


def missed_due_times(spec: JobSpec, now: datetime) -> list[datetime]:
    """The due times of ``spec`` this pass should run, oldest first.

    The latest due time, unless it already has a run that is not interrupted. A job declared
    ``each_period`` also gets every due time since its newest run (within
    :data:`CATCH_UP_WINDOW`) and every earlier run that was interrupted. A job that never ran
    starts at its latest due time: a fresh install does not replay a year of reports.
    """
    latest = latest_due(spec, now)
    if latest is None:
        return []
    candidates = {latest}
    since = now - CATCH_UP_WINDOW
    if spec.each_period:
        newest = db.session.execute(
            select(func.max(JobRun.scheduled_for)).where(
                JobRun.job_id == spec.id, JobRun.scheduled_for <= now
            )
        ).scalar()
        if newest is not None:
            candidates.update(due_times(spec, max(newest, since), now))
            candidates.update(
                db.session.execute(
                    select(JobRun.scheduled_for).where(
                        JobRun.job_id == spec.id,
                        JobRun.status == RunStatus.INTERRUPTED,
                        JobRun.scheduled_for >= since,
                        JobRun.scheduled_for <= now,
                    )
                ).scalars()
            )
    taken = {
        row.scheduled_for
        for row in db.session.execute(
            select(JobRun.scheduled_for).where(
                JobRun.job_id == spec.id,
                JobRun.scheduled_for >= min(candidates),
                JobRun.scheduled_for <= latest,
                JobRun.status != RunStatus.INTERRUPTED,
            )
        )
    }
    return sorted(candidates - taken)


def lease() -> timedelta:
    """How long (wall-clock) a run may stay ``running`` before another process may take it over."""
    return timedelta(seconds=current_app.config.get("JOBS_LEASE_SECONDS", 600))


def process_gone(owner: str) -> bool:
    """Whether the run log's ``owner`` names a process of this host that no longer exists.

    Another host's process cannot be seen from here: its runs wait for their lease.
    """
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) <= 0:
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: a check that the process exists, nothing is sent
    except ProcessLookupError:
        return True
    except OSError:  # it exists, under another user
        return False
    return False


def interrupt_abandoned_runs() -> int:
    """Mark ``interrupted`` every run left running by a process that is gone, or whose lease
    ran out (wall-clock), so it blocks nothing and the next pass takes it over; how many."""
    real_now = clock.real_now()
    marked = 0
    running = db.session.execute(
        select(JobRun.id, JobRun.owner, JobRun.leased_until, JobRun.started_at).where(
            JobRun.status == RunStatus.RUNNING
        )
    ).all()
    for run in running:
        if process_gone(run.owner):
            reason = f"interrupted: its process {run.owner} ended before the run finished"
        elif (
            run.leased_until < real_now
            if run.leased_until is not None
            else run.started_at + lease() < clock.now()  # a run claimed before leases were kept
        ):
            reason = f"interrupted: {run.owner} held it past its lease"
        else:
            continue
        result = db.session.execute(
            update(JobRun)
            .where(
                JobRun.id == run.id,
                JobRun.status == RunStatus.RUNNING,
                JobRun.owner == run.owner,
            )
            .values(status=RunStatus.INTERRUPTED.value, finished_at=clock.now(), error=reason)
        )
        marked += rows_changed(result)
    db.session.commit()
    return marked


def claim(job_id: str, scheduled_for: datetime, owner: str) -> JobRun | None:
    """Claim the run of ``job_id`` for ``scheduled_for``; None if another process has it."""
    now = clock.now()
    leased_until = clock.real_now() + lease()
    run = JobRun(
        job_id=job_id,
        scheduled_for=scheduled_for,
        owner=owner,
        started_at=now,
        leased_until=leased_until,
    )
    db.session.add(run)
    try:
        db.session.commit()
        return run
    except IntegrityError:
        db.session.rollback()
    # Someone has this run. Take it over only if it was interrupted, or left running past its
    # lease (wall-clock, whatever the showcase's clock says).
    result = db.session.execute(
        update(JobRun)
        .where(
            JobRun.job_id == job_id,
            JobRun.scheduled_for == scheduled_for,
            or_(
                JobRun.status == RunStatus.INTERRUPTED,
                and_(
                    JobRun.status == RunStatus.RUNNING,
                    JobRun.leased_until < clock.real_now(),
                ),
            ),
        )
        .values(
            status=RunStatus.RUNNING.value,
            owner=owner,
            started_at=now,
            finished_at=None,
            leased_until=leased_until,
            error="taken over after an interrupted run",
        )
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
    """Run every due time each job missed (see :func:`missed_due_times`), after marking runs
    abandoned by dead processes interrupted; returns the runs made here."""
    explicit = now is not None
    now = now or clock.now()
    owner = owner or owner_name()
    interrupt_abandoned_runs()
    done: list[JobRun] = []
    for spec in all_jobs():
        latest = latest_due(spec, now)
        for due in missed_due_times(spec, now):
            run = claim(spec.id, due, owner)
            if run is None:
                continue
            # A period runs as of its own due time. The present (the latest due time of a job
            # not kept per period) reads the clock when it starts, so the delivery job (last)
            # sees as due what the jobs before it queued a moment ago.
            present = not spec.each_period and due == latest
            at = (now if explicit else clock.now()) if present else due
            done.append(execute(spec, run, at))
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
    latest = (
        select(JobRun.job_id, func.max(JobRun.id).label("id")).group_by(JobRun.job_id).subquery()
    )
    rows = db.session.execute(select(JobRun).join(latest, latest.c.id == JobRun.id)).scalars()
    return {run.job_id: run for run in rows}
