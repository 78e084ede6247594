"""A signed-in session ends when idle too long and, however active, after an absolute limit,
both in real time; ended sessions and old sign-in rows are swept by a platform job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts import lifetime
from dcx.platform.accounts.models import AccountSession, SignInFailure
from dcx.platform.jobs import runner


@pytest.fixture
def app_config():
    return {"SESSION_IDLE_HOURS": 12, "SESSION_MAX_DAYS": 30}


@pytest.fixture
def later(monkeypatch):
    """Move wall-clock time forward by ``delta`` (the demo clock follows, as it would)."""
    real = clock.real_now

    def _move(delta: timedelta) -> None:
        monkeypatch.setattr(clock, "real_now", lambda: real() + delta)

    return _move


def _signed_in(client) -> bool:
    return client.get("/account/profile").status_code == 200


def test_an_idle_session_ends_and_an_active_one_goes_on(app, client, customer, later):
    later(timedelta(hours=11))
    assert _signed_in(client)  # seen again: the idle limit starts over
    later(timedelta(hours=22))
    assert _signed_in(client)
    later(timedelta(hours=34, minutes=30))  # 12.5 hours without a request
    assert not _signed_in(client)
    later(timedelta(hours=35))
    assert not _signed_in(client)  # and it stays ended


def test_a_session_ends_after_the_absolute_limit_however_active(app, client, customer, later):
    for days in (10, 20, 29):
        later(timedelta(days=days))
        db.session.execute(update(AccountSession).values(started_at=clock.real_now()))
        db.session.commit()
    db.session.execute(
        update(AccountSession).values(started_at=clock.real_now() - timedelta(days=30, hours=1))
    )
    db.session.commit()
    assert not _signed_in(client)


def test_moving_the_demo_clock_a_month_ahead_keeps_people_signed_in(app, client, customer):
    clock.advance(timedelta(days=60))
    db.session.commit()
    assert _signed_in(client)


def test_the_sweep_deletes_ended_sessions_and_old_failures(app, client, customer, later):
    db.session.add(SignInFailure(email="x@example.com", address="192.0.2.1"))
    db.session.commit()
    assert runner.find_job("platform.sweep_sessions") is not None
    assert lifetime.sweep(clock.now()) == 0  # nothing has ended yet
    later(timedelta(days=31))
    assert lifetime.sweep(clock.now()) == 2
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AccountSession)) == 0
    assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 0
