"""Health's stored keys in the visitor's language.

Goals keep the measure they are set on (``systolic``), check-ins the patient's feeling
(``hard``) and activities their intensity (``moderate``) as keys the rules test. Pages show
them through :func:`label`. The labels services and forms already define are reused here, not
written twice; a value without a label comes back as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from dcx.filters import stored_label
from dcx.health.forms import FEELINGS
from dcx.health.goals import MEASURES

# One short label per services.INTENSITIES (the form's choices explain each at more length).
INTENSITY_LABELS: dict[str, Any] = {
    "light": _l("Light"),
    "moderate": _l("Moderate"),
    "vigorous": _l("Vigorous"),
}

MEASURE_LABELS: dict[str, Any] = {key: measure.label for key, measure in MEASURES.items()}
FEELING_LABELS: dict[str, Any] = {choice.value: choice.label for choice in FEELINGS}

LABELS: dict[str, Mapping[str, Any]] = {
    "measure": MEASURE_LABELS,
    "feeling": FEELING_LABELS,
    "intensity": INTENSITY_LABELS,
}


def label(kind: str, value: str | None) -> str:
    """The label of a stored ``value`` of ``kind`` in the current locale.

    ``kind`` is ``measure`` (a goal's), ``feeling`` (a check-in's) or ``intensity`` (an
    activity's). An unknown kind or value comes back as it is, so nothing stored is ever hidden.
    """
    return stored_label(LABELS, kind, value)
