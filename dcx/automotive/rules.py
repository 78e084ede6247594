"""Automotive's shared rules: its key, the VIN format, urgency and health labels, dealers, slot hours
and the thresholds a reading is judged by. Each feature's rules live in its own module
(vehicles, telemetry, fleet_status, appointments, recalls, financing, workspace); they take
explicit arguments, add and flush, and leave the commit to the caller."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

KEY = "automotive"
VIN_FORMAT = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")  # I, O and Q are never used in a VIN
URGENCIES = ("not_urgent", "due_soon", "urgent", "overdue")
URGENCY_LABELS = {
    "not_urgent": _l("Not urgent"),
    "due_soon": _l("Due soon"),
    "urgent": _l("Urgent"),
    "overdue": _l("Overdue"),
}
HEALTH_LABELS = {"good": _l("Good"), "attention": _l("Needs attention"), "act_now": _l("Act now")}
DEALERS = (
    "DCX Motors City Centre",
    "DCX Motors North",
    "DCX Motors Airport",
)
SLOT_HOURS = (8, 10, 13, 15)
SLOT_FORMAT = "EEE d MMM y, HH:mm"  # a slot as people read it: "Tue 24 Nov 2026, 14:00" (UTC)
LOW_BATTERY_V = 12.0
LOW_TYRE_KPA = 200.0
LOW_OIL_LIFE_PCT = 15.0
DEFAULT_DAILY_KM = 35.0  # until a car has sent two weeks of readings
