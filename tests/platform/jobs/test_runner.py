"""The job runner runs each due job once: two schedulers, a killed scheduler, a moved clock."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from dcx.config import DEFAULT_VERTICALS
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.accounts.services import hash_password
from dcx.platform.jobs import runner
from dcx.platform.jobs.models import JobRun
from dcx.platform.notify.models import Delivery, Message

PROBE = "tests.platform.jobs.probe"
ROOT = Path(__file__).resolve().parents[3]
EVERY_FEW_MINUTES = {"platform.deliver_outbox", "platform.live_on"}


@pytest.fixture
def app_config():
    return {"DCX_VERTICALS": (*DEFAULT_VERTICALS, PROBE)}


def _customers(n: int, phone: str = "") -> None:
    password_hash = hash_password("probe password long")
    now = clock.now()
    db.session.execute(
        insert(User),
        [
            {
                "email": f"c{i}@probe.example",
                "name": f"C{i}",
                "password_hash": password_hash,
                "role": "customer",
                "department": "",
                "phone": phone,
                "locale": "",
                "health_consent": False,
                "created_at": now,
            }
            for i in range(n)
        ],
    )
    db.session.commit()


def _summaries() -> int:
    db.session.rollback()
    return db.session.execute(
        select(func.count()).select_from(Message).where(Message.topic == "probe.summary")
    ).scalar_one()


def _scheduler(app, extra_env=None) -> subprocess.Popen:
    env = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "DCX_VERTICALS": ",".join(app.config["DCX_VERTICALS"]),
        "SECRET_KEY": "test-secret",
        **(extra_env or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "dcx", "jobs", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_latest_due_finds_the_last_fire_time(app):
    spec = runner.find_job("probe.monthly_summary")
    now = clock.now()
    due = runner.latest_due(spec, now)
    assert due <= now and due.day == 1 and due.hour == 6
    assert runner.next_due(spec, now) > now


def test_a_job_runs_once_per_due_time_in_one_process(app):
    _customers(5)
    first = runner.run_due_jobs()
    again = runner.run_due_jobs()
    assert {r.job_id for r in first} >= {"probe.monthly_summary"}
    # the delivery job (each minute) and the world living on (each five) may fall due again
    assert [r for r in again if r.job_id not in EVERY_FEW_MINUTES] == []
    assert _summaries() == 5


def test_two_schedulers_at_once_send_each_of_1000_summaries_exactly_once(app):
    _customers(1000)
    db.session.remove()
    procs = [_scheduler(app), _scheduler(app)]
    outputs = [p.communicate(timeout=180)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert _summaries() == 1000
    deliveries = db.session.execute(
        select(func.count())
        .select_from(Delivery)
        .join(Message)
        .where(Message.topic == "probe.summary")
    ).scalar_one()
    assert deliveries == 1000  # one email each, the topic's default channel
    runs = (
        db.session.execute(select(JobRun).where(JobRun.job_id == "probe.monthly_summary"))
        .scalars()
        .all()
    )
    assert len(runs) == 1 and runs[0].status == "succeeded" and runs[0].count == 1000


def test_a_scheduler_killed_mid_run_is_taken_over_and_ends_at_exactly_1000(app):
    _customers(1000)
    db.session.remove()
    proc = _scheduler(app, {"PROBE_BATCH_PAUSE": "0.4"})
    deadline = time.monotonic() + 120
    while _summaries() < 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    partial = _summaries()
    assert 200 <= partial < 1000
    stale = db.session.execute(
        select(JobRun).where(JobRun.job_id == "probe.monthly_summary")
    ).scalar_one()
    assert stale.status == "running"

    # Its process is gone, so the next scheduler marks the run interrupted at once (no wait for
    # the lease), takes it over and catches up from state.
    restarted = _scheduler(app)
    out = restarted.communicate(timeout=180)[0]
    assert restarted.returncode == 0, out
    assert _summaries() == 1000
    db.session.rollback()
    run = db.session.execute(
        select(JobRun).where(JobRun.job_id == "probe.monthly_summary")
    ).scalar_one()
    assert run.status == "succeeded"


def test_advancing_the_clock_a_month_sends_each_due_reminder_once(app):
    start = clock.today()
    _customers(10, phone=f"{start + timedelta(days=20):%Y-%m-%d}")  # the probe's due date
    runner.run_due_jobs()
    assert (
        db.session.execute(
            select(func.count()).where(Message.topic == "probe.reminder")
        ).scalar_one()
        == 0
    )
    clock.advance(timedelta(days=30))
    db.session.commit()
    runner.run_due_jobs()
    runner.run_due_jobs()
    clock.advance(timedelta(days=1))
    db.session.commit()
    runner.run_due_jobs()
    reminders = db.session.execute(
        select(func.count()).where(Message.topic == "probe.reminder")
    ).scalar_one()
    assert reminders == 10


def test_a_failing_job_is_logged_with_its_error(app):
    spec = runner.find_job("probe.due_reminders")

    def boom(now):
        raise RuntimeError("sensor feed unreachable")

    failing = type(spec)(id=spec.id, trigger=spec.trigger, function=boom)
    run = runner.claim(failing.id, clock.now(), "test")
    result = runner.execute(failing, run, clock.now())
    assert result.status == "failed"
    assert "sensor feed unreachable" in result.error


def test_run_now_and_unknown_jobs(app):
    assert runner.run_now("probe.due_reminders").status == "succeeded"
    assert runner.run_now("nope.never") is None
