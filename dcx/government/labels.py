"""Government's stored keys in the visitor's language.

Repairs, incidents, crews, sensors and social posts keep their category, department, status
or kind as keys (``traffic_signal``, ``public_works``, ``en_route``) that the workflows test.
Pages show them through :func:`label`. The labels the forms and services already define are
reused here, not written twice; a value without a label comes back as it is.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from dcx.filters import stored_label
from dcx.government.congestion import LEVEL_LABELS
from dcx.government.districts import DEPARTMENT_LABELS, DISTRICTS
from dcx.government.forms import CATEGORY_LABELS
from dcx.government.public_updates import NO_WEBHOOK
from dcx.government.repairs import NOTE_CONFIRMED, NOTE_REOPENED, NOTE_STILL_BROKEN, STATUS_LABELS

# One label per models.CREW_STATUSES (tests/government/test_labels.py keeps them in step).
# Lower case: the dashboard shows them as a running commentary ("en route"), as it always has.
CREW_STATUS_LABELS: dict[str, Any] = {
    "idle": _l("idle"),
    "dispatched": _l("dispatched"),
    "en_route": _l("en route"),
    "on_site": _l("on site"),
    "done": _l("done"),
}

# One label per models.SENSOR_KINDS: what the sensor counts.
SENSOR_KIND_LABELS: dict[str, Any] = {
    "vehicle": _l("Vehicles"),
    "pedestrian": _l("Pedestrians"),
    "both": _l("Vehicles and pedestrians"),
}

# An incident is opened by congestion detection and stays open while it is being dealt with.
INCIDENT_STATUS_LABELS: dict[str, Any] = {"open": _l("Open")}

# What happened to a social-media post (services.deliver_social).
POST_STATUS_LABELS: dict[str, Any] = {
    "pending": _l("Pending"),
    "sent": _l("Delivered"),
    "failed": _l("Delivery failed"),
    "skipped": _l("Not sent"),
}

# Why a post was not sent (services.deliver_social); other outcomes are technical
# ("HTTP 202", an exception's text) and shown as they are.
POST_OUTCOME_LABELS: dict[str, Any] = {
    NO_WEBHOOK: _l("no GOVERNMENT_SOCIAL_WEBHOOK configured"),
}

# The notes the workflow writes itself: the nightly job (and the showcase) when it closes a
# fixed repair, a citizen's confirmation or reopening without words of their own. Notes staff
# or citizens type are free text and shown as typed.
REPAIR_NOTE_LABELS: dict[str, Any] = {
    "closed: nobody reported a problem in 14 days": _l("nobody reported a problem in 14 days"),
    NOTE_CONFIRMED: _l("confirmed fixed by the citizen"),
    NOTE_REOPENED: _l("reopened: not fixed"),
    NOTE_STILL_BROKEN: _l("a citizen says it is still broken"),
}

LABELS: dict[str, dict[str, Any]] = {
    "category": CATEGORY_LABELS,
    "department": DEPARTMENT_LABELS,
    "district": DISTRICTS,
    "level": LEVEL_LABELS,
    "status": STATUS_LABELS,
    "crew_status": CREW_STATUS_LABELS,
    "sensor_kind": SENSOR_KIND_LABELS,
    "incident_status": INCIDENT_STATUS_LABELS,
    "post_status": POST_STATUS_LABELS,
    "post_outcome": POST_OUTCOME_LABELS,
    "repair_note": REPAIR_NOTE_LABELS,
}


def label(kind: str, value: str | None) -> str:
    """The label of a stored ``value`` of ``kind`` in the current locale.

    ``kind`` is ``category``, ``department``, ``district``, ``level`` (congestion),
    ``status`` (a repair's), ``crew_status``, ``sensor_kind``, ``incident_status``,
    ``post_status``, ``post_outcome`` or ``repair_note``. An unknown kind or value comes back
    as it is, so nothing stored is ever hidden.
    """
    return stored_label(LABELS, kind, value)


def labels_of(kind: str) -> dict[str, str]:
    """Every key of ``kind`` with its label in the current locale, for a page's script.

    The traffic dashboard redraws crew statuses from a JSON feed of keys; it looks the labels
    up in this map, so the feed stays language-free.
    """
    return {key: str(text) for key, text in LABELS.get(kind, {}).items()}
