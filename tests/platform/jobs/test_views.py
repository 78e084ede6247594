"""The admin's jobs page, run-now button and clock buttons; the clock and jobs commands."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dcx.config import DEFAULT_VERTICALS
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.jobs.models import JobRun
from dcx.platform.notify.models import Message
from tests.conftest import make_user

PROBE = "tests.platform.jobs.probe"


@pytest.fixture
def app_config():
    return {"DCX_VERTICALS": (*DEFAULT_VERTICALS, PROBE)}


def test_jobs_page_is_for_admins_only(client, customer, staff_client, admin_client):
    assert client.get("/admin/jobs").status_code == 403
    staff, _ = staff_client("banking")
    assert staff.get("/admin/jobs").status_code == 403
    page = admin_client.get("/admin/jobs").get_data(as_text=True)
    assert 'data-job="probe.monthly_summary"' in page
    assert 'data-job="platform.expire_drafts"' in page


def test_run_now_records_the_run_and_unknown_is_404(admin_client):
    make_user(email="c1@example.com")
    r = admin_client.post("/admin/jobs/probe.monthly_summary/run")
    assert r.status_code == 302
    run = db.session.execute(
        select(JobRun).where(JobRun.job_id == "probe.monthly_summary")
    ).scalar_one()
    assert run.status == "succeeded" and run.count == 1
    assert admin_client.post("/admin/jobs/nope.never/run").status_code == 404
    assert "succeeded" in admin_client.get("/admin/jobs").get_data(as_text=True)


def test_clock_buttons_move_time_and_run_due_jobs(admin_client):
    make_user(email="c1@example.com")
    before = clock.now()
    admin_client.post("/admin/clock", data={"step": "30d"})
    db.session.remove()
    assert clock.now() - before >= timedelta(days=30)
    assert db.session.execute(select(func.count()).select_from(Message)).scalar_one() >= 1
    assert admin_client.post("/admin/clock", data={"step": "1y"}).status_code == 400
    admin_client.post("/admin/clock", data={"step": "reset"})
    db.session.remove()
    assert abs((clock.now() - clock.real_now()).total_seconds()) < 5


def test_clock_and_jobs_commands(runner, app):
    result = runner.invoke(args=["dcx", "clock", "advance", "2w"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert clock.offset() >= timedelta(days=14)
    assert runner.invoke(args=["dcx", "clock", "advance", "soon"]).exit_code != 0
    assert "probe.due_reminders" in runner.invoke(args=["dcx", "jobs", "list"]).output
    assert "succeeded" in runner.invoke(args=["dcx", "jobs", "run", "probe.due_reminders"]).output
    assert runner.invoke(args=["dcx", "jobs", "run", "nope"]).exit_code != 0
    assert runner.invoke(args=["dcx", "clock", "reset"]).exit_code == 0


def test_parse_duration_rejects_nonsense():
    assert clock.parse_duration("90m") == timedelta(minutes=90)
    for bad in ("", "3", "-1d", "1y", "d3"):
        with pytest.raises(ValueError):
            clock.parse_duration(bad)


def test_the_clock_never_moves_backwards(app):
    with pytest.raises(ValueError):
        clock.advance(timedelta(days=-1))


def test_a_second_run_now_click_in_the_same_second_answers_clearly_and_runs_once(
    admin_client, monkeypatch
):
    frozen = clock.real_now()
    monkeypatch.setattr(clock, "real_now", lambda: frozen)
    make_user(email="c1@example.com")
    first = admin_client.post("/admin/jobs/probe.monthly_summary/run", follow_redirects=True)
    second = admin_client.post("/admin/jobs/probe.monthly_summary/run", follow_redirects=True)
    assert first.status_code == second.status_code == 200
    assert "is running or has just run" in second.get_data(as_text=True)
    runs = db.session.scalar(
        select(func.count(JobRun.id)).where(JobRun.job_id == "probe.monthly_summary")
    )
    assert runs == 1


def test_the_jobs_page_shows_the_run_history_with_who_asked(admin_client, monkeypatch):
    make_user(email="c1@example.com")
    start = clock.real_now()
    for second in range(3):  # three clicks, a second apart
        at = start + timedelta(seconds=second)
        monkeypatch.setattr(clock, "real_now", lambda at=at: at)
        admin_client.post("/admin/jobs/probe.monthly_summary/run")
    page = admin_client.get("/admin/jobs").get_data(as_text=True)
    history = page.split('id="run-history"')[1]
    assert history.count("<code>probe.monthly_summary</code>") == 3
    assert "admin@example.com" in history


def test_the_run_history_is_paginated(admin_client):
    now = clock.now()
    db.session.add_all(
        JobRun(
            job_id="probe.monthly_summary",
            scheduled_for=now - timedelta(hours=i),
            started_at=now - timedelta(hours=i),
            finished_at=now - timedelta(hours=i) + timedelta(seconds=2),
            status="succeeded",
            owner="scheduler",
        )
        for i in range(25)
    )
    db.session.commit()
    first = admin_client.get("/admin/jobs").get_data(as_text=True).split('id="run-history"')[1]
    assert first.count("data-run=") == 20 and "page=2" in first
    second = admin_client.get("/admin/jobs?page=2").get_data(as_text=True)
    assert second.split('id="run-history"')[1].count("data-run=") == 5
