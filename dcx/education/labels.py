"""Education's stored keys in the visitor's language.

Topic mastery is worked out as a level key (``mastered``, ``proficient``, ``familiar``,
``attempted``) that the suggestions test against; pages show it through :func:`label`, which
falls back to the key itself for a value it does not know.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask_babel import lazy_gettext as _l

from dcx.filters import stored_label

# One label per level of services.MASTERY_LEVELS (tests/education/test_labels.py checks).
LEVEL_LABELS: dict[str, Any] = {
    "mastered": _l("Mastered"),
    "proficient": _l("Proficient"),
    "familiar": _l("Familiar"),
    "attempted": _l("Attempted"),
}

LABELS: dict[str, dict[str, Any]] = {"level": LEVEL_LABELS}


#: ``label(kind, value)``: a stored ``value``'s label (``level``) in the current locale.
label = partial(stored_label, LABELS)
