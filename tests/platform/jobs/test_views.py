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
