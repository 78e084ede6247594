"""`flask dcx government simulate`, invoked through its click group."""

from __future__ import annotations

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.government.cli import government_group
from dcx.government.models import GovernmentIncident, GovernmentObservation


def test_simulate_is_mounted_under_flask_dcx(city, runner):
    result = runner.invoke(args=["dcx", "government", "simulate", "--hours", "1", "--step", "30"])
    assert result.exit_code == 0, result.output
    assert "8 observations" in result.output


def test_simulate_posts_traffic_with_an_incident(city, runner):
    result = runner.invoke(government_group, ["simulate", "--hours", "2", "--step", "30"])
    assert result.exit_code == 0, result.output
    assert "16 observations" in result.output
    assert db.session.scalar(select(func.count(GovernmentObservation.id))) == 16
    incident = db.session.execute(select(GovernmentIncident)).scalar_one()
    assert incident.severity == "severe"


def test_simulate_without_incident(city, runner):
    result = runner.invoke(government_group, ["simulate", "--hours", "1", "--incident", ""])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(GovernmentIncident.id))) == 0


def test_live_mode_keeps_posting_the_current_interval(city, runner):
    result = runner.invoke(
        government_group, ["simulate", "--hours", "1", "--live", "0.01", "--ticks", "2"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("posted 4 observations") == 2
