"""The scheduler process: APScheduler ticks, and each tick runs the due jobs once.

`flask dcx scheduler` runs it in the foreground; `flask dcx demo` runs it in a background
thread beside the laptop's web server. Web workers never start one.
"""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from dcx.extensions import db
from dcx.platform.jobs.runner import run_due_jobs

TICK_SECONDS = 20


def tick(app: Flask) -> int:
    """One tick: run the due jobs in a fresh app context; returns how many ran."""
    with app.app_context():
        try:
            ran = len(run_due_jobs())
        finally:
            db.session.remove()
    # then each scope another package asks for (a showcase's live sandboxes), in its own context
    for scopes in app.extensions.get("dcx_job_scopes", []):
        for scope in scopes(app):
            with scope:
                ran += len(run_due_jobs())
    return ran


def _configure(scheduler, app: Flask, tick_seconds: int):
    scheduler.add_job(
        tick,
        "interval",
        seconds=tick_seconds,
        args=[app],
        id="dcx.tick",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )
    return scheduler


def run_forever(app: Flask, tick_seconds: int = TICK_SECONDS) -> None:
    """Block, ticking every ``tick_seconds`` (the `flask dcx scheduler` process)."""
    tick(app)
    _configure(BlockingScheduler(timezone="UTC"), app, tick_seconds).start()


def start_in_background(app: Flask, tick_seconds: int = TICK_SECONDS) -> BackgroundScheduler:
    """Start ticking in a thread of this process (only `flask dcx demo` does this)."""
    scheduler = _configure(BackgroundScheduler(timezone="UTC"), app, tick_seconds)
    scheduler.start()
    return scheduler
