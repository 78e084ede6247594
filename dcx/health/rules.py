"""Health's shared rules: its key and the error its rules raise. Each feature's rules live in
its own module (vitals, care_team, goals, medication, food_and_exercise, learning_progress,
community, panel, devices, export, hooks): plain functions over the models; callers commit."""

from __future__ import annotations

KEY = "health"


class HealthError(ValueError):
    """A request the health rules refuse; the message is safe to show the user.

    It is raised with a lazy string, so ``str(exc)`` speaks the language of whoever reads it
    (the visitor of the page showing the error), not the one current where it was raised.
    """
