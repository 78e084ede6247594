"""Health's pages: one blueprint (:mod:`.base`), a module of views per feature.

Importing a feature's module registers its routes on ``bp``; this package imports them all.
"""

from dcx.health.views import (  # noqa: F401  (each registers its routes on base.bp)
    clinician,
    community,
    food_and_exercise,
    goals,
    learning,
    medication,
    settings,
    vitals,
)
from dcx.health.views.base import bp

__all__ = ["bp"]
