"""A tiny vertical used only by the job-runner tests: a monthly summary and daily reminders.

Loaded by adding ``tests.platform.jobs.probe`` to DCX_VERTICALS, in this process or in the
scheduler subprocesses the tests start.
"""

import os
import time
from datetime import datetime, timedelta

from flask import Blueprint, render_template
from sqlalchemy import exists, select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.api.services import api_error, bearer_token, ingest_route
from dcx.platform.notify.models import Message
from dcx.platform.notify.services import notify_bulk
from dcx.verticals import CalendarEntry, JobSpec, Topic, TourStep, Vertical

bp = Blueprint("probe", __name__, template_folder="templates")
api_bp = Blueprint("probe_api", __name__)

READING = {
    "type": "object",
    "required": ["readings"],
    "additionalProperties": False,
    "properties": {
        "readings": {
            "type": "array",
            "minItems": 1,
            "maxItems": 50,
            "items": {
                "type": "object",
                "required": ["value"],
                "properties": {"value": {"type": "integer", "minimum": 0, "maximum": 1000}},
            },
        }
    },
}


@ingest_route(
    api_bp,
    "/things/<int:thing_id>/readings",
    summary="Send readings of a thing",
    request_schema=READING,
)
def readings(body, thing_id: int):
    """Accept readings from the probe's thing 7 only (token "probe-token")."""
    if bearer_token() != "probe-token":
        return api_error(401, "wrong token")
    if thing_id != 7:
        return api_error(404, "no such thing")
    return {"accepted": len(body["readings"])}


@bp.route("/")
def index():
    """The probe's landing page."""
    return render_template("probe/index.html")


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
    api_blueprint=api_bp,
    tour=(
        TourStep(
            "The probe's front door",
            "Where the story starts.",
            "probe.index",
            "alex",
            "#probe-capabilities",
        ),
        TourStep(
            "Your timeline", "Everything in one place.", "timeline.mine", "alex", "#timeline-filter"
        ),
        TourStep(
            "As staff",
            "The same customer, seen by staff.",
            "timeline.customers",
            "bank_advisor",
            "#customer-list",
        ),
    ),
    calendar=calendar,
    summary_card=summary_card,
    timeline_kinds={"poked": "Poked"},
    topics=(
        Topic("probe.summary", "Probe summary", ("email",)),
        Topic("probe.reminder", "Probe reminder", ()),
    ),
    jobs=(
        JobSpec(
            id="probe.monthly_summary",
            trigger={"day": 1, "hour": 6},
            function=monthly_summary,
            each_period=True,
        ),
        JobSpec(id="probe.due_reminders", trigger={"hour": 7}, function=due_reminders),
    ),
)
