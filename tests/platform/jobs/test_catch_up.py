"""Nothing is lost: a killed run, a clock moved past several periods, leases on real time."""

import subprocess  # nosec B404 (a short-lived child, to have the id of a process that is gone)
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.jobs import runner
from dcx.platform.jobs.models import JobRun
from dcx.platform.notify.models import Message
from tests.platform.jobs.test_runner import PROBE, _customers

JOB = "probe.monthly_summary"


@pytest.fixture
def app_config():
    from dcx.config import DEFAULT_VERTICALS

    return {"DCX_VERTICALS": (*DEFAULT_VERTICALS, PROBE)}


def _gone_owner() -> str:
    """The run log's name for a process of this host that has already ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])  # nosec B603
    proc.wait()
    return f"{runner.socket.gethostname()}:{proc.pid}"


def _left_running(owner: str, leased_for: timedelta | None = None) -> JobRun:
    """A run of the monthly job for its latest due time, claimed a moment ago, never finished."""
    spec = runner.find_job(JOB)
    lease = {} if leased_for is None else {"leased_until": clock.real_now() + leased_for}
    run = JobRun(
        job_id=JOB,
        scheduled_for=runner.latest_due(spec, clock.now()),
        owner=owner,
        started_at=clock.now(),
        **lease,
    )
    db.session.add(run)
    db.session.commit()
    return run


def _per_period() -> dict[str, int]:
    db.session.rollback()
    rows = db.session.execute(
        select(Message.key, func.count())
        .where(Message.topic == "probe.summary")
        .group_by(Message.key)
    ).all()
    return dict(rows)


def _months_after(run: JobRun) -> list[str]:
    """The keys of the probe's summaries for every month due after ``run``'s, up to now."""
    due = runner.due_times(runner.find_job(JOB), run.scheduled_for, clock.now())
    return [f"probe.monthly:{time:%Y-%m}" for time in due]


def _key(run: JobRun) -> str:
    return f"probe.monthly:{run.scheduled_for:%Y-%m}"


def test_a_killed_run_and_two_months_later_every_period_is_sent_once(app):
    _customers(5)
    killed = _left_running(_gone_owner())
    clock.advance(timedelta(days=62))  # two more first-of-the-months, well within the lease
    db.session.commit()
    later = _months_after(killed)
    assert len(later) >= 2

    runner.run_due_jobs()
    runner.run_due_jobs()  # a second pass (or a second scheduler) sends nothing twice

    assert _per_period() == {key: 5 for key in [_key(killed), *later]}
    runs = db.session.execute(select(JobRun).where(JobRun.job_id == JOB)).scalars().all()
    assert len(runs) == 1 + len(later) and {run.status for run in runs} == {"succeeded"}
    taken_over = db.session.get(JobRun, killed.id)
    assert taken_over.owner == runner.owner_name()


def test_a_run_left_by_a_dead_process_is_marked_interrupted(app):
    dead = _left_running(_gone_owner(), timedelta(minutes=10))
    alive = JobRun(
        job_id="probe.due_reminders",
        scheduled_for=clock.now().replace(microsecond=0),
        owner=runner.owner_name(),  # this very process: alive
        started_at=clock.now(),
        leased_until=clock.real_now() + timedelta(minutes=10),
    )
    db.session.add(alive)
    db.session.commit()

    assert runner.interrupt_abandoned_runs() == 1
    db.session.refresh(dead)
    db.session.refresh(alive)
    assert dead.status == "interrupted" and "ended before the run finished" in dead.error
    assert alive.status == "running"


def test_the_lease_runs_on_real_time_not_on_the_showcase_clock(app):
    # a process on another host: nothing tells whether it lives but its lease
    _customers(3)
    held = _left_running("another-host:4242", timedelta(minutes=10))
    clock.advance(timedelta(days=40))
    db.session.commit()

    assert runner.claim(JOB, held.scheduled_for, "me:1") is None
    assert runner.interrupt_abandoned_runs() == 0
    runner.run_due_jobs()
    db.session.refresh(held)
    assert held.status == "running" and held.owner == "another-host:4242"
    # ... and blocks none of the months after it
    assert _per_period() == {key: 3 for key in _months_after(held)}

    held.leased_until = clock.real_now() - timedelta(seconds=1)
    db.session.commit()
    assert runner.interrupt_abandoned_runs() == 1
    runner.run_due_jobs()
    db.session.refresh(held)
    assert held.status == "succeeded" and held.owner == runner.owner_name()
    assert _per_period() == {key: 3 for key in [_key(held), *_months_after(held)]}


def test_a_job_that_never_ran_starts_at_its_latest_due_time(app):
    _customers(2)
    runner.run_due_jobs()
    latest = runner.latest_due(runner.find_job(JOB), clock.now())
    assert _per_period() == {f"probe.monthly:{latest:%Y-%m}": 2}


def test_a_job_not_kept_per_period_runs_only_its_latest_due_time(app):
    spec = runner.find_job("probe.due_reminders")
    runner.run_due_jobs()
    clock.advance(timedelta(days=3))
    db.session.commit()
    runs = [run for run in runner.run_due_jobs() if run.job_id == spec.id]
    assert [run.scheduled_for for run in runs] == [runner.latest_due(spec, clock.now())]
