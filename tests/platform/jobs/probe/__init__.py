"""A tiny vertical used only by the job-runner tests: a monthly summary and daily reminders.

Loaded by adding ``tests.platform.jobs.probe`` to DCX_VERTICALS, in this process or in the
scheduler subprocesses the tests start.
"""

import os
import time
from datetime import datetime, timedelta

from flask import Blueprint
from sqlalchemy import exists, select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.notify.models import Message
from dcx.platform.notify.services import notify_bulk
from dcx.verticals import CalendarEntry, JobSpec, Topic, Vertical

bp = Blueprint("probe", __name__, template_folder="templates")


@bp.route("/")
def index():
    """The probe's landing page."""
    return "probe"


def monthly_summary(now: datetime) -> int:
    """Send every customer whose summary for this month is missing; commits every 100."""
    key = f"probe.monthly:{now:%Y-%m}"
    pause = float(os.environ.get("PROBE_BATCH_PAUSE", "0"))
    missing = list(
        db.session.execute(
            select(User.id)
            .where(User.role == "customer")
            .where(~exists().where(Message.user_id == User.id, Message.key == key))
            .order_by(User.id)
        ).scalars()
    )
    for start in range(0, len(missing), 100):
        batch = missing[start : start + 100]
        notify_bulk(
            "probe.summary",
            [{"user_id": uid, "title": f"Your {now:%B} summary", "key": key} for uid in batch],
        )
        db.session.commit()
        if pause:
            time.sleep(pause)
    return len(missing)


def due_reminders(now: datetime) -> int:
    """Remind every customer whose (probe) service date has passed, once per customer."""
    due = list(
        db.session.execute(
            select(User.id).where(User.role == "customer", User.phone <= f"{now:%Y-%m-%d}")
        ).scalars()
    )
    rows = [{"user_id": uid, "title": "Service due", "key": f"probe.reminder:{uid}"} for uid in due]
    notify_bulk("probe.reminder", rows)
    return len(rows)


def calendar(user_id: int) -> list[CalendarEntry]:
    """One appointment a week from now for every customer."""
    start = clock.now().replace(microsecond=0) + timedelta(days=7)
    return [
        CalendarEntry(
            uid=f"probe-{user_id}", title="Probe appointment", starts_at=start, location="Bay 3"
        )
    ]


def summary_card(user_id: int) -> dict:
    """The probe's card on the customer 360."""
    return {"title": "Probe card", "lines": [f"customer #{user_id}"], "link": "/probe/"}


vertical = Vertical(
    key="probe",
    title="Probe",
    story="A vertical for the runner's tests.",
    blueprint=bp,
    calendar=calendar,
    summary_card=summary_card,
    timeline_kinds={"poked": "Poked"},
    topics=(
        Topic("probe.summary", "Probe summary", ("email",)),
        Topic("probe.reminder", "Probe reminder", ()),
    ),
    jobs=(
        JobSpec(
            id="probe.monthly_summary", trigger={"day": 1, "hour": 6}, function=monthly_summary
        ),
        JobSpec(id="probe.due_reminders", trigger={"hour": 7}, function=due_reminders),
    ),
)
