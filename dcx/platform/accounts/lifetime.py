"""How long a signed-in session lasts: an idle limit and an absolute one, in real time.

A session ends after ``SESSION_IDLE_HOURS`` without a request (12 by default) and, however
active, ``SESSION_MAX_DAYS`` after it started (30): its row's ``started_at`` says when, and
when the cookie's session was last seen is kept in the signed session cookie itself
(refreshed at most once a minute), so reading a page writes nothing to the database. A
remember-me cookie, should a page ever set one, carries the same session token and lasts no
longer (``REMEMBER_COOKIE_DURATION`` is the absolute limit). Both limits use wall-clock time,
not the showcase's clock: a presenter moving the demo clock a month ahead stays signed in.

Ended sessions, failed sign-ins past the throttle's window and expired sign-up requests are
deleted by the platform job ``platform.sweep_sessions``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, session

from dcx.platform import clock
from dcx.platform.accounts import services, signup
from dcx.platform.accounts.models import User

SEEN_KEY = "_dcx_seen"
REFRESH_SECONDS = 60


def idle_limit() -> timedelta:
    """How long a session may go without a request."""
    return timedelta(hours=float(current_app.config.get("SESSION_IDLE_HOURS", 12)))


def max_age() -> timedelta:
    """How long a session may last at most, from sign-in."""
    return timedelta(days=float(current_app.config.get("SESSION_MAX_DAYS", 30)))


def mark_seen(at: datetime | None = None) -> None:
    """Note in the session cookie that its user was seen now (wall-clock)."""
    session[SEEN_KEY] = int((at or clock.real_now()).timestamp())


def user_for_cookie(token: str) -> User | None:
    """The user of the session token in this request's cookie, unless the session has been
    idle too long or is older than the absolute limit (then nobody: the visitor signs in)."""
    now = clock.real_now()
    seen = session.get(SEEN_KEY)
    if isinstance(seen, int) and now.timestamp() - seen > idle_limit().total_seconds():
        session.pop(SEEN_KEY, None)
        session.pop("_user_id", None)  # Flask-Login's: the browser is signed out
        return None
    user = services.user_for_session(token, started_after=now - max_age())
    if user is not None and (
        not isinstance(seen, int) or now.timestamp() - seen >= REFRESH_SECONDS
    ):
        mark_seen(now)
    return user


def sweep(now: datetime) -> int:
    """The platform job: delete sessions past the absolute limit, failed sign-ins past the
    throttle's window and expired sign-up requests; returns how many rows went."""
    config = current_app.config
    window = timedelta(minutes=int(config.get("SIGNIN_WINDOW_MINUTES", 15)))
    return (
        services.sweep_sessions(clock.real_now(), max_age())
        + services.sweep_signin_failures(now, window)
        + signup.sweep_signup_requests(now)
    )
