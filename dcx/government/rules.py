"""Government's shared rules. Each feature's rules live in its own module (congestion,
districts, sensors, incidents, repairs, photos, planner, crews, public_updates, workspace,
simulation): plain functions over the models that add and flush; the caller commits."""

from __future__ import annotations

KEY = "government"
