"""Automotive's stored keys in the visitor's language.

A recall's coverage of one car keeps its step as a key (``notified``, ``booked``,
``remedied``) that the workflow tests; pages show it through :func:`label`, which falls back
to the key itself for a value it does not know.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask_babel import lazy_gettext as _l

from dcx.filters import stored_label

# One label per models.COVERAGE_STATUSES (tests/automotive/test_labels.py keeps them in step).
COVERAGE_LABELS: dict[str, Any] = {
    "notified": _l("Open"),
    "booked": _l("Repair booked"),
    "remedied": _l("Remedied"),
}

LABELS: dict[str, dict[str, Any]] = {"coverage": COVERAGE_LABELS}


#: ``label(kind, value)``: a stored ``value``'s label (``coverage``) in the current locale.
label = partial(stored_label, LABELS)
