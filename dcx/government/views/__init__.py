"""Government's pages: one blueprint (:mod:`.base`), a module of views per feature.

Importing a feature's module registers its routes on ``bp``; this package imports them all.
"""

from dcx.government.views import citizens, incidents, public, repairs, tasks, traffic  # noqa: F401  (each registers its routes on base.bp)
from dcx.government.views.base import bp

__all__ = ["bp"]
